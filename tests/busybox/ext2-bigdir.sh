#!/bin/sh
# Init for tests/qemu/ext2dir.sh: a directory of 10 000 entries on ext2
# (/dev/vda mounted on /mnt).
#   make: create f1..f10000 in one directory, list and count them, look
#         names up, remove the odd half, rename one, umount
#   read: (next boot) count again, look up survivors and removed names
mkdir -p /mnt && mount -t ext2 /dev/vda /mnt || { echo "mount failed"; exit 1; }
case "$1" in
make)
	mkdir /mnt/big && cd /mnt/big || exit 1
	i=1
	while [ $i -le 10000 ]; do : >f$i; i=$((i + 1)); done
	echo "created $(ls | wc -l)"
	[ -e f7777 ] && echo "lookup f7777 found"
	[ -e f10001 ] || echo "lookup f10001 absent"
	# a glob of 5000 names would pass duet's exec argument limit: xargs batches
	ls | grep '[13579]$' | xargs -n 250 rm || echo "xargs rm failed: $?"
	echo "after-rm $(ls | wc -l)"
	[ -e f7777 ] || echo "lookup f7777 gone"
	mv f5000 renamed5000 && [ -e renamed5000 ] && [ ! -e f5000 ] && echo "rename ok"
	: >f7777 && echo "recreated f7777"
	echo "final $(ls | wc -l)"
	;;
read)
	cd /mnt/big || exit 1
	echo "count $(ls | wc -l)"
	[ -e f9998 ] && [ -e renamed5000 ] && [ -e f7777 ] && echo "survivors found"
	[ -e f9999 ] || [ -e f5000 ] || echo "removed absent"
	;;
esac
cd / && umount /mnt && echo "umount ok"
