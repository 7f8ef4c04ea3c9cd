#!/bin/sh
# Init for tests/qemu/disk.sh: partitions.  vda has an MBR (vda1, vda2:
# ext2), vdb a GPT (vdb1: ext2, vdb2); both ext2 were made from the tree of
# tests/busybox/ext2-tree.sh; vdc is an ext4 image (mke2fs -t ext4 -d, the
# tree with its sparse file): read through extents, never written.
ok() { echo "PASS $1"; }
no() { echo "FAIL $1: $2"; }
t() { n=$1; shift; if "$@" >/tmp/out 2>&1; then ok $n; else no $n "'$*' failed: $(head -c 200 /tmp/out)"; fi; }
sh /tests/ext2-tree.sh /tmp/want
mkdir -p /mnt
t nodes ls /dev/vda1 /dev/vda2 /dev/vdb1 /dev/vdb2
t mbr-size sh -c '[ $(dd if=/dev/vda1 bs=65536 2>/dev/null | wc -c) = 4194304 ]'
t mbr-mount mount -t ext2 /dev/vda2 /mnt
t mbr-tree diff -r /tmp/want/tree /mnt/tree
t mbr-write sh -c 'echo on-mbr >/mnt/note'
t mbr-umount umount /mnt
t gpt-mount mount -t ext2 /dev/vdb1 /mnt
t gpt-tree diff -r /tmp/want/tree /mnt/tree
t gpt-write sh -c 'echo on-gpt >/mnt/note'
t gpt-umount umount /mnt
sh /tests/ext2-tree.sh /tmp/want4 frag
t ext4-mount mount -t ext4 /dev/vdc /mnt
t ext4-tree diff -r /tmp/want4/tree /mnt/tree
t ext4-readonly sh -c 'touch /mnt/x 2>&1 | grep -q "Read-only file system"'
t ext4-umount umount /mnt
echo "partitions done"
