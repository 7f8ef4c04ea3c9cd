#!/bin/sh
# make bench: every benchmark in offload=1 and offload=0 on the same kernel
# and initramfs, interleaved, RUNS boots each; prints the medians and the
# offload/local ratio and writes docs/BENCHMARKS.md.
#   RUNS=3 SMP=2 sh scripts/bench.sh
# INSN=1 (default): one more boot per mode under the insn_count plugin
#   (build/insn_count.so, docs/INSN_COUNT.md): kernel instructions per
#   operation on the client hart, the server hart and the local path's.
# LOAD=1: every benchmark again in both modes with a CPU-bound process
#   beside QEMU (the loaded-host columns, docs/ADAPTIVE_POLL.md).
# SATP=1: the uaccess=satp columns too (off by default: they double the time).
# FB_BENCHES: the rows compared with the in-place fallback on and off
#   (fallback=1, the default, against fallback=0; offload=1 both; quiet and,
#   with LOAD=1, loaded; docs/FALLBACK.md).  FB_BENCHES= skips it.
# ADAPT=0 skips the adapt=1/adapt=0 comparison.
# Restrict the rows with BENCHES="getppid:20000 stat:5000", and write the
# page elsewhere with OUT=... (a partial run should not replace the full page).
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
INSN=${INSN:-1}
LOAD=${LOAD:-0}
SATP=${SATP:-0}
PLUGIN=${PLUGIN:-$BUILD/insn_count.so}
SMP=${SMP:-2}
POLL=${POLL:-}
OUT=${OUT:-docs/BENCHMARKS.md}
LOG=$BUILD/bench
mkdir -p "$LOG"

# name:iterations
# (the second group: lmbench's first rows, user/bench.c)
BENCHES=${BENCHES:-"getppid:20000 write_null:20000 nanosleep0:10000 pipe:5000 openclose:5000 forkwait:200 forkexec:100 forksh:50 lsdir:5 mixed:5000 \
read_zero:20000 stat:5000 fstat:20000 select:2000 siginstall:20000 sigcatch:5000 pagefault:8192 mmapfile:500 ctx2:5000 ctx8:5000 \
futexpp:3000 pthread:300"}

# bench iters offload [uaccess] -> "ns/op@floor" (floor=1: the kernel measures
# the host's cross-vCPU round trip just before init), nothing on failure
run_one() {
	l=$LOG/$1-off$3${4:+-$4}${TAG:+-$TAG}.log
	timeout 300 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
		-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" \
		-append "init=/bin/bench offload=$3 loglevel=info floor=1 ${POLL:+poll_us=$POLL} ${4:+uaccess=$4} $BOOTX -- $1 $2" \
		</dev/null >"$l" 2>&1
	ns=$(tr -d '\r' <"$l" | sed -n "s/^bench $1 iters=[0-9]* ns_per_op=\([0-9]*\)$/\1/p")
	fl=$(tr -d '\r' <"$l" | sed -n 's/^selftest: shared-memory round trip .*: \([0-9]*\) ns average.*/\1/p')
	[ -n "$ns" ] && echo "$ns@${fl:-0}"
}

# "ns@floor ..." of offload runs and "ns ..." of the local runs made beside
# them -> "ratio (n)" over the pairs whose offload run saw a floor below
# (fast) or at or above (slow) FLOOR_SPLIT ns; "-" when there is none
FLOOR_SPLIT=${FLOOR_SPLIT:-150}
state_ratio() {	# fast|slow "off@fl ..." "loc ..."
	echo "$2|$3" | awk -v want="$1" -v split_ns="$FLOOR_SPLIT" -F'|' '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return a[int((n + 1) / 2)]
	}
	{
		n = split($1, o, " "); split($2, l, " "); k = 0
		for (i = 1; i <= n; i++) {
			split(o[i], p, "@")
			if ((want == "fast") == (p[2] + 0 < split_ns)) { k++; on[k] = p[1]; ln[k] = l[i] }
		}
		if (k == 0) { print "-"; exit }
		printf "%.2f (%d)", med(on, k) / med(ln, k), k
	}'
}

