#!/bin/sh
# Init for tests/qemu/sdcard.sh on QEMU sifive_u: the root is the SD card's
# ext2 partition (root=/dev/mmcblk0pN), read through the SiFive SPI
# controller in SD SPI mode.
#   write: busybox from the card, the block nodes, then files written (a
#          small note, 300 KiB spanning many multi-block requests, a tree)
#   read:  (next boot) the same files read back
#   sdhc:  (initramfs root) an SDHC card's partition mounted, read, written
pattern() {	# pattern LINES
	seq 0 $(($1 - 1)) | awk '{ print "line " $1 " of the duet SD card test" }'
}
case "$1" in
write)
	grep ' / ' /proc/mounts | awk '{print "root-mount", $1, $3}'
	for d in mmcblk0 mmcblk0p1 mmcblk0p2; do
		ls -l /dev/$d | awk -v d=$d '{print "node", d, substr($1,1,1), $5, $6}'
	done
	echo "busybox-md5 $(md5sum /bin/busybox | cut -d' ' -f1)"
	echo "uname $(uname -sm)"
	echo "tests-count $(ls /tests | wc -l)"
	df / | awk 'NR == 2 {print "df-fields", NF}'
	echo "written on the SD card" >/sdcard-note
	pattern 8000 >/sdcard-big
	mkdir -p /sd-tree/a/b && echo deep >/sd-tree/a/b/c
	echo "big-md5 $(md5sum /sdcard-big | cut -d' ' -f1)"
	echo "write-done"
	;;
read)
	echo "note: $(cat /sdcard-note)"
	echo "big-md5 $(md5sum /sdcard-big | cut -d' ' -f1)"
	echo "deep: $(cat /sd-tree/a/b/c)"
	rm /sdcard-note && echo "rm-done"
	;;
sdhc)
	mkdir -p /mnt && mount -t ext2 /dev/mmcblk0p1 /mnt || echo "mount failed"
	echo "hello: $(cat /mnt/hello)"
	pattern 8000 >/mnt/from-duet
	umount /mnt && echo "sdhc-done"
	;;
esac
