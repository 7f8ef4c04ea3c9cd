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
p=$(grep -c '^PASS ' "$out")
f=$(grep -c '^FAIL ' "$out")
echo
grep '^FAIL ' "$out"
echo "$p passed, $f failed"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
