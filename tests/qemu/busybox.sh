#!/bin/sh
# Issue 4: the busybox command suite in both offload modes, and an
# interactive session driven through the serial console.
. tests/lib.sh
trap '' PIPE	# a QEMU that died must not kill the harness mid-write
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=bbsuite-off$off
	qemu_virt $n 300 2 "init=/tests/suite.sh offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	# each command's own line, prefixed so the totals count them
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"
done

# interactive: type at the prompt through QEMU's stdin
for off in 1 0; do
	n=interactive-off$off
	log=$LOGDIR/$n.log
	fifo=$LOGDIR/$n.in
	rm -f "$fifo"; mkfifo "$fifo"
	timeout -k 5 120 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic -bios default \
		-kernel "$KERNEL" -initrd $INITRD -append "offload=$off loglevel=warn" \
		<"$fifo" >"$log" 2>&1 &
	qpid=$!
	exec 9>"$fifo"
	# wait_for REGEX [SECONDS]: poll the log until a line matches
	wait_for() {
		i=0
		while ! tr -d '\r' <"$log" | grep -Eq -- "$1" && [ $i -lt $((${2:-30} * 10)) ]; do
			sleep 0.1; i=$((i + 1))
		done
	}
	say() { printf "%s\r" "$1" >&9 2>/dev/null || true; }
	wait_for 'duet:~# ' 60
	say 'echo hello | cat'
	wait_for '^hello$'
	say 'sleep 100'
	sleep 1
	printf '\003' >&9
	wait_for '^\^C'
	say 'echo alive $?'
	wait_for '^alive 130$'
	say '/bin/crash; echo status=$?'
	wait_for '^status=139$'
	say 'echo next works'
	wait_for '^next works$'
	say 'sleep 3'
	sleep 1
	printf '\032' >&9
	wait_for 'Stopped +sleep 3'
	say 'fg; echo resumed $?'
	wait_for '^resumed 0$'
	say 'exit 0'
	exec 9>&-
	wait $qpid
	QEMU_STATUS=$?
	rm -f "$fifo"
	check_log $n "$n-prompt" 'duet:~# '
	check_log $n "$n-pipe" '^hello$'
	check_log $n "$n-ctrl-c" '^alive 130$'
	check_log $n "$n-segv" '^Segmentation fault'
	check_log $n "$n-segv-status" '^status=139$'
	check_log $n "$n-after-crash" '^next works$'
	check_log $n "$n-ctrl-z" 'Stopped +sleep 3'
	check_log $n "$n-fg" '^resumed 0$'
	check_status $n 0
done
