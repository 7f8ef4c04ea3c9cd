#!/bin/sh
# Issue 12: virtio-mmio (legacy version 1 and modern version 2), virtio-rng,
# virtio-blk and the block cache, in both offload modes.  The guest side is
# tests/busybox/disk-blk.sh; the host checks the image it left behind.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio
D=$BUILD/disk
mkdir -p $D

# the same lines the guest writes (tests/busybox/disk-blk.sh)
pattern() { seq 0 $(($2 - 1)) | awk -v n="$1" '{ print n " line " $1 " of the duet disk test" }'; }
# put pattern NAME LINES at byte offset OFF of image IMG
put() { pattern $1 $2 | dd of=$4 bs=1 seek=$3 conv=notrunc 2>/dev/null; }
blk() { echo "-drive file=$1,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0"; }
legacy() { [ $1 = 1 ] && echo "-global virtio-mmio.force-legacy=true" || echo "-global virtio-mmio.force-legacy=false"; }

head -c 16M /dev/urandom >$D/orig.img
head_md5=$(dd if=$D/orig.img bs=65536 count=64 2>/dev/null | md5sum | cut -d' ' -f1)

for off in 1 0; do
	cpu=$([ $off = 1 ] && echo 1 || echo 0)	# the cpu that runs system calls
	img=$D/blk-off$off.img
	cp $D/orig.img $img

	# boot 1 (legacy transport): read the disk, write A (fsync), B (no
	# sync: the power-off write-back), C (1 MiB, then sync)
	n=disk-write-off$off
	qemu_virt $n 120 2 "init=/tests/disk-blk.sh offload=$off -- write" -initrd $INITRD \
		$(legacy 1) $(blk $img) -device virtio-rng-device
	check_status $n 0
	check_log $n "$n-probe-blk" "version 1 device 2 \(virtio-blk\)"
	check_log $n "$n-probe-rng" "version 1 device 4 \(virtio-rng\)"
	check_log $n "$n-rng-irq" "cpu$cpu\] virtio-rng: 64 bytes of entropy from virtio"
	check_log $n "$n-blk-size" "virtio-blk vda: 32768 sectors \(16 MiB\), queue 128, indirect, flush"
	check_log $n "$n-node" "^vda-node b 254, 0$"
	check_log $n "$n-read" "^vda-head-md5 $head_md5$"
	for w in A B C; do check_log $n "$n-$w" "^write-$w done$"; done
	# many requests in flight (how many depends on how fast QEMU completes them)
	check_log $n "$n-inflight" "vda: [0-9]+ reads, [0-9]+ writes, [0-9]+ flushes, at most ([89]|[1-9][0-9]+) in flight"
	check_log $n "$n-synced" "disks: synced before power-off"

	# the host sees exactly A, B and C on the image, nothing else changed
	cp $D/orig.img $D/want.img
	put A 300 $((2048 * 512)) $D/want.img
	put B 200 $((3001 * 512)) $D/want.img
	c1=$(pattern C 1000)
	for i in $(seq 32); do echo "$c1"; done | dd of=$D/want.img bs=1 seek=$((8192 * 512)) conv=notrunc 2>/dev/null
	if cmp -s $D/want.img $img; then pass "$n-host-image"; else
		fail "$n-host-image" "expected the original image plus patterns A, B, C; got: $(cmp $D/want.img $img 2>&1 | head -1)"; fi

	# boot 2 (modern transport): everything reads back
	n=disk-read-off$off
	qemu_virt $n 120 2 "init=/tests/disk-blk.sh offload=$off -- read" -initrd $INITRD \
		$(legacy 2) $(blk $img) -device virtio-rng-device
	check_status $n 0
	check_log $n "$n-probe-blk" "version 2 device 2 \(virtio-blk\)"
	check_log $n "$n-rng-irq" "cpu$cpu\] virtio-rng: 64 bytes of entropy from virtio"
	for w in A B C; do check_log $n "$n-$w" "^PASS read-$w$"; done
	check_no_log $n "$n-no-fail" "^FAIL "

	# boot 3: fsync'd data is on the disk when the machine dies; data not
	# yet synced is still in the write-back cache (QEMU is killed)
	n=disk-fsync-off$off
	cp $D/orig.img $img
	: >"$LOGDIR/$n.log"
	timeout --foreground -k 5 90 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
		-bios default -kernel "$KERNEL" -initrd $INITRD \
		-append "init=/tests/disk-blk.sh offload=$off -- crash" $(blk $img) \
		</dev/null >"$LOGDIR/$n.log" 2>&1 &
	qpid=$!
	i=0
	while [ $i -lt 600 ] && ! grep -q '^ready' "$LOGDIR/$n.log"; do sleep 0.1; i=$((i + 1)); done
	kill $qpid 2>/dev/null
	wait $qpid
	check_log $n "$n-ready" "^ready"
	cp $D/orig.img $D/want.img
	put A2 100 $((1024 * 4096)) $D/want.img
	if cmp -s $D/want.img $img; then pass "$n-fsynced-only"; else
		fail "$n-fsynced-only" "expected pattern A2 (fsync) and not B2 (cached) on the image; got: $(cmp $D/want.img $img 2>&1 | head -1)"; fi
