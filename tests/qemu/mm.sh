#!/bin/sh
# Issue 11, memory: demand-zero anonymous memory and brk, the overcommit
# heuristic, the OOM kill, fork over lazy pages, threads faulting on two
# client harts (user/mmtest), in offload=1, offload=0 and clients=2.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for mode in "offload=1" "offload=0" "clients=2"; do
	n=mm-$(echo $mode | tr -d =)
	smp=2; [ "$mode" = clients=2 ] && smp=3
	qemu_virt $n 180 $smp "init=/bin/mmtest $mode loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_log $n "$n-oom-line" 'Out of memory: killed process [0-9]+ \(mmtest\)'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done
