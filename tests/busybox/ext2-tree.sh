#!/bin/sh
# Makes the tree of the ext2 test in $1 ("$2" = frag: and a sparse file): run by the host (for mke2fs -d)
# and by the guest (to compare), so both sides have the same files.
mkdir -p "$1/tree/sub/deeper"
cd "$1/tree" || exit 1
echo hello >hello.txt
seq 1 60000 >big	# 339 KB: past the single-indirect block with 1 KiB blocks
seq 1 5000 >sub/numbers
ln -s ../hello.txt sub/link
: >empty
echo deep >sub/deeper/f
if [ "$2" = frag ]; then	# six runs with holes between: more extents than an inode holds
	for i in 0 1 2 3 4 5; do echo chunk$i | dd of=frag bs=1 seek=$((i * 65536)) conv=notrunc 2>/dev/null; done
fi
