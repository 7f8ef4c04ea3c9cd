#!/bin/sh
# Issue 3: user programs with syscalls served by hart 1 (offload=1) and in
# place (offload=0): syscall conformance, several tasks, console input,
# exit status, idle CPU use.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=systest-off$off
	qemu_virt $n 90 2 "init=/bin/systest offload=$off" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_log $n "$n-init-exit" '^init exited: status 0$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'

	for prog in fstest proctest systest-pie sleeporder exhaust; do
		n=$prog-off$off
		qemu_virt $n 120 2 "init=/bin/$prog offload=$off loglevel=warn" -initrd $INITRD
		check_status $n 0
		check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	done

	n=tasks-off$off
	qemu_virt $n 90 2 "init=/bin/tasks offload=$off" -initrd $INITRD
	check_status $n 0
	for t in sleep-order busy-sleeper pure-compute-sleeper pingpong exit-status \
		sigchld-then-wnohang kill-before-run; do
		check_log $n "$n-$t" "^PASS $t\$"
	done
done

# uaccess=satp: the caller's table in satp and SUM copies, same results
for off in 1 0; do
	for prog in systest fstest; do
		n=$prog-satp-off$off
		qemu_virt $n 120 2 "init=/bin/$prog offload=$off uaccess=satp loglevel=warn" -initrd $INITRD
		check_status $n 0
		check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	done
done

# several clients (clients=N): cpu 1 serves, cpus 0, 2, 3 run tasks; forked
# children are spread over them
# the fast path engages: a loop of null syscalls mostly returns to user
# mode straight from the trap (the counters at poweroff, as in /proc/duet),
# and latency=1 splits a call into its phases.  fallback=0: with the
# in-place fallback a loaded host's getppid runs on the client and never
# reaches the fast path's answer (tests/qemu/fallback.sh tests that)
n=fastpath
qemu_virt $n 60 2 "init=/bin/bench offload=1 fallback=0 loglevel=info latency=1 -- getppid 4000" -initrd $INITRD
check_status $n 0
# without the fast path no call returns from the trap; with it most do on a
# quiet host, and at least a tenth when the host deschedules the server's vCPU
check_log $n "$n-returns" 'fast path [0-9]+ answered ([4-9][0-9]{2}|[0-9]{4,}) returned'
check_log $n "$n-latency" '^latency \(avg ns per call, latency=1\): trap->submit [1-9][0-9]*, ring to server [1-9]'

n=clients3
qemu_virt $n 120 4 "init=/tests/suite.sh clients=3 loglevel=info" -initrd $INITRD
check_status $n 0
check_log $n "$n-role2" '^duet: cpu 2 hart 2 role client$'
check_log $n "$n-role3" '^duet: cpu 3 hart 3 role client$'
check_log $n "$n-suite" '^[0-9]+ passed, 0 failed$'
check_log $n "$n-cpu2-used" '^cpu2 client: syscalls [1-9]'
check_log $n "$n-cpu3-used" '^cpu3 client: syscalls [1-9]'
n=clients3-tasks
qemu_virt $n 120 4 "init=/bin/tasks clients=3" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
for t in sigchld-then-wnohang kill-before-run; do
	check_log $n "$n-$t" "^PASS $t\$"
done

# SMP=1 implies local syscalls
n=systest-smp1
qemu_virt $n 90 1 "init=/bin/systest" -initrd $INITRD
check_status $n 0
check_log $n "$n-role" '^duet: cpu 0 hart 0 role local$'

# the exit status of init becomes QEMU's
n=exitcode
qemu_virt $n 60 2 "init=/bin/exitcode -- 7" -initrd $INITRD
check_status $n 7
check_log $n "$n-line" '^init exited: status 7$'

n=noinit
qemu_virt $n 60 2 "init=/bin/does-not-exist" -initrd $INITRD
check_status $n 127

# a static PIE (ET_DYN) loads and runs
n=pie
qemu_virt $n 60 2 "init=/bin/hello-pie" -initrd $INITRD
check_status $n 0
check_log $n "$n-hello" '^hello from user space$'

# offload counters: every syscall crossed the ring, completions came back by IPI
n=counters
qemu_virt $n 60 2 "init=/bin/hello loglevel=info" -initrd $INITRD
check_log $n "$n-hello" '^hello from user space$'
check_log $n "$n-served" '^cpu1 server: syscalls 0 served [1-9]'
check_log $n "$n-rings" '^rings: sq [1-9][0-9]* reqs'

# console input: a line typed on the serial port reaches a parked read(0),
# and while it waits QEMU uses (almost) no host CPU
for off in 1 0; do
	n=console-off$off
	log=$LOGDIR/$n.log
	fifo=$BUILD/test-logs/$n.in
	rm -f "$fifo"; mkfifo "$fifo"
	timeout -k 5 60 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic -bios default \
		-kernel "$KERNEL" -initrd $INITRD -append "init=/bin/echoline offload=$off" \
		<"$fifo" >"$log" 2>&1 &
	qpid=$!
	exec 9>"$fifo"
	i=0
	while ! grep -q 'echoline: waiting' "$log" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
	sleep 0.5
	cpu0=$(awk '{print $14+$15}' /proc/$qpid/stat 2>/dev/null)
	t0=$(date +%s.%N)
	sleep 5
	cpu1=$(awk '{print $14+$15}' /proc/$qpid/stat 2>/dev/null)
	t1=$(date +%s.%N)
	printf 'hello duet\r' >&9
	exec 9>&-
	wait $qpid
	QEMU_STATUS=$?
	rm -f "$fifo"
	check_status $n 0
	check_log $n "$n-echo" '^echo: hello duet$'
	hz=$(getconf CLK_TCK)
	pct=$(echo "$cpu0 $cpu1 $t0 $t1 $hz" | awk '{ printf "%d", ($2-$1)/$5 / ($4-$3) * 100 }')
	echo "$n: idle QEMU host CPU ${pct}% of wall time"
	if [ -n "$cpu0" ] && [ "$pct" -lt 10 ]; then pass "$n-idle-cpu"; else
		fail "$n-idle-cpu" "expected < 10% host CPU while blocked on input, got ${pct}%"; fi
done
