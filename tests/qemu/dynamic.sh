#!/bin/sh
# Issue 11: the vDSO, glibc programs (static and dynamic), musl dynamic
# programs and dlopen, in both offload modes and with clients=2.  The programs run inside one
# boot per mode (tests/dyn/dynamic.sh as init); their lines are prefixed.
. tests/lib.sh
trap '' PIPE
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=dynamic-off$off
	qemu_virt $n 180 2 "init=/tests/dynamic.sh offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"
done

# two client cpus (clients=2 on 3 harts): forked children land on either
n=dynamic-clients2
qemu_virt $n 180 3 "init=/tests/dynamic.sh clients=2 loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'
