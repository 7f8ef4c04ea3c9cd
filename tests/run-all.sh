#!/bin/sh
# Runs every test group and prints the total as "N passed, N failed".
# A group is an executable tests/host/run.sh or tests/qemu/*.sh printing
# PASS/FAIL lines.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/test-logs"
out=$BUILD/test-logs/all.txt
: >"$out"
for t in tests/host/run*.sh tests/qemu/*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	sh "$t" 2>&1 | tee -a "$out" | grep -E '^(PASS|FAIL) ' || true
done
# musl's libc-test is not in the repository: with LIBC_TEST=<checkout>
# (make test LIBC_TEST=...) it runs as one more group, else say so plainly
if [ -n "${LIBC_TEST:-}" ]; then
	echo "== tests/libc-test.sh (LIBC_TEST=$LIBC_TEST)"
	sh tests/libc-test.sh 2>&1 | tee -a "$out" | grep -E '^(PASS|FAIL) ' || true
else
	echo "== libc-test: SKIPPED, no checkout given (make test LIBC_TEST=<libc-test checkout> runs it; docs/LIBC-TEST.md)"
fi
p=$(grep -c '^PASS ' "$out")
f=$(grep -c '^FAIL ' "$out")
echo
grep '^FAIL ' "$out"
echo "$p passed, $f failed"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
