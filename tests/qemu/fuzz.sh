#!/bin/sh
# Hostile system calls (user/fuzz.c) must never bring the kernel down:
# fixed seeds so a failure reproduces, both offload modes.  Afterwards the
# program checks that fork, exec, pipes and files still work.  The "user"
# seeds fuzz as uid 1000 (issue 13): nothing may gain privilege.
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
	for args in "20 5000 0x5eed user" "10 5000 0xace all,user"; do
		n=fuzz-off$off-$(echo "$args" | cut -d' ' -f3- | tr ' ,' '--')
		qemu_virt $n 180 2 "init=/bin/fuzz offload=$off loglevel=error -- $args" -initrd $INITRD
		check_status $n 0
		check_log $n "$n-survives" '^PASS kernel-survives-fuzz$'
		check_log $n "$n-gains-nothing" '^PASS user-gains-nothing$'
		check_no_log $n "$n-no-panic" 'panic|kernel exception'
	done
done
