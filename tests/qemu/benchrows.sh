#!/bin/sh
# Issue 14: lmbench's rows of make bench run in both offload modes; the
# insn_count TCG plugin counts per hart and shows what offloading is for;
# the adaptive spin windows sleep when the peer's vCPU is descheduled.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

# -- every new row runs and prints its figure (file mmap may say n/a) --
for off in 1 0; do
	n=benchrows-off$off
	qemu_virt $n 600 2 "init=/tests/benchrows.sh offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	for r in read_zero:200 stat:100 fstat:200 select:20 siginstall:200 sigcatch:100 \
		pagefault:256 ctx2:100 ctx8:100; do
		check_log $n "$n-${r%%:*}" "^bench ${r%%:*} iters=${r#*:} ns_per_op=[0-9]+$"
	done
	check_log $n "$n-mmapfile" '^bench mmapfile (iters=10 ns_per_op=[0-9]+|n/a .+)$'
	check_no_log $n "$n-exits" '^exit [a-z_0-9]+ [1-9]'
done

# -- instruction counts per hart: an offloaded stat leaves the client hart a
#    small part of the local path's kernel work, and the server does it --
if make --no-print-directory plugin >"$LOGDIR/plugin-build.log" 2>&1; then
	pass plugin-build
else
	fail plugin-build "make plugin failed: $(tail -3 "$LOGDIR/plugin-build.log" | tr '\n' '|')"
fi
# insn_per_op LOG ROLE CLASS ITERS: the plugin's marked CLASS count per op
# on the hart with ROLE, or nothing
insn_per_op() {
	h=$(tr -d '\r' <"$1" | sed -n "s/^duet: cpu [0-9]* hart \([0-9]*\) role $2$/\1/p" | head -n1)
	[ -n "$h" ] || return 0
	tr -d '\r' <"$1" | awk -v v="vcpu$h" -v c="$3" -v n="$4" '
		$1 == "insn" && $2 == v && $3 == "marked" {
			for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == c) print int(kv[2] / n) } }'
}
for off in 1 0; do
	qemu_virt insn-stat-off$off 600 2 "init=/bin/bench offload=$off loglevel=info -- stat 200" \
		-initrd $INITRD -plugin "$BUILD/insn_count.so" -d plugin
	check_log insn-stat-off$off insn-stat-off$off-marked '^insn vcpu[0-9]+ marked user=[0-9]+ kernel=[0-9]+ poll=[0-9]+ idle=[0-9]+ fw=[0-9]+$'
done
ck=$(insn_per_op "$LOGDIR/insn-stat-off1.log" client kernel 200)
sk=$(insn_per_op "$LOGDIR/insn-stat-off1.log" server kernel 200)
lk=$(insn_per_op "$LOGDIR/insn-stat-off0.log" local kernel 200)
echo "insn stat per op: client kernel ${ck:-?}, server kernel ${sk:-?}, local kernel ${lk:-?}"
if [ -n "$ck" ] && [ -n "$lk" ] && [ "$lk" -gt 1000 ] && [ $((ck * 3)) -lt "$lk" ]; then
	pass insn-stat-client-third
else
	fail insn-stat-client-third "expected the client hart's kernel instructions per offloaded stat below a third of the local path's (> 1000), got client ${ck:-none}, local ${lk:-none}"
fi
if [ -n "$sk" ] && [ -n "$lk" ] && [ $((sk * 2)) -gt "$lk" ]; then
	pass insn-stat-server-does-it
else
	fail insn-stat-server-does-it "expected the server hart's kernel instructions per stat above half the local path's, got server ${sk:-none}, local ${lk:-none}"
fi

# -- adaptive windows: stall QEMU for 0.5 s while the client makes calls.
#    SIGSTOP sent to the server's vCPU thread stops the whole QEMU process
#    (a stop signal always acts on the thread group), so this is a stall of
#    both harts, not a lone descheduled peer; what it shows is that answers
#    slower than the recent average make adapt=1 give up spin windows and
#    sleep (skips > 0, the client idle for long), while adapt=0 never skips.
#    (The client's idle time with adapt=0 depends on when the stall falls,
#    so it is not checked.)  fallback=0: with the in-place fallback the
#    client would run getppid itself and never wait; tests/qemu/fallback.sh
#    covers that. --
# adapt_run NAME ADAPT: boot a long getppid loop, SIGSTOP the server hart's
# vCPU thread for 0.5 s once the loop runs, then let it go
adapt_run() {
	log=$LOGDIR/$1.log
	timeout --foreground -k 5 600 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
		-bios default -kernel "$KERNEL" -initrd $INITRD -name duet,debug-threads=on \
		-append "init=/bin/bench offload=1 adapt=$2 fallback=0 loglevel=info -- getppid 200000" \
		</dev/null >"$log" 2>&1 &
	tpid=$!
	i=0
	# stop the server as soon as the client starts init: init's first calls
	# and its loop (>= 0.2 s even on a quiet host) wait for it
	while [ $i -lt 6000 ] && ! tr -d '\r' <"$log" | grep -q 'role client$'; do
		sleep 0.02; i=$((i + 1))
	done
	sh_=$(tr -d '\r' <"$log" | sed -n 's/^duet: cpu [0-9]* hart \([0-9]*\) role server$/\1/p' | head -n1)
	qpid=$(ps -o pid= --ppid "$tpid" | tr -d ' ' | head -n1)	# QEMU, under timeout
	tid=""
	for t in /proc/$qpid/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "CPU ${sh_:-1}/TCG" ] && tid=${t##*/}
	done
	if [ -n "$tid" ]; then
		kill -STOP "$tid"; sleep 0.5; kill -CONT "$tid"
	fi
	wait $tpid
	QEMU_STATUS=$?
	ADAPT_TID=$tid
}
adapt_run adapt-stopped-on 1
[ -n "$ADAPT_TID" ] && pass adapt-peer-stopped || fail adapt-peer-stopped "expected QEMU's server vCPU thread (CPU n/TCG), found none"
check_status adapt-stopped-on 0
check_log adapt-stopped-on adapt-skips '^adapt: cpu0 hits [0-9]+ giveups [1-9][0-9]* skips [1-9][0-9]* '
# the client (cpu0) slept through most of the 500 ms its peer was stopped
check_log adapt-stopped-on adapt-client-slept '^cpu0 client: .* idle_ms ([3-9][0-9][0-9]|[0-9]{4,})$'
check_log adapt-stopped-on adapt-stopped-on-result '^bench getppid iters=200000 ns_per_op=[0-9]+$'
adapt_run adapt-stopped-off 0
[ -n "$ADAPT_TID" ] && pass adapt-off-peer-stopped || fail adapt-off-peer-stopped "expected QEMU's server vCPU thread (CPU n/TCG), found none"
check_status adapt-stopped-off 0
check_log adapt-stopped-off adapt-off-never-skips '^adapt \(off\): cpu0 hits [0-9]+ giveups [0-9]+ skips 0 '

# -- the user translation cache never outlives a mapping (user/utctest.c) --
for off in 1 0; do
	n=utctest-off$off
	qemu_virt $n 300 2 "init=/bin/utctest offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-done" '^utctest done$'
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) utc-' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"
done