done
rm -f $D/want.img $D/blk-off*.img

# ext2: an image from mke2fs -d, mounted, compared, changed, checked by
# e2fsck on the host, read again on the next boot; 1 KiB blocks with
# offload=1, 4 KiB with offload=0 (each size reaches the indirect blocks)
for off in 1 0; do
	bs=$([ $off = 1 ] && echo 1024 || echo 4096)
	img=$D/ext2-off$off.img
	rm -rf $D/ext2-src $img
	sh tests/busybox/ext2-tree.sh $D/ext2-src
	mke2fs -q -F -t ext2 -b $bs -d $D/ext2-src $img 400M >/dev/null 2>&1
	for phase in write read; do
		n=ext2-$phase-off$off
		ver=$([ $phase = write ] && echo 1 || echo 2)
		qemu_virt $n 240 2 "init=/tests/disk-ext2.sh offload=$off -- $phase" -initrd $INITRD \
			$(legacy $ver) $(blk $img)
		check_status $n 0
		check_log $n "$n-mounted" "ext2 vda: [0-9]+ blocks of $bs bytes"
		check_log $n "$n-done" "^ext2 $phase done"
		tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
		if e2fsck -fn $img >"$LOGDIR/$n.fsck" 2>&1; then pass "$n-e2fsck-clean"; else
			fail "$n-e2fsck-clean" "e2fsck -fn found problems: $(grep -v '^Pass\|^e2fsck' "$LOGDIR/$n.fsck" | head -3 | tr '\n' '|')"; fi
		[ $phase = write ] || continue
		# the host reads what duet wrote
		got=$(debugfs -R 'cat /d1/d2/moved.txt' $img 2>/dev/null)
		if [ "$got" = "new file on ext2" ]; then pass "$n-host-reads-file"; else
			fail "$n-host-reads-file" "debugfs cat /d1/d2/moved.txt: expected 'new file on ext2', got '$got'"; fi
	done
	rm -f $img
done
rm -rf $D/ext2-src

# root=/dev/vda: an image of the rootfs (what make disk builds) is /, no
# initramfs at all: the busybox suite runs on it (offload=1), a shorter
# boot checks offload=0; e2fsck finds the image clean after each
img=$D/root.img
rm -f $img
mke2fs -q -F -t ext2 -d $BUILD/rootfs $img 64M >/dev/null 2>&1
for off in 1 0; do
	n=rootdisk-off$off
	if [ $off = 1 ]; then init="init=/tests/suite.sh"; else
		init='init=/bin/sh -- -c cat${IFS}/proc/mounts;ls${IFS}-d${IFS}/lost+found'; fi
	qemu_virt $n 400 2 "root=/dev/vda rootfstype=ext2 offload=$off loglevel=info $init" $(blk $img)
	check_status $n 0
	check_log $n "$n-mounted" "root: /dev/vda \(ext2\) mounted on /"
	if [ $off = 1 ]; then
		check_log $n "$n-suite" '^[0-9]+ passed, 0 failed$'
	else
		check_log $n "$n-proc-mounts" '^/dev/vda / ext2 '
	fi
	if e2fsck -fn $img >"$LOGDIR/$n.fsck" 2>&1; then pass "$n-e2fsck-clean"; else
		fail "$n-e2fsck-clean" "e2fsck -fn: $(grep -v '^Pass\|^e2fsck' "$LOGDIR/$n.fsck" | head -3 | tr '\n' '|')"; fi
done
rm -f $img

# damaged images and a failing device (tests/busybox/disk-bad.sh): calls
# fail with -EUCLEAN or -EIO and one log line each, the kernel carries on
ff() { head -c $2 /dev/zero | tr '\000' '\377' | dd of=$1 bs=1 seek=$3 conv=notrunc 2>/dev/null; }
rm -rf $D/bad-src
sh tests/busybox/ext2-tree.sh $D/bad-src
for x in a b c d; do
	rm -f $D/bad-$x.img
	mke2fs -q -F -t ext2 -b 1024 -d $D/bad-src $D/bad-$x.img 8M >/dev/null 2>&1
