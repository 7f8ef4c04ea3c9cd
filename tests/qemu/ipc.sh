#!/bin/sh
# System V IPC (message queues, semaphores, shared memory) and shared
# futexes between processes (user/ipctest), in offload=1 and offload=0,
# and with clients=2 (SMP=3), where parent and child run on two client harts.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=ipc-off$off
	qemu_virt $n 150 2 "init=/bin/ipctest offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done

n=ipc-clients2
qemu_virt $n 150 3 "init=/bin/ipctest clients=2 loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'
