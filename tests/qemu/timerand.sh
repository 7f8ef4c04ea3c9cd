#!/bin/sh
# Issue 9: the wall clock and the entropy device, in both offload modes.
# QEMU virt (goldfish RTC, DTB rng-seed, virtio-rng-device): /tests/clock.sh
# runs user/timerand and busybox date/hwclock inside duet; here we check
# that the guest's clock agreed with the host's, and that two boots gave
# different random bytes.  With QEMU's RTC started at a chosen date
# (-rtc base=) the guest's clock follows the register.  QEMU sifive_u (no
# RTC, no rng-seed): the clock starts at the epoch and says so, and the
# generator is seeded from timing jitter alone, again different on two boots.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

# prefixed PASS/FAIL lines of the guest, so the totals count them
guest_lines() { tr -d '\r' <"$LOGDIR/$1.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $1:/"; }
# hex_of NAME TAG: the hex the guest printed after TAG
hex_of() { tr -d '\r' <"$LOGDIR/$1.log" | sed -n "s/^$2 \([0-9a-f]*\)$/\1/p" | head -1; }

# differ TESTNAME A B: two non-empty values that must differ
differ() {
	if [ -n "$2" ] && [ -n "$3" ] && [ "$2" != "$3" ]; then pass "$1"; else
		fail "$1" "expected two different non-empty values, got [$2] and [$3]"; fi
}

for off in 1 0; do
	n=timerand-off$off
	t0=$(date +%s)
	qemu_virt $n 240 2 "init=/tests/clock.sh offload=$off loglevel=info -- rtc" -initrd "$INITRD"
	t1=$(date +%s)
	check_status $n 0
	check_log $n "$n-rtc-boot-line" '\] rtc: goldfish at 0x101000: 2[0-9]{3}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC$'
	check_log $n "$n-random-ready" '\] random: ChaCha20 generator, 32 bytes of DTB rng-seed, 256 bits credited, ready$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_log $n "$n-busybox-summary" '^clock.sh: [0-9]+ passed, 0 failed$'
	guest_lines $n
	# the guest's `date +%s` at the start of init lies between the host's
	# clock before QEMU started and after it ended (2 s slack for rounding)
	g=$(tr -d '\r' <"$LOGDIR/$n.log" | sed -n 's/^DATE_S \([0-9]*\)$/\1/p')
	if [ -n "$g" ] && [ "$g" -ge $((t0 - 2)) ] && [ "$g" -le $((t1 + 2)) ]; then
		pass "$n-date-matches-host"
	else
		fail "$n-date-matches-host" "expected guest date +%s within [$((t0 - 2)), $((t1 + 2))], got '$g'"
	fi
	eval "rnd_$off=\$(hex_of $n GETRANDOM_HEX) aux_$off=\$(hex_of $n AT_RANDOM_HEX)"
done
differ timerand-two-boots-getrandom "$rnd_1" "$rnd_0"
differ timerand-two-boots-at-random "$aux_1" "$aux_0"

# The clock comes from the RTC's register: QEMU starts the RTC at a date
# of our choosing (-rtc base=) and the guest's date follows it.
for off in 1 0; do
	n=timerand-rtc-base-off$off
	qemu_virt $n 120 2 "init=/bin/busybox offload=$off loglevel=info -- date -u +%F_%H" \
		-initrd "$INITRD" -rtc base=2031-02-03T04:05:06
	check_status $n 0
	check_log $n "$n-boot-line" '\] rtc: goldfish at 0x101000: 2031-02-03 04:0[5-9]:[0-9]{2} UTC$'
	check_log $n "$n-date" '^2031-02-03_04$'
done

# sifive_u: no shutdown device, so stop QEMU once init has exited
HALT_RE='^duet: no shutdown device; halted with status [0-9]+$'
sifive_u_run() {
	name=$1 off=$2 log=$LOGDIR/$1.log
	timeout -k 5 240 qemu-system-riscv64 -M sifive_u -smp 5 -m 2G -nographic -bios default \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "init=/tests/clock.sh offload=$off loglevel=info -- nortc" </dev/null >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null && ! tr -d '\r' <"$log" | grep -Eq "$HALT_RE"; do
		sleep 0.5
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}
for off in 1 0; do
	n=timerand-sifive_u-off$off
	sifive_u_run $n $off
	check_log $n "$n-no-rtc-boot-line" '\] rtc: none on this machine; the wall clock starts at the epoch \(1970-01-01\)$'
	check_log $n "$n-random-jitter-ready" '\] random: ChaCha20 generator, 0 bytes of DTB rng-seed, 256 bits credited, ready$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_log $n "$n-busybox-summary" '^clock.sh: [0-9]+ passed, 0 failed$'
	check_log $n "$n-status-0" '^duet: no shutdown device; halted with status 0$'
	guest_lines $n
	eval "su_rnd_$off=\$(hex_of $n GETRANDOM_HEX)"
done
differ timerand-sifive_u-two-boots-getrandom "$su_rnd_1" "$su_rnd_0"
