#!/bin/sh
# Init for tests/qemu/disk.sh: an ext2 image on /dev/vda (made on the host
# with mke2fs -d from the tree tests/busybox/ext2-tree.sh makes; the guest
# makes the same tree in /tmp/want to compare).
#   write: mount, compare with the tree, change things, umount
#   read:  (next boot) mount again and check what the first boot left
ok() { echo "PASS $1"; }
no() { echo "FAIL $1: $2"; }
t() {	# t NAME COMMAND...: PASS if the command succeeds
	[ -n "$TIMING" ] && cut -d" " -f1 /proc/uptime
	n=$1; shift
	if "$@" >/tmp/out 2>&1; then ok $n; else no $n "'$*' failed: $(head -c 200 /tmp/out)"; fi
}
[ "$2" = timing ] && TIMING=1
mkdir -p /mnt
sh /tests/ext2-tree.sh /tmp/want
t mount mount -t ext2 /dev/vda /mnt
case "$1" in
write)
	t tree-equal diff -r /tmp/want/tree /mnt/tree
	t proc-mounts grep -q '^/dev/vda /mnt ext2 ' /proc/mounts
	df /mnt | awk 'NR == 2 { print "df", $1, ($2 > 0 && $4 > 0) ? "sizes-ok" : "sizes-bad" }'
	t write-new sh -c 'echo "new file on ext2" > /mnt/new.txt'
	t mkdir mkdir -p /mnt/d1/d2
	t rename mv /mnt/new.txt /mnt/d1/d2/moved.txt
	t link ln /mnt/d1/d2/moved.txt /mnt/hard
	t symlink ln -s d1/d2/moved.txt /mnt/soft
	t readlink sh -c '[ "$(readlink /mnt/soft)" = d1/d2/moved.txt ]'
	t via-symlink sh -c '[ "$(cat /mnt/soft)" = "new file on ext2" ]'
	t chmod chmod 640 /mnt/hard
	t chown chown 1234:567 /mnt/hard
	t touch-date touch -d '2001-02-03 04:05:06' /mnt/hard
	i=0
	while [ $i -lt 300 ]; do : >/mnt/d1/entry-$i; i=$((i + 1)); done
	t many-entries sh -c '[ $(ls /mnt/d1 | wc -l) = 301 ]'
	t unlink-many rm $(seq 0 3 299 | sed 's|^|/mnt/d1/entry-|')
	t unlink-some sh -c '[ $(ls /mnt/d1 | wc -l) = 201 ]'
	t rmdir-nonempty sh -c '! rmdir /mnt/d1 2>/dev/null'
	t rmdir sh -c 'mkdir /mnt/gone && rmdir /mnt/gone && [ ! -e /mnt/gone ]'
	# sparse: 1 byte at 64 MiB (through the double-indirect block), then 4 KiB at 300 MiB
	t sparse-write sh -c 'echo x | dd of=/mnt/sparse bs=1 seek=67108864 2>/dev/null && head -c 4096 /tmp/want/tree/big | dd of=/mnt/sparse bs=4096 seek=76800 conv=notrunc 2>/dev/null'
	t sparse-size sh -c '[ $(stat -c %s /mnt/sparse) = 314576896 ]'
	t sparse-hole sh -c '[ "$(dd if=/mnt/sparse bs=4096 skip=1000 count=1 2>/dev/null | wc -c)" = 4096 ] && [ "$(dd if=/mnt/sparse bs=4096 skip=1000 count=1 2>/dev/null | tr -d "\\000" | wc -c)" = 0 ]'
	# past 1 GiB: triple-indirect blocks with 1 KiB blocks, i_size_high with 4 KiB
	t big-sparse sh -c 'echo far | dd of=/mnt/far bs=1 seek=1100000000 2>/dev/null && [ $(stat -c %s /mnt/far) = 1100000004 ]'
	t truncate-shrink sh -c 'cp /tmp/want/tree/big /mnt/trunc && truncate -s 5000 /mnt/trunc && [ $(stat -c %s /mnt/trunc) = 5000 ] && head -c 5000 /tmp/want/tree/big | cmp - /mnt/trunc'
	t big-copy cp /tmp/want/tree/big /mnt/big2
	t fsync-file sh -c 'echo synced | dd of=/mnt/fsynced conv=fsync 2>/dev/null'
	t umount umount /mnt
	t umounted sh -c '[ ! -e /mnt/hard ]'
	t remount mount -t ext2 /dev/vda /mnt
	t after-remount cmp /tmp/want/tree/big /mnt/big2
	;;
read)
	t moved sh -c '[ "$(cat /mnt/d1/d2/moved.txt)" = "new file on ext2" ]'
	t hard-link sh -c '[ $(stat -c %h /mnt/hard) = 2 ] && [ $(stat -c %i /mnt/hard) = $(stat -c %i /mnt/d1/d2/moved.txt) ]'
	t perms sh -c '[ "$(stat -c %a:%u:%g /mnt/hard)" = 640:1234:567 ]'
	t mtime sh -c '[ "$(stat -c %Y /mnt/hard)" = "$(date -d "2001-02-03 04:05:06" +%s)" ]'
	t symlink-kept sh -c '[ "$(readlink /mnt/soft)" = d1/d2/moved.txt ]'
	t entries-kept sh -c '[ $(ls /mnt/d1 | wc -l) = 201 ] && [ -e /mnt/d1/entry-299 ] && [ ! -e /mnt/d1/entry-297 ]'
	t sparse-kept sh -c '[ $(stat -c %s /mnt/sparse) = 314576896 ] && [ "$(dd if=/mnt/sparse bs=1 skip=67108864 count=1 2>/dev/null)" = x ]'
	t sparse-tail sh -c '[ "$(dd if=/mnt/sparse bs=4096 skip=76800 2>/dev/null | md5sum)" = "$(head -c 4096 /tmp/want/tree/big | md5sum)" ]'
	t big-kept cmp /tmp/want/tree/big /mnt/big2
	t big-sparse-kept sh -c '[ "$(dd if=/mnt/far bs=1 skip=1100000000 2>/dev/null)" = far ]'
	t big-sparse-truncate sh -c 'truncate -s 0 /mnt/far && [ $(stat -c %s /mnt/far) = 0 ]'	# frees the triple-indirect tree
	t fsynced-kept sh -c '[ "$(cat /mnt/fsynced)" = synced ]'
	t tree-kept diff -r /tmp/want/tree /mnt/tree
	t rm-all rm -rf /mnt/d1 /mnt/big2 /mnt/sparse /mnt/far
	t umount umount /mnt
	;;
esac
echo "ext2 $1 done"