done
ff $D/bad-a.img 56 1024				# superblock fields before the magic
ff $D/bad-b.img 1024 2048			# the group descriptor block
loc=$(debugfs -R 'imap /tree/big' $D/bad-c.img 2>/dev/null | sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\1 \2/p')
set -- $loc
ff $D/bad-c.img 60 $(($1 * 1024 + $2 + 40))	# i_block[] of /tree/big
blk=$(debugfs -R 'bmap /tree/sub 0' $D/bad-d.img 2>/dev/null | tail -1)
ff $D/bad-d.img 1024 $((blk * 1024))		# the directory's only block
head -c 8M /dev/zero >$D/bad-e.img
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "2048"\nonce = "off"\n' >$D/eio.cfg
drives=""
for x in a b c d; do
	drives="$drives -drive file=$D/bad-$x.img,format=raw,if=none,id=b$x -device virtio-blk-device,drive=b$x"
done
drives="$drives -drive file=blkdebug:$D/eio.cfg:$D/bad-e.img,format=raw,if=none,id=be -device virtio-blk-device,drive=be"
for off in 1 0; do
	n=disk-bad-off$off
	qemu_virt $n 120 2 "init=/tests/disk-bad.sh offload=$off" -initrd $INITRD $drives
	check_status $n 0
	check_log $n "$n-done" "^bad disks done"
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
	check_log $n "$n-log-super" "ext2 vda: corrupted filesystem: superblock"
	check_log $n "$n-log-groups" "ext2 vdb: corrupted filesystem: group descriptor 0"
	check_log $n "$n-log-inode" "ext2 vdc: corrupted filesystem: block (pointer in inode|number) "
	check_log $n "$n-log-dir" "ext2 vdd: corrupted filesystem: directory entry in inode"
	check_log $n "$n-log-eio" "virtio-blk vde: I/O error, sector 2048"
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done
rm -rf $D/bad-src $D/bad-?.img $D/eio.cfg

# partitions: an MBR disk and a GPT disk, ext2 inside one partition of each;
# and an ext4 image read through its extents
rm -rf $D/part-src $D/mbr.img $D/gpt.img
sh tests/busybox/ext2-tree.sh $D/part-src
truncate -s 24M $D/mbr.img $D/gpt.img
printf 'start=2048, size=8192, type=83\nstart=10240, size=20480, type=83\n' | sfdisk -q $D/mbr.img >/dev/null 2>&1
mke2fs -q -F -t ext2 -d $D/part-src -E offset=$((10240 * 512)) $D/mbr.img 10M >/dev/null 2>&1
sgdisk -n 1:2048:+12M -n 2:0:+4M $D/gpt.img >/dev/null 2>&1
mke2fs -q -F -t ext2 -d $D/part-src -E offset=$((2048 * 512)) $D/gpt.img 12M >/dev/null 2>&1
rm -rf $D/part-src $D/ext4.img
sh tests/busybox/ext2-tree.sh $D/part-src frag
mke2fs -q -F -t ext4 -d $D/part-src $D/ext4.img 32M >/dev/null 2>&1	# Debian 12's ext4 defaults
n=disk-part
qemu_virt $n 120 2 "init=/tests/disk-part.sh offload=1" -initrd $INITRD \
	-drive file=$D/mbr.img,format=raw,if=none,id=pm -device virtio-blk-device,drive=pm \
	-drive file=$D/gpt.img,format=raw,if=none,id=pg -device virtio-blk-device,drive=pg \
	-drive file=$D/ext4.img,format=raw,if=none,id=p4 -device virtio-blk-device,drive=p4
check_status $n 0
check_log $n "$n-ext4-ro" "ext2 vdc: ext4 features 0x[0-9a-f]+: mounting read-only"
check_log $n "$n-done" "^partitions done"
check_log $n "$n-mbr-table" "vda2: sectors 10240-30719"
check_log $n "$n-gpt-table" "vdb1: sectors 2048-26623"
tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
for x in mbr:10240:20480 gpt:2048:24576; do
	set -- $(echo $x | tr : ' ')
	dd if=$D/$1.img of=$D/part.img bs=512 skip=$2 count=$3 2>/dev/null
	if e2fsck -fn $D/part.img >/dev/null 2>&1 && [ "$(debugfs -R 'cat /note' $D/part.img 2>/dev/null)" = "on-$1" ]; then
		pass "$n-$1-host"; else fail "$n-$1-host" "the $1 partition: expected a clean ext2 with /note = on-$1"; fi
done
rm -rf $D/part-src $D/mbr.img $D/gpt.img $D/part.img $D/ext4.img

# the fuzzer (user/fuzz.c) with its files on a disk root: the kernel survives
# and the filesystem it leaves is clean
img=$D/fuzz.img
rm -f $img
mke2fs -q -F -t ext2 -d $BUILD/rootfs $img 64M >/dev/null 2>&1
for off in 1 0; do
	seed=$([ $off = 1 ] && echo 0x1234567 || echo "21 all")
	n=fuzz-rootdisk-off$off
	qemu_virt $n 240 2 "root=/dev/vda rootfstype=ext2 offload=$off loglevel=error init=/bin/fuzz -- 40 2000 $seed" $(blk $img)
	check_status $n 0
	check_log $n "$n-survives" '^PASS kernel-survives-fuzz$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
	if e2fsck -fn $img >"$LOGDIR/$n.fsck" 2>&1; then pass "$n-e2fsck-clean"; else
		fail "$n-e2fsck-clean" "e2fsck -fn: $(grep -v '^Pass\|^e2fsck' "$LOGDIR/$n.fsck" | head -3 | tr '\n' '|')"; fi
done
rm -f $img
