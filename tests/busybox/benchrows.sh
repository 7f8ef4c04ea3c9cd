#!/bin/sh
# lmbench's rows of /bin/bench, a few iterations each: booted as init by
# tests/qemu/benchrows.sh (a smoke run: the figures are make bench's).
for b in read_zero:200 stat:100 fstat:200 select:20 siginstall:200 sigcatch:100 \
	pagefault:256 mmapfile:10 ctx2:100 ctx8:100; do
	/bin/bench "${b%%:*}" "${b#*:}"
	echo "exit ${b%%:*} $?"
done
