#!/bin/sh
# Makes the tree of the ext2 test in $1: run by the host (for mke2fs -d)
# and by the guest (to compare), so both sides have the same files.
mkdir -p "$1/tree/sub/deeper"
cd "$1/tree" || exit 1
echo hello >hello.txt
seq 1 60000 >big	# 339 KB: past the single-indirect block with 1 KiB blocks
seq 1 5000 >sub/numbers
ln -s ../hello.txt sub/link
: >empty
echo deep >sub/deeper/f
