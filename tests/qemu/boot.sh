#!/bin/sh
# Issue 2: boot with 1, 2 and 4 harts, roles, the IPI self-check, exit status.
. tests/lib.sh

for smp in 1 2 4; do
	n=boot-smp$smp
	start=$(date +%s)
	qemu_virt $n 60 $smp "selftest=1 loglevel=info"
	check_status $n 0
	[ $(( $(date +%s) - start )) -lt 60 ] && pass "$n-under-60s" || fail "$n-under-60s" "took too long"
	check_log $n "$n-selftest" '^selftest: PASS'
	if [ $smp = 1 ]; then
		check_log $n "$n-role0" '^duet: cpu 0 hart [0-9]+ role local$'
	else
		check_log $n "$n-role0" '^duet: cpu 0 hart [0-9]+ role client$'
		check_log $n "$n-role1" '^duet: cpu 1 hart [0-9]+ role server$'
		check_log $n "$n-ipis" '^selftest: 1000 IPIs sent, 1000 answered; round trip ticks min [0-9]+ median [0-9]+ max [0-9]+'
		check_log $n "$n-spin-rtt" '^selftest: shared-memory round trip \(both harts spinning\): [0-9]+ ns average'
	fi
	[ $smp = 4 ] && check_log $n "$n-role3" '^duet: cpu 3 hart [0-9]+ role parked$'
	check_log $n "$n-printk-format" '^\[ *[0-9]+\.[0-9]{6} INFO  cpu[0-9]\] mm: ram '
	check_no_log $n "$n-no-panic" 'panic|ERROR'
done

# the test-only fault switch: one IPI answer is dropped, QEMU must exit non-zero
qemu_virt boot-fail 60 2 "selftest=1 selftest_fail=1"
if [ "$QEMU_STATUS" != 0 ] && [ "$QEMU_STATUS" != 124 ]; then pass boot-fail-status; else
	fail boot-fail-status "expected a non-zero, non-timeout exit status, got $QEMU_STATUS"; fi
check_log boot-fail boot-fail-report '^selftest: FAIL'

# an unexpected kernel exception, on either hart: registers, a symbolised
# backtrace, non-zero exit
for cpu in 0 1; do
	n=kernel-fault-cpu$cpu
	qemu_virt $n 60 2 "crash_test=$((cpu + 1)) init=/bin/spin -- 5" -initrd $BUILD/initramfs.cpio
	if [ "$QEMU_STATUS" != 0 ] && [ "$QEMU_STATUS" != 124 ]; then pass $n-status; else
		fail $n-status "expected a non-zero, non-timeout exit status, got $QEMU_STATUS"; fi
	check_log $n "$n-frame" "ERROR cpu$cpu\\] sepc [0-9a-f]+ \\(crash_test_fault\\+0x[0-9a-f]+\\) scause d stval 0+8"
	check_log $n "$n-regs" "ERROR cpu$cpu\\] ra +[0-9a-f]+ sp +[0-9a-f]+ gp"
	check_log $n "$n-caller" "ERROR cpu$cpu\\] called from ra [0-9a-f]+ \\(role_main\\+0x[0-9a-f]+\\)"
	check_log $n "$n-backtrace" "ERROR cpu$cpu\\]   #0 [0-9a-f]+ [a-z_]+\\+0x"
	check_log $n "$n-panic" 'panic: unexpected kernel exception 13'
done
