#!/bin/sh
# Host tests of the ChaCha20 generator (RFC 8439 vectors, the pool's
# reseeding) and the RTC's calendar code, under ASan and UBSan.  Prints PASS/FAIL lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
out=$BUILD/host/test_random
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -DHOST -I. \
	tests/host/test_random.c kernel/chacha20.c kernel/calendar.c kernel/random.c -o "$out" || {
	echo "FAIL random_build: gcc failed"
	exit 1
}
"$out"
