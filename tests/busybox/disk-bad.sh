#!/bin/sh
# Init for tests/qemu/disk.sh: damaged disks must fail calls, not the kernel.
#   vda: ext2, superblock overwritten      -> mount fails
#   vdb: ext2, group descriptors overwritten -> mount fails
#   vdc: ext2, block pointers of /tree/big overwritten -> reading it fails
#   vdd: ext2, the block of directory /tree/sub overwritten -> listing it fails
#   vde: raw, the device fails reads of sector 2048 -> -EIO for that block only
ok() { echo "PASS $1"; }
no() { echo "FAIL $1: $2"; }
t() { n=$1; shift; if "$@" >/dev/null 2>&1; then ok $n; else no $n "'$*' failed"; fi; }
f() { n=$1; shift; if "$@" >/dev/null 2>&1; then no $n "'$*' succeeded"; else ok $n; fi; }
mkdir -p /mnt
f bad-super mount -t ext2 /dev/vda /mnt
f bad-groups mount -t ext2 /dev/vdb /mnt
t bad-inode-mount mount -t ext2 /dev/vdc /mnt
f bad-inode-read cat /mnt/tree/big
t bad-inode-others cat /mnt/tree/hello.txt
t bad-inode-umount umount /mnt
t bad-dir-mount mount -t ext2 /dev/vdd /mnt
t bad-dir-list sh -c '[ -z "$(ls /mnt/tree/sub 2>/dev/null)" ]'	# getdents fails: busybox ls lists nothing
f bad-dir-lookup cat /mnt/tree/sub/numbers
t bad-dir-others cat /mnt/tree/hello.txt
t bad-dir-umount umount /mnt
f eio-read dd if=/dev/vde of=/dev/null bs=4096 skip=256 count=1
t eio-others dd if=/dev/vde of=/dev/null bs=4096 count=1
dd if=/dev/vde of=/dev/null bs=4096 skip=256 count=1 2>&1 | grep -q 'I/O error' && ok eio-errno || no eio-errno "no 'I/O error' from dd"
echo "bad disks done"
