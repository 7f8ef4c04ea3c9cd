#!/bin/sh
# Host tests of ChaCha20 (RFC 8439 vectors), the generator (kernel/crng.c)
# and the calendar (kernel/calendar.c), under ASan and UBSan; then the same
# test built with one ChaCha20 rotation wrong must fail the RFC vectors.
# Prints PASS/FAIL lines; exits non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
SRC="tests/host/test_random.c kernel/chacha20.c kernel/crng.c kernel/calendar.c"
FLAGS="-O1 -g -std=gnu11 -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra -Werror -DHOST -I."
out=$BUILD/host/test_random
# shellcheck disable=SC2086
gcc $FLAGS $SRC -o "$out" || { echo "FAIL random_build: gcc failed"; exit 1; }
"$out"
rc=$?
# shellcheck disable=SC2086
if gcc $FLAGS -DBROKEN_CHACHA $SRC -o "$out-broken"; then
	if "$out-broken" | grep -q '^FAIL .*RFC 8439'; then
		echo "PASS random_negative_control: a wrong rotation fails the RFC vectors"
	else
		echo "FAIL random_negative_control: a broken ChaCha20 passed the RFC vectors"
		rc=1
	fi
else
	echo "FAIL random_negative_control: build failed"
	rc=1
fi
exit $rc
