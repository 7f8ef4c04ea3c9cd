#!/bin/sh
# Host tests of the access checks (kernel/perm.c, kernel/cred.c) over the
# real ramfs walk, under ASan and UBSan.  Prints PASS/FAIL lines; exits
# non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
out=$BUILD/host/test_perm
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -DHOST -I. \
	tests/host/test_perm.c kernel/fs/ramfs.c kernel/perm.c kernel/cred.c -o "$out" || {
	echo "FAIL perm_build: gcc failed"
	exit 1
}
ASAN_OPTIONS=detect_leaks=1 "$out"
