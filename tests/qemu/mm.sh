#!/bin/sh
# Issue 11, memory: demand-zero anonymous memory and brk, the overcommit
# heuristic, the OOM kill, fork over lazy pages, threads faulting on two
# client harts (user/mmtest), in offload=1, offload=0 and clients=2.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for mode in "offload=1" "offload=0" "clients=2"; do
	n=mm-$(echo $mode | tr -d =)
	smp=2; [ "$mode" = clients=2 ] && smp=3
	qemu_virt $n 180 $smp "init=/bin/mmtest $mode loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_log $n "$n-oom-line" 'Out of memory: killed process [0-9]+ \(mmtest\)'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done

# msync(MS_SYNC) of a shared mapping on ext2: the guest finds the bytes on
# /dev/vda before munmap; the host then finds them in the file on the image.
D=$BUILD/mm
mkdir -p $D
rm -f $D/ext2.img
head -c 16M /dev/zero >$D/ext2.img
mkfs.ext2 -q -F $D/ext2.img >/dev/null 2>&1 || /usr/sbin/mkfs.ext2 -q -F $D/ext2.img >/dev/null 2>&1
n=mm-msync-ext2
qemu_virt $n 120 2 "init=/bin/mmtest loglevel=warn -- ext2" -initrd $INITRD \
	-drive file=$D/ext2.img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
check_status $n 0
check_log $n "$n-on-disk" '^PASS msync-bytes-on-disk$'
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
DEBUGFS=$(command -v debugfs || echo /usr/sbin/debugfs)
got=$($DEBUGFS -R "cat /msync.dat" $D/ext2.img 2>/dev/null | dd bs=1 skip=$((2 * 4096 + 123)) count=33 2>/dev/null)
if [ "$got" = "MSYNC-REACHED-THE-DISK-0123456789" ]; then pass "$n-host-file"; else
	fail "$n-host-file" "expected the marker at 8315 of /msync.dat on the image, got '$got'"; fi

# Page-cache reclaim: four 40 MiB files on ext2, kept open, each mapped
# whole and checked, on a guest with 160 MiB: the cache of the files not
# mapped any more gives its pages back (without reclaim the third mmap
# fails with ENOMEM).
mkdir -p $D/big
if [ ! -f $D/big.img ]; then
	for f in 0 1 2 3; do
		# 4 KiB pages: "file F page P" then spaces
		awk -v f=$f 'BEGIN { pad = sprintf("%4096s", ""); for (p = 0; p < 10240; p++) {
			s = "file " f " page " p "\n"; printf "%s%s", s, substr(pad, 1, 4096 - length(s)) } }' >$D/big/big$f
	done
	/usr/sbin/mkfs.ext2 -q -F -d $D/big $D/big.img 200M >/dev/null 2>&1 || mkfs.ext2 -q -F -d $D/big $D/big.img 200M
	rm -rf $D/big
fi
n=mm-reclaim
qemu_virt $n 300 2 "init=/bin/mmtest loglevel=warn -- reclaim" -initrd $INITRD -m 160M \
	-drive file=$D/big.img,format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0
check_status $n 0
check_log $n "$n-summary" '^9 passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'
