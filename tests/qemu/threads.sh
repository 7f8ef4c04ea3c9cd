#!/bin/sh
# Issue 10: threads, futexes, per-thread signals and timers (user/threadtest),
# in offload=1 and offload=0, then with clients=2 (SMP=3) where one
# process's threads run on two client harts at once: the same suite, and
# a munmap whose TLB shootdown makes a thread on the other hart fault.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=threads-off$off
	qemu_virt $n 180 2 "init=/bin/threadtest offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done

n=threads-clients2
qemu_virt $n 180 3 "init=/bin/threadtest clients=2 loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'

n=shootdown-clients2
qemu_virt $n 120 3 "init=/bin/threadtest clients=2 loglevel=warn -- shootdown" -initrd $INITRD
check_status $n 0
check_log $n "$n-other-hart" '^PASS reader-on-other-hart$'
check_log $n "$n-faults" '^PASS munmap-shootdown$'