# the floor under any offloaded call: a bare shared-memory round trip
# between the two vCPUs (selftest=1); it moves with the host's state
floor_ns() {
	timeout 60 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
		-kernel "$BUILD/kernel.elf" -append "selftest=1" </dev/null 2>&1 |
		tr -d '\r' | sed -n 's/^selftest: shared-memory round trip .*: \([0-9]*\) ns average.*/\1/p'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# why a benchmark has no figure: "n/a (reason)" from its last log
why_na() {
	r=$(tr -d '\r' <"$LOG/$1-off$2.log" | sed -n "s/^bench $1 \(n\/a\|unsupported\)\(.*\)/\1\2/p" | head -n1)
	echo "${r:-failed: see $LOG/$1-off$2.log}"
}

# hart of the cpu with ROLE in log L ("duet: cpu N hart H role ROLE")
hart_of() { tr -d '\r' <"$1" | sed -n "s/^duet: cpu [0-9]* hart \([0-9]*\) role $2$/\1/p" | head -n1; }

# the plugin's "marked" CLASS count of hart H in log L, per operation
per_op() {	# log hart class iters
	tr -d '\r' <"$1" | awk -v h="vcpu$2" -v c="$3" -v n="$4" '
		$1 == "insn" && $2 == h && $3 == "marked" {
			for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			if (c == "wait") x = v["poll"] + v["idle"]; else x = v[c]
			printf "%d", x / n; found = 1
		}
		END { if (!found) printf "?" }'
}

# one boot of benchmark $1 ($2 iterations) under the plugin, offload=$3
insn_one() {
	l=$LOG/$1-off$3-insn.log
	timeout 900 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
		-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" \
		-plugin "$PLUGIN" -d plugin \
		-append "init=/bin/bench offload=$3 loglevel=info -- $1 $2" \
		</dev/null >"$l" 2>&1
	echo "$l"
}

hog=""
start_hog() {
	# a CPU-bound process beside QEMU, at QEMU's own priority
	nice -n 0 sh -c 'while :; do :; done' &
	hog=$!
}
stop_hog() { [ -n "$hog" ] && kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null; hog=""; }
trap stop_hog EXIT
trap 'stop_hog; exit 1' INT TERM

floor_before=$(floor_ns)
rows=""
irows=""
lrows=""
ratios=""
for b in $BENCHES; do
	name=${b%%:*} iters=${b#*:}
	off="" loc="" soff="" sloc=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		off="$off $(run_one "$name" "$iters" 1)"
		loc="$loc $(run_one "$name" "$iters" 0)"
		if [ "$SATP" = 1 ]; then
			soff="$soff $(run_one "$name" "$iters" 1 satp)"
			sloc="$sloc $(run_one "$name" "$iters" 0 satp)"
		fi
		i=$((i + 1))
	done
	locns=$(echo "$loc" | tr ' ' '\n' | sed 's/@.*//' | tr '\n' ' ')
	fast=$(state_ratio fast "$off" "$locns")
	slow=$(state_ratio slow "$off" "$locns")
	mo=$(echo "$off" | tr ' ' '\n' | sed 's/@.*//' | median)
	ml=$(echo "$locns" | median)
	mso=$(echo "$soff" | tr ' ' '\n' | sed 's/@.*//' | median)
	msl=$(echo "$sloc" | tr ' ' '\n' | sed 's/@.*//' | median)
	[ -z "$mo" ] && mo=$(why_na "$name" 1)
	[ -z "$ml" ] && ml=$(why_na "$name" 0)
	ratio=$(awk -v o="$mo" -v l="$ml" 'BEGIN { if (l + 0 > 0 && o + 0 > 0) printf "%.2f", o / l; else print "n/a" }')
	echo "bench $name offload=$mo local=$ml ratio=$ratio fast-floor=$fast slow-floor=$slow"
	ratios="$ratios $name=$ratio[fast $fast, slow $slow]"
	rows="$rows| $name | $iters | $mo | $ml | $ratio | $fast | $slow | ${mso:--} | ${msl:--} | $(echo $off | tr ' ' ',') | $(echo $locns | tr ' ' ',') |
"
	if [ "$INSN" = 1 ] && [ -f "$PLUGIN" ]; then
		# an eighth of the iterations: the plugin slows QEMU down
		pi=$((iters / 8)); [ "$pi" -lt 1 ] && pi=1
		lo=$(insn_one "$name" "$pi" 1)
		ll=$(insn_one "$name" "$pi" 0)
		ch=$(hart_of "$lo" client) sh_=$(hart_of "$lo" server) lh=$(hart_of "$ll" local)
		ck=$(per_op "$lo" "${ch:-0}" kernel "$pi") cw=$(per_op "$lo" "${ch:-0}" wait "$pi")
		sk=$(per_op "$lo" "${sh_:-1}" kernel "$pi") sw=$(per_op "$lo" "${sh_:-1}" wait "$pi")
		lk=$(per_op "$ll" "${lh:-0}" kernel "$pi")
		share=$(awk -v c="$ck" -v l="$lk" 'BEGIN { if (l + 0 > 0 && c != "?") printf "%.2f", c / l; else print "n/a" }')
		echo "insn $name client kernel=$ck wait=$cw server kernel=$sk wait=$sw local kernel=$lk client/local=$share"
		irows="$irows| $name | $pi | $ck | $cw | $sk | $sw | $lk | $share |
"
	fi
	if [ "$LOAD" = 1 ]; then
		start_hog
		lo_off="" lo_loc=""
		i=0
		while [ $i -lt "$RUNS" ]; do
			lo_off="$lo_off $(TAG=load run_one "$name" "$iters" 1 | sed 's/@.*//')"
			lo_loc="$lo_loc $(TAG=load run_one "$name" "$iters" 0 | sed 's/@.*//')"
			i=$((i + 1))
		done
		stop_hog
		mlo=$(echo "$lo_off" | median) mll=$(echo "$lo_loc" | median)
		lratio=$(awk -v o="$mlo" -v l="$mll" 'BEGIN { if (l + 0 > 0 && o + 0 > 0) printf "%.2f", o / l; else print "n/a" }')
		echo "bench $name loaded: offload=${mlo:-n/a} local=${mll:-n/a} ratio=$lratio ($(uptime | sed 's/.*load/load/'))"
		ratios="$ratios $name(loaded)=$lratio"
		lrows="$lrows| $name | ${mlo:-n/a} | ${mll:-n/a} | $lratio | $(echo $lo_off | tr ' ' ',') | $(echo $lo_loc | tr ' ' ',') |
"
	fi
done

# the in-place fallback on and off, offload=1 both, quiet and (LOAD=1)
# loaded: what the fallback costs the quiet host and what it saves a loaded one
FB_BENCHES=${FB_BENCHES-"getppid:20000 write_null:20000 read_zero:20000 stat:5000"}
fb_rows=""
fb_pass() {	# quiet|loaded
	for b in $FB_BENCHES; do
		fn=${b%%:*} fi=${b#*:}
		f1="" f0=""
		i=0
		while [ $i -lt "$RUNS" ]; do
			f1="$f1 $(TAG=fb1-$1 BOOTX=fallback=1 run_one "$fn" "$fi" 1 | sed 's/@.*//')"
			f0="$f0 $(TAG=fb0-$1 BOOTX=fallback=0 run_one "$fn" "$fi" 1 | sed 's/@.*//')"
			i=$((i + 1))
		done
		m1=$(echo "$f1" | median) m0=$(echo "$f0" | median)
		st=$(tr -d '\r' <"$LOG/$fn-off1-fb1-$1.log" | grep '^fallback' | sed 's/^fallback: //')
		r=$(awk -v a="$m1" -v b="$m0" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
		echo "fallback $fn $1: fallback=1 $m1 fallback=0 $m0 ratio $r ($st) $(uptime | sed 's/.*load/load/')"
		fb_rows="$fb_rows| $fn | $1 | ${m1:-n/a} | ${m0:-n/a} | $r | $(echo $f1 | tr ' ' ',') | $(echo $f0 | tr ' ' ',') | $st | $(uptime | sed 's/.*load average: //') |
"
	done
}
fb_pass quiet
if [ "$LOAD" = 1 ]; then
	start_hog
	fb_pass loaded
	stop_hog
fi

# the adaptive windows against the fixed ones (adapt=0) on the null
# syscall, quiet and (LOAD=1) loaded: what adapting costs and what it saves
ADAPT_BENCH=${ADAPT_BENCH:-getppid:20000}
an=${ADAPT_BENCH%%:*} ai=${ADAPT_BENCH#*:}
adapt_rows=""
adapt_pass() {	# quiet|loaded
	a1="" a0=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		a1="$a1 $(TAG=adapt1-$1 BOOTX=adapt=1 run_one "$an" "$ai" 1 | sed 's/@.*//')"
		a0="$a0 $(TAG=adapt0-$1 BOOTX=adapt=0 run_one "$an" "$ai" 1 | sed 's/@.*//')"
		i=$((i + 1))
	done
	m1=$(echo "$a1" | median) m0=$(echo "$a0" | median)
	st=$(tr -d '\r' <"$LOG/$an-off1-adapt1-$1.log" | grep '^adapt' | tr '\n' ';')
	r=$(awk -v a="$m1" -v b="$m0" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
	echo "adapt $an $1: adapt=1 $m1 adapt=0 $m0 ratio $r ($st)"
	adapt_rows="$adapt_rows| $an | $1 | ${m1:-n/a} | ${m0:-n/a} | $r | $(echo $a1 | tr ' ' ',') | $(echo $a0 | tr ' ' ',') | $st |
"
}
if [ "${ADAPT:-1}" = 1 ]; then
	adapt_pass quiet
	if [ "$LOAD" = 1 ]; then
		start_hog
		adapt_pass loaded
		stop_hog
	fi
fi

floor_after=$(floor_ns)
echo "floor: shared-memory round trip ${floor_before} ns before, ${floor_after} ns after"

# counters and the latency split from one more offload run of the null syscall
timeout 120 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
	-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" \
	-append "init=/bin/bench offload=1 loglevel=info latency=1 -- getppid 20000" \
	</dev/null >"$LOG/getppid-latency.log" 2>&1
timeout 120 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
	-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" \
	-append "init=/bin/bench offload=0 loglevel=info latency=1 -- getppid 20000" \
	</dev/null >"$LOG/getppid-latency-local.log" 2>&1
counters=$(tr -d '\r' <"$LOG/getppid-latency.log" | grep -E '^(bench|cpu[0-9]|rings:|fallback|latency)'
	echo "offload=0:"
	tr -d '\r' <"$LOG/getppid-latency-local.log" | grep -E '^(bench|latency)')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)")
{
	echo "# Benchmarks"
	echo
	echo "Measured by \`make bench\` (scripts/bench.sh) on commit $commit$dirty, $(date -u +%Y-%m-%d),"
	echo "QEMU $(qemu-system-riscv64 --version | head -1 | awk '{print $4}') virt, -smp $SMP, host: $(nproc) cores."
	echo "Each benchmark boots duet $RUNS times per mode (offload=1 and offload=0 interleaved, same"
	echo "kernel and initramfs); the table gives the median ns per operation and offload/local."
	echo "Each boot first measures the host's cross-vCPU round trip (floor=1, printed before init);"
	echo "the two state columns split the offload runs, with the local run made beside each, by it."
	echo
	echo "Host state during the run: a bare shared-memory round trip between the two vCPUs"
	echo "(selftest=1, the floor under any offloaded call) took ${floor_before} ns before and"
	echo "${floor_after} ns after. It is ~75 ns when the host runs the two vCPU threads well and"
	echo "~300 ns when it does not; offload figures move with it, local ones do not."
	echo
	echo "Host load while it ran (uptime at the end): $(uptime | sed 's/.*load/load/')."
	echo
	echo "Default user-memory access is the page-table walk (uaccess=walk); the two satp columns"
	echo "rerun the same benchmark with uaccess=satp (caller's table in satp, SUM-guarded copies;"
	echo "SATP=1 make bench, '-' when not run)."
	echo
	echo "| benchmark | iterations | offload=1 ns/op | offload=0 ns/op | ratio | ratio, floor < ${FLOOR_SPLIT} ns (runs) | ratio, floor >= ${FLOOR_SPLIT} ns (runs) | offload=1 satp | offload=0 satp | offload runs (ns@floor) | local runs |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	printf "%s" "$rows"
	echo
	if [ -n "$irows" ]; then
		echo "## Instructions per operation (insn_count plugin)"
		echo
		echo "One more boot per mode under the insn_count TCG plugin (docs/INSN_COUNT.md), with an"
		echo "eighth of the iterations: instructions per operation over the timed loop only,"
		echo "by hart. *kernel* is kernel code less the marked spin-waits; *wait* is the marked"
		echo "spinning for the peer plus the executor's idle window (host-dependent, not work)."
		echo "Offloaded kernel counts include whatever share of calls took the slow path (park,"
		echo "executor, IPI) in that boot; the local path's counts are exact and repeat."
		echo
		echo "| benchmark | iterations | client kernel | client wait | server kernel | server wait | local kernel | client/local kernel |"
		echo "|---|---|---|---|---|---|---|---|"
		printf "%s" "$irows"
		echo
	fi
	if [ -n "$lrows" ]; then
		echo "## A loaded host (LOAD=1)"
		echo
		echo "The same benchmarks, $RUNS boots per mode, with a CPU-bound shell loop beside QEMU"
		echo "(nice 0, not pinned) on this $(nproc)-core host: median ns per operation."
		echo
		echo "| benchmark | offload=1 loaded | offload=0 loaded | ratio loaded | offload runs | local runs |"
		echo "|---|---|---|---|---|---|"
		printf "%s" "$lrows"
		echo
	fi
	if [ -n "$fb_rows" ]; then
		echo "## In-place fallback"
		echo
		echo "Offloaded calls with the in-place fallback (fallback=1, the default) and without"
		echo "(fallback=0), $RUNS boots each, median ns per call, quiet and (LOAD=1) beside the CPU"
		echo "hog; the counters of the last fallback=1 boot (docs/FALLBACK.md) and the host's load"
		echo "average (1, 5, 15 min) when the row ended: other work on the host counts too."
		echo
		echo "| benchmark | host | fallback=1 | fallback=0 | fallback=1/fallback=0 | fallback=1 runs | fallback=0 runs | fallback counters | load average |"
		echo "|---|---|---|---|---|---|---|---|---|"
		printf "%s" "$fb_rows"
		echo
	fi
	[ -n "$adapt_rows" ] && {
	echo "## Adaptive spin windows"
	echo
	echo "The null syscall offloaded with the adaptive windows (adapt=1, the default) and the"
	echo "fixed ones (adapt=0), $RUNS boots each, median ns per call; the counters of the"
	echo "last adapt=1 boot: waits answered within the window (hits) and waits that stopped"
	echo "spinning and slept (giveups) per cpu (docs/ADAPTIVE_POLL.md)."
	echo
	echo "| benchmark | host | adapt=1 | adapt=0 | adapt=1/adapt=0 | adapt=1 runs | adapt=0 runs | adapt counters |"
	echo "|---|---|---|---|---|---|---|---|"
	printf "%s" "$adapt_rows"
	echo
	}
	echo "Kernel counters after one more getppid run in each mode with latency=1 (each phase"
	echo "stamp reads the cycle CSR, ~30 ns under QEMU, so these ns/op are higher than the table's):"
	echo
	echo '```'
	echo "$counters"
	echo '```'
	echo
	cat docs/bench-notes.md 2>/dev/null
} >"$OUT"
# one line per run in the history: the same kernel measures differently as
# the host's load and vCPU placement drift, so keep every run's ratios
HIST=${HIST:-docs/bench-history.md}
[ -f "$HIST" ] || printf '# Benchmark history\n\nOne line per `make bench` run: offload/local ratios (medians).\n\n' >"$HIST"
echo "- $(date -u +%Y-%m-%dT%H:%MZ) commit $commit$dirty, RUNS=$RUNS, floor ${floor_before}/${floor_after} ns:$ratios" >>"$HIST"
echo "wrote $OUT and $HIST"
