#!/bin/sh
# Host tests of the ChaCha20 generator (RFC 8439 vectors, the pool's
# reseeding) and the RTC's calendar code, under ASan and UBSan; then a copy
# built with one ChaCha20 rotation wrong must fail the RFC vectors.  Prints PASS/FAIL lines.
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
rc=$?
# negative control: one ChaCha20 rotation wrong must fail all three RFC vectors
gcc -O1 -g -Wall -Wextra -Werror -DHOST -DBROKEN_CHACHA -I. \
	tests/host/test_random.c kernel/chacha20.c kernel/calendar.c kernel/random.c -o "$out-broken" || {
	echo "FAIL random_negative_control_build: gcc failed"
	exit 1
}
n=$("$out-broken" 2>&1 | grep -c '^FAIL rfc8439_')
if [ "$n" -eq 3 ]; then
	echo "PASS random_negative_control: a wrong rotation fails the 3 RFC 8439 vectors"
else
	echo "FAIL random_negative_control: a broken ChaCha20 failed $n of the 3 RFC 8439 vectors"
	rc=1
fi
exit $rc
