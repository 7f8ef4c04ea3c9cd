#!/bin/sh
# Issue 12: an ext2 directory of 10 000 entries.  duet creates them in one
# directory, lists them, removes half, renames one (offload=1); the host's
# e2fsck -fn is clean and debugfs sees the same names; the next boot
# (offload=0) builds the name index from the disk and finds the survivors.
# Lookups go through the in-memory name index (kernel/fs/ext2.c): the read
# boot checks its log line (built from the disk's blocks: 5001 names, "."
# and ".."), since a linear scan gives the same answers, only slower.
. tests/lib.sh

T=$BUILD/test-ext2dir
rm -rf "$T" && mkdir -p "$T"
INITRD=$BUILD/initramfs.cpio
img=$T/big.img
mke2fs -q -F -t ext2 -N 16384 "$img" 64M

n=ext2dir-make
qemu_virt $n 240 2 "init=/tests/ext2-bigdir.sh offload=1 loglevel=info -- make" -initrd "$INITRD" \
	-drive file="$img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
check_status $n 0
check_log $n "$n-created" '^created 10000$'
check_log $n "$n-found" '^lookup f7777 found$'
check_log $n "$n-absent" '^lookup f10001 absent$'
check_log $n "$n-after-rm" '^after-rm 5000$'
check_log $n "$n-gone" '^lookup f7777 gone$'
check_log $n "$n-rename" '^rename ok$'
check_log $n "$n-final" '^final 5001$'
check_log $n "$n-umount" '^umount ok$'
check_no_log $n "$n-no-panic" 'panic|ERROR|corrupted'

if e2fsck -fn "$img" >"$LOGDIR/$n-e2fsck.log" 2>&1; then pass "$n-e2fsck"; else
	fail "$n-e2fsck" "expected e2fsck -fn clean, got: $(tail -3 "$LOGDIR/$n-e2fsck.log" | tr '\n' '|')"; fi
# (ls -p also lists a block's first entry once freed: inode 0)
names=$(debugfs -R 'ls -p /big' "$img" 2>/dev/null | awk -F/ 'NF > 5 && $2 != 0 && $6 != "." && $6 != ".." { print $6 }' | sort)
got=$(echo "$names" | grep -c .)
if [ "$got" = 5001 ]; then pass "$n-host-count"; else fail "$n-host-count" "expected 5001 names in /big, got $got"; fi
want=$( (seq 2 2 10000 | sed 's/^/f/' | grep -vx f5000; echo renamed5000; echo f7777) | sort)
if [ "$names" = "$want" ]; then pass "$n-host-names"; else
	fail "$n-host-names" "expected f2,f4..f10000 (f5000 renamed), renamed5000, f7777; got others"; fi

n=ext2dir-read
qemu_virt $n 180 2 "init=/tests/ext2-bigdir.sh offload=0 loglevel=info -- read" -initrd "$INITRD" \
	-drive file="$img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
check_status $n 0
check_log $n "$n-count" '^count 5001$'
check_log $n "$n-survivors" '^survivors found$'
check_log $n "$n-removed" '^removed absent$'
check_log $n "$n-indexed" '\] ext2 vda: directory inode [0-9]+ indexed: 5003 names'
check_no_log $n "$n-no-panic" 'panic|ERROR|corrupted'
rm -f "$img"
