#!/bin/sh
# Hostile system calls (user/fuzz.c) must never bring the kernel down:
# fixed seeds so a failure reproduces, both offload modes.  Afterwards the
# program checks that fork, exec, pipes and files still work.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	for seed in 0x1234567 0xdeadbeef 11 "21 all" "0x7ead threads"; do
		n=fuzz-off$off-$(echo "$seed" | tr ' ' '-')
		qemu_virt $n 180 2 "init=/bin/fuzz offload=$off loglevel=error -- 40 5000 $seed" -initrd $INITRD
		check_status $n 0
		check_log $n "$n-survives" '^PASS kernel-survives-fuzz$'
		check_no_log $n "$n-no-panic" 'panic|kernel exception'
	done
done
