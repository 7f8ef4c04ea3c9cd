#!/bin/sh
# Runs inside duet (tests/qemu/dynamic.sh boots it as init): every program
# of docs/DYNAMIC.md's tests, its PASS/FAIL lines prefixed with its name,
# then "N passed, N failed" over all of them.
pass=0
fail=0
for p in libctest-glibc-static libctest-glibc libctest-musl dyntest-musl dyntest-glibc mmaptest; do
	/bin/$p >/tmp/$p.out 2>&1
	st=$?
	sed -n "s/^\(PASS\|FAIL\) /\1 $p:/p" /tmp/$p.out
	grep -v '^PASS ' /tmp/$p.out | sed "s/^/$p: /"
	n=$(grep -c '^PASS ' /tmp/$p.out)
	f=$(grep -c '^FAIL ' /tmp/$p.out)
	if [ "$st" = 0 ] && [ "$n" -gt 0 ]; then
		echo "PASS $p-exit"
		n=$((n + 1))
	else
		echo "FAIL $p-exit: expected status 0 and PASS lines, got status $st, $n PASS"
		f=$((f + 1))
	fi
	pass=$((pass + n))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
