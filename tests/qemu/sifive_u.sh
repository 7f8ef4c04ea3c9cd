#!/bin/sh
# Issue 5: QEMU sifive_u -smp 5, the stand-in for the U740's topology: hart 0
# is an E51 without an MMU (skipped), harts 1-4 are U54s; the boot hart is
# whichever U54 OpenSBI's lottery picked.  OpenSBI has no shutdown device
# there, so the kernel ends with "duet: no shutdown device; halted with
# status N" and waits in wfi: we watch the log for that line and stop QEMU
# ourselves.  No such line within the timeout is a failure.
. tests/lib.sh

# a tiny initramfs: QEMU passes it in /chosen as it would the real one
T=$BUILD/test-sifive_u
rm -rf "$T" && mkdir -p "$T/rootfs/etc"
echo "duet sifive_u test" >"$T/rootfs/etc/sifive_u-test"
(cd "$T/rootfs" && find . | sort | cpio -o -H newc --quiet) >"$T/initramfs.cpio"

su() {
	qemu_until "$1" 45 "$HALT_RE" -M sifive_u -smp 5 -m 2G -nographic -bios default \
		-kernel "$KERNEL" -append "$2" -initrd "$T/initramfs.cpio"
}

n=sifive_u-smp5
su $n "selftest=1 loglevel=info"
if [ $SEEN = 1 ]; then pass "$n-halt-line"; else
	fail "$n-halt-line" "expected a line matching '$HALT_RE' within 45 s, got: $(tr -d '\r' <"$LOGDIR/$n.log" | tail -3 | tr '\n' '|')"; fi
[ "$ELAPSED" -lt 60 ] && pass "$n-under-60s" || fail "$n-under-60s" "expected under 60 s, took $ELAPSED s"
check_log $n "$n-status-0" '^duet: no shutdown device; halted with status 0$'
check_log $n "$n-model" '^duet: booting on hart [1-4], SiFive HiFive Unleashed A00$'
check_log $n "$n-hart0-skipped" '(^|\] )duet: hart 0 skipped \(no MMU\)$'
check_log $n "$n-role0" '^duet: cpu 0 hart 1 role client$'
check_log $n "$n-role1" '^duet: cpu 1 hart 2 role server$'
check_log $n "$n-role2" '^duet: cpu 2 hart 3 role parked$'
check_log $n "$n-role3" '^duet: cpu 3 hart 4 role parked$'
check_no_log $n "$n-no-hart0-role" '^duet: cpu [0-9]+ hart 0 role'
check_log $n "$n-selftest" '^selftest: PASS$'
check_log $n "$n-ipis" '^selftest: 1000 IPIs sent, 1000 answered'
check_log $n "$n-initrd" 'initramfs: [1-9][0-9]* entries'
# the SD slot (spi@10050000, mmc@0) is probed; without -drive if=sd it is empty
check_log $n "$n-sd-slot-empty" '\] mmc_spi: spi 0x10050000 cs 0: no card \(no answer to CMD0\)$'
check_no_log $n "$n-no-panic" 'panic|ERROR'
# the status line is the last thing the kernel prints
last=$(tr -d '\r' <"$LOGDIR/$n.log" | grep -v '^qemu-system-riscv64: terminating on signal' | grep -v '^$' | tail -1)
if echo "$last" | grep -Eq "$HALT_RE"; then pass "$n-halt-is-last"; else
	fail "$n-halt-is-last" "expected the halt line last, got '$last'"; fi
hart=$(tr -d '\r' <"$LOGDIR/$n.log" | sed -n 's/^duet: booting on hart \([0-9]*\),.*/\1/p')
echo "# $n: boot hart $hart, status line after ${ELAPSED_MS} ms"

# the failing self-check: the same line carries a non-zero status
n=sifive_u-fail
su $n "selftest=1 selftest_fail=1"
check_log $n "$n-report" '^selftest: FAIL'
check_log $n "$n-status" '^duet: no shutdown device; halted with status [1-9][0-9]*$'

# the offload syscall test programs on the U740's topology (cpu 0 = hart 1
# client, cpu 1 = hart 2 server), with the real initramfs, in both modes
for off in 1 0; do
	for prog in systest tasks; do
		n=sifive_u-$prog-off$off
		qemu_until $n 90 "$HALT_RE" -M sifive_u -smp 5 -m 2G -nographic -bios default \
			-kernel "$KERNEL" -append "init=/bin/$prog offload=$off loglevel=warn" \
			-initrd "$BUILD/initramfs.cpio"
		check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
		check_log $n "$n-init-exit" '^init exited: status 0$'
		check_log $n "$n-halt" '^duet: no shutdown device; halted with status 0$'
	done
done
