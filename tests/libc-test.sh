#!/bin/sh
# musl's libc-test, static and dynamic (docs/LIBC-TEST.md): only when LIBC_TEST=<dir>
# names a checkout (it is not in the repository and is never downloaded).
# Each mode passes when duet fails no test the qemu-user oracle passes,
# beyond the known exceptions listed in docs/LIBC-TEST.md.  Slow (about
# ten minutes a mode under load): `make libc-test`, or `make test LIBC_TEST=<dir>`.
. tests/lib.sh
if [ -z "${LIBC_TEST:-}" ] || [ ! -f "$LIBC_TEST/src/common/runtest.c" ]; then
	fail libc-test "expected LIBC_TEST=<libc-test checkout>, got '${LIBC_TEST:-}'"
	exit 1
fi
out=$LOGDIR/libc-test.txt
LIBC_TEST=$LIBC_TEST BUILD=$BUILD sh scripts/libc-test.sh >"$out" 2>&1
grep -E '^libc-test' "$out"
# the known exceptions: what duet lacks beyond this issue (docs/LIBC-TEST.md);
# none since session 3's shared file mappings and /dev/shm
known=""
for k in static dynamic; do
for m in offload=1 offload=0 clients=2; do
	n=libc-test-$k-$(echo $m | tr = -)
	if ! grep -q "^libc-test $k ($m): [0-9]* passed" "$out"; then
		fail $n "no summary for $k $m in $out"
		continue
	fi
	bad=""
	for b in $(sed -n "/^libc-test $k ($m)/,/^libc-test [a-z]* (/s/^  REGRESSION vs oracle: //p" "$out"); do
		echo "$known" | tr ' ' '\n' | grep -qx "$b" || bad="$bad $b"
	done
	if [ -z "$bad" ]; then pass $n; else fail $n "fails what the oracle passes:$bad"; fi
done
done
