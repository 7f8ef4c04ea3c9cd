#!/bin/sh
# Host tests of the ramfs VFS and the cpio unpacker, under ASan and UBSan.
# Prints PASS/FAIL lines; exits non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
out=$BUILD/host/test_vfs
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -DHOST -I. \
	tests/host/test_vfs.c kernel/fs/ramfs.c kernel/cpio.c -o "$out" || {
	echo "FAIL vfs_build: gcc failed"
	exit 1
}
ASAN_OPTIONS=detect_leaks=1 "$out"
