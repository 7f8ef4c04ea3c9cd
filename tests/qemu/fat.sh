#!/bin/sh
# Issue 12: FAT32 with long names.  (1) an image made on the host with
# mkfs.vfat -F 32 + mcopy -s is read in duet, every file's md5 compared;
# (2) duet writes files, a tree, renames and deletes; the host's fsck.fat -n
# finds it clean and mcopy reads back the same sums; (3) a second boot (the
# other offload mode) reads them again; (4) a FAT entry past the end and a
# bad boot sector give errors, not a panic.  Guest: tests/busybox/disk-fat.sh.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio
D=$BUILD/fat
rm -rf $D && mkdir -p $D
blk() { echo "-drive file=$1,format=raw,if=none,id=d$2 -device virtio-blk-device,drive=d$2"; }
# sorted "sum <md5> ./<path>" lines of every file under dir $1
host_sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do
	echo "sum $(md5sum "$f" | cut -d' ' -f1) $f"; done); }
# the Nth (1 or 2) block of "sum" lines the guest printed in log $1
guest_sums() { tr -d '\r' <"$LOGDIR/$1.log" | awk -v n=$2 '/^sums done/ { k++ } /^sum / && k == n - 1' | LC_ALL=C sort; }
same() {	# same NAME WANTFILE GOTFILE
	if [ -s "$2" ] && cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1" "expected $(wc -l <"$2") sums as in $2, got $(wc -l <"$3") in $3; first difference: $(diff "$2" "$3" | grep '^[<>]' | head -2 | tr '\n' '|')"; fi
}

# the host's tree: sizes 0 to 3 MiB, long names with spaces and mixed case
T=$D/tree
mkdir -p "$T/Sub Dir/Nested Deeper"
for s in 0 1 511 4096 102400 3145728; do head -c $s /dev/urandom >"$T/size-$s.bin"; done
echo lower >$T/lower.txt
echo upper >$T/UPPER.TXT
head -c 700 /dev/urandom >"$T/Long File Name With Spaces.txt"
head -c 5000 /dev/urandom >"$T/MixedCase.Data"
head -c 33 /dev/urandom >"$T/a.b.c.d.e"
head -c 9000 /dev/urandom >"$T/very_long_name_exceeding_eight_dot_three_by_far_0123456789.bin"
echo inner >"$T/Sub Dir/Nested Deeper/Inner File.txt"
head -c 70000 /dev/urandom >"$T/Sub Dir/Second.Extension.Longer"
host_sums $T | LC_ALL=C sort >$D/want-host

for off in 1 0; do
	other=$((1 - off))
	img=$D/fat-off$off.img
	mkfs.vfat -F 32 -n DUET -C $img 40960 >/dev/null 2>&1
	mcopy -s -i $img "$T/"* ::/

	n=fat-write-off$off
	qemu_virt $n 120 2 "init=/tests/disk-fat.sh offload=$off -- write" -initrd $INITRD $(blk $img 0)
	check_status $n 0
	check_log $n "$n-mounted" "fat vda: FAT32, [0-9]+ clusters of 512 bytes"
	check_log $n "$n-df" "^df /dev/vda sizes-ok"
	check_log $n "$n-poweroff-sync" "disks: synced before power-off"	# no umount: this writes it all
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
	guest_sums $n 1 >$D/got-host-$off
	same $n-host-files $D/want-host $D/got-host-$off
	guest_sums $n 2 >$D/got-final-$off

	# the host: fsck.fat -n clean, mcopy reads the same files back
	if fsck.fat -n $img >$D/fsck-$off.txt 2>&1; then pass "$n-fsck-clean"; else
		fail "$n-fsck-clean" "expected fsck.fat -n to find nothing, got: $(grep -v '^fsck.fat\|^[0-9]* files' $D/fsck-$off.txt | head -3 | tr '\n' '|')"; fi
	rm -rf $D/back && mkdir $D/back
	mcopy -s -n -i $img ::/ $D/back/ 2>/dev/null
	host_sums $D/back/ | LC_ALL=C sort >$D/back-$off
	same $n-mcopy-back $D/got-final-$off $D/back-$off
	mdir -i $img ::/ >$D/mdir-$off.txt 2>&1
	if grep -q "Now A Much Longer Name.txt" $D/mdir-$off.txt; then pass "$n-mdir-long-name"; else
		fail "$n-mdir-long-name" "expected 'Now A Much Longer Name.txt' in mdir, got: $(head -5 $D/mdir-$off.txt | tr '\n' '|')"; fi

	n=fat-read-off$other
	qemu_virt $n 120 2 "init=/tests/disk-fat.sh offload=$other -- read" -initrd $INITRD $(blk $img 0)
	check_status $n 0
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
	guest_sums $n 1 >$D/got-read-$other
	same $n-files $D/back-$off $D/got-read-$other
done

# (4) corruption: range.bin's second FAT entry points past the end; vdb has 3 bytes per sector
bad=$D/bad.img
mkfs.vfat -F 32 -C $bad 40960 >/dev/null 2>&1
echo good >$D/good.txt
head -c 2048 /dev/urandom >$D/range.bin
mcopy -i $bad $D/good.txt $D/range.bin ::/
# first data cluster is the root (2), good.txt gets 3, range.bin 4..7
fat=$(($(od -An -tu2 -j14 -N2 $bad) * 512))
printf '\360\377\377\017' | dd of=$bad bs=1 seek=$((fat + 4 * 4)) conv=notrunc 2>/dev/null
bpb=$D/badbpb.img
cp $bad $bpb
printf '\003\000' | dd of=$bpb bs=1 seek=11 conv=notrunc 2>/dev/null
# and a FAT16 image on vdc (read and written in the same boot)
f16=$D/fat16.img
mkfs.vfat -F 16 -C $f16 20480 >/dev/null 2>&1
echo "from the host" >"$D/Host Made Fat16.txt"
mcopy -i $f16 "$D/Host Made Fat16.txt" ::/
n=fat-bad
qemu_virt $n 120 2 "init=/tests/disk-fat.sh offload=1 -- bad" -initrd $INITRD $(blk $bad 0) $(blk $bpb 1) $(blk $f16 2)
check_status $n 0
check_log $n "$n-done" "^bad disks done"
tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n-/"
check_log $n "$n-log-range" "fat vda: corrupted filesystem: FAT entry out of range at cluster 4"
check_log $n "$n-log-bpb" "fat vdb: corrupted filesystem: boot sector geometry"
check_no_log $n "$n-no-panic" 'panic|kernel exception'
check_log $n "$n-fat16-mounted" "fat vdc: FAT16, [0-9]+ clusters"
if fsck.fat -n $f16 >$D/fsck16.txt 2>&1; then pass "$n-fat16-fsck-clean"; else
	fail "$n-fat16-fsck-clean" "expected fsck.fat -n clean, got: $(sed -n 2,4p $D/fsck16.txt | tr '\n' '|')"; fi
got=$(mtype -i $f16 "::/Dir On Fat16/Written By Duet.txt" 2>&1)
if [ "$got" = "from duet" ]; then pass "$n-fat16-mtype"; else
	fail "$n-fat16-mtype" "expected 'from duet', got '$got'"; fi
want=$(tr -d '\r' <"$LOGDIR/$n.log" | sed -n 's/^fat16-sum //p')
got=$(mtype -i $f16 ::/big16.bin | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$got" ]; then pass "$n-fat16-big"; else
	fail "$n-fat16-big" "expected md5 '$want' (guest), got '$got' (mtype)"; fi
