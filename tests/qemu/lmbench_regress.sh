#!/bin/sh
# What lmbench's programs did that duet got wrong (docs/BENCHMARKS.md,
# "lmbench in duet"), reproduced by user/lmbregress: lat_select's 100 dups
# of one file and select() on them, FD_CLOEXEC above fd 63.  Both modes.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=lmbregress-off$off
	qemu_virt $n 120 2 "init=/bin/lmbregress offload=$off loglevel=warn" -initrd $INITRD
	check_log $n "$n-select-100-fds" '^PASS select-100-fds$'
	check_log $n "$n-cloexec-high-fd" '^PASS cloexec-high-fd-exec$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done
