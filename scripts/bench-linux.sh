#!/bin/sh
# make bench-linux (or make bench LINUX=1): the Linux baseline beside duet.
# The same bench/diskbench binaries from the same initramfs, the same QEMU
# flags as scripts/bench.sh and scripts/bench-disk.sh, booted under Linux
# (build/linux/Image, make linux; scripts/run-linux.sh) and under duet
# offload=1 and offload=0, interleaved per run so all three see the same host.
# Writes the section "## Linux 6.1 in the same QEMU" of docs/BENCHMARKS.md
# and of docs/BENCHMARKS-DISK.md (replacing an older one; bench.sh and
# bench-disk.sh keep it when they rewrite those files).
#   RUNS=3           boots per system and benchmark (medians)
#   BENCHES=...      as scripts/bench.sh ("name:iterations ...")
#   DISK_BENCHES=... as scripts/bench-disk.sh; DISK=0 skips the disk part
#   LMBENCH=<dir>    also lmbench's rows (scripts/lmbench-linux.sh)
#   LINUX_PIN=1      one more Linux column: the benchmark under taskset 1 (CPU 0)
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
SMP=${SMP:-2}
OUT=${OUT:-docs/BENCHMARKS.md}
OUT_DISK=${OUT_DISK:-docs/BENCHMARKS-DISK.md}
LOG=$BUILD/bench-linux
SECTION="## Linux 6.1 in the same QEMU"
mkdir -p "$LOG"
here=$(cd "$(dirname "$0")" && pwd)
# scripts/bench.sh's and scripts/bench-disk.sh's default lists
BENCHES=${BENCHES:-"getppid:20000 write_null:20000 nanosleep0:10000 pipe:5000 openclose:5000 forkwait:200 forkexec:100 forksh:50 lsdir:5 mixed:5000 \
read_zero:20000 stat:5000 fstat:20000 select:2000 siginstall:20000 sigcatch:5000 pagefault:8192 mmapfile:500 ctx2:5000 ctx8:5000 \
futexpp:3000 pthread:300"}
DISK_BENCHES=${DISK_BENCHES:-"seqwrite:64 seqread:64 randread:2000 overlap:100"}

[ -f "$BUILD/linux/Image" ] || { echo "bench-linux: $BUILD/linux/Image missing: make linux" >&2; exit 1; }

# sys (linux|off1|off0) log-tag [drive args...] -- init args...: one boot
boot() {
	sys=$1 l=$2
	shift 2
	drive=""
	while [ "$1" != -- ]; do drive="$drive $1"; shift; done
	shift
	case $sys in
	linux)
		# shellcheck disable=SC2086
		BUILD=$BUILD RNG=0 SMP=$SMP TIMEOUT=600 QEMU_EXTRA="$drive" \
			sh "$here/run-linux.sh" "$@" ;;
	linuxpin)	# the program and its children on CPU 0 only, as duet runs user tasks
		BUILD=$BUILD RNG=0 SMP=$SMP TIMEOUT=600 sh "$here/run-linux.sh" taskset 1 "$@" ;;
	off*)
		# shellcheck disable=SC2086
		timeout 600 qemu-system-riscv64 -M virt -smp "$SMP" -m 512M -nographic -bios default \
			-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" $drive \
			-append "init=$1 offload=${sys#off} loglevel=warn -- $(shift; echo "$*")" ;;
	esac </dev/null >"$LOG/$l" 2>&1
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# replace FILE's Linux section (from its title to the end) with CONTENT
splice() {	# file content-file
	[ -f "$1" ] || : >"$1"
	awk -v t="$SECTION" '$0 == t { exit } { print }' "$1" >"$1.tmp"
	[ -z "$(tail -n1 "$1.tmp")" ] || echo >>"$1.tmp"
	cat "$2" >>"$1.tmp"
	mv "$1.tmp" "$1"
}

qemu_v=$(qemu-system-riscv64 --version | head -1 | awk '{print $4}')
release=$(cat "$BUILD/linux/release" 2>/dev/null || echo "?")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
header() {	# what
	echo "$SECTION"
	echo
	echo "$1 under Linux $release (Debian's linux source package, bookworm; \`make linux\`:"
	echo "tinyconfig + scripts/linux.config, -O2, SMP, built with Debian's riscv64-linux-gnu-gcc)"
	echo "and under duet (commit $commit) offload=1 and offload=0, in the same session: the same"
	echo "binaries from the same initramfs (Linux gets one more cpio member, /linux-init, which mounts"
	echo "/proc, /sys, devtmpfs and runs the program), the same QEMU $qemu_v flags (virt, -smp $SMP,"
	echo "-m 512M, OpenSBI -bios default), the three systems interleaved per run, $RUNS runs each,"
	echo "medians. Measured by \`make bench-linux\` (scripts/bench-linux.sh) on $(date -u +%Y-%m-%d)."
	echo "Under Linux the program is a child of /linux-init (a shell), under duet it is PID 1."
	[ -z "${LINUX_IMAGE:-}" ] || echo "Linux image: $LINUX_IMAGE${LINUX_NOTE:+ ($LINUX_NOTE)}."
	echo
	echo "The host is shared ($(nproc) cores, other jobs running): load average (1/5/15 min)"
	echo "$load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end. Compare the columns"
	echo "of one table, not tables."
	echo
}

rm -f "$LOG/lmbench.md"
if [ -n "${LMBENCH:-}" ]; then
	BUILD=$BUILD sh "$here/lmbench-linux.sh" || echo "bench-linux: lmbench failed" >&2
fi
load0=$(cut -d' ' -f1-3 /proc/loadavg)
systems="linux off1 off0"
[ "${LINUX_PIN:-0}" = 1 ] && systems="linux linuxpin off1 off0"
rows=""
for b in $BENCHES; do
	name=${b%%:*} iters=${b#*:}
	li="" lp="" on="" lo=""
	r=1
	while [ $r -le "$RUNS" ]; do
		for s in $systems; do
			boot $s "$name-$s-$r.log" -- /bin/bench "$name" "$iters"
			v=$(tr -d '\r' <"$LOG/$name-$s-$r.log" | sed -n "s/^bench $name iters=[0-9]* ns_per_op=\([0-9]*\)$/\1/p")
			case $s in linux) li="$li $v" ;; linuxpin) lp="$lp $v" ;; off1) on="$on $v" ;; off0) lo="$lo $v" ;; esac
		done
		r=$((r + 1))
	done
	ml=$(echo "$li" | median) mp=$(echo "$lp" | median) mo=$(echo "$on" | median) mz=$(echo "$lo" | median)
	echo "bench-linux $name linux=${ml:-?} linux-cpu0=${mp:--} offload=${mo:-?} local=${mz:-?}"
	pin=""
	[ "${LINUX_PIN:-0}" = 1 ] && pin=" ${mp:-failed} |"
	rows="$rows| $name | $iters | ${ml:-failed} |$pin ${mo:-failed} | ${mz:-failed} | $(ratio "$mo" "$ml") | $(ratio "$mz" "$ml") | $(echo $li | tr ' ' ',') | $(echo $on | tr ' ' ',') | $(echo $lo | tr ' ' ',') |
"
done
sec=$LOG/section.md
{
	header "The syscall benchmarks (user/bench.c, ns per operation; lower is better)"
	if [ "${LINUX_PIN:-0}" = 1 ]; then
		echo "*Linux CPU 0* runs the benchmark under \`taskset 1\` (it and its children on one CPU,"
		echo "as duet runs every user task on hart 0): Linux otherwise wakes a process on the"
		echo "other vCPU, and on a loaded host that vCPU's thread is often not running."
		echo
		echo "| benchmark | iterations | Linux | Linux CPU 0 | duet offload=1 | duet offload=0 | offload=1/Linux | offload=0/Linux | Linux runs | offload=1 runs | offload=0 runs |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
	else
		echo "| benchmark | iterations | Linux | duet offload=1 | duet offload=0 | offload=1/Linux | offload=0/Linux | Linux runs | offload=1 runs | offload=0 runs |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
	fi
	printf "%s" "$rows"
	echo
	if [ -f "$LOG/lmbench.md" ]; then cat "$LOG/lmbench.md"; echo; fi
} >"$sec"
splice "$OUT" "$sec"
echo "bench-linux: wrote $OUT"

[ "${DISK:-1}" = 0 ] && exit 0
img=$LOG/disk.img
load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=""
for b in $DISK_BENCHES; do
	mode=${b%%:*} arg=${b#*:}
	li="" on="" lo=""
	r=1
	while [ $r -le "$RUNS" ]; do
		for s in linux off1 off0; do
			# a fresh disk and boot per run (cold cache), as bench-disk.sh
			rm -f "$img"
			truncate -s 80M "$img"
			[ "$mode" != seqwrite ] && head -c 80M /dev/urandom >"$img"
			boot $s "disk-$mode-$s-$r.log" -drive "file=$img,format=raw,if=none,id=d0,cache=unsafe" \
				-device virtio-blk-device,drive=d0 -- /bin/diskbench "$mode" /dev/vda "$arg"
			v=$(tr -d '\r' <"$LOG/disk-$mode-$s-$r.log" | sed -n "s/^diskbench $mode \([0-9.]*\) .*/\1/p")
			case $s in linux) li="$li $v" ;; off1) on="$on $v" ;; off0) lo="$lo $v" ;; esac
		done
		r=$((r + 1))
	done
	rm -f "$img"
	ml=$(echo "$li" | median) mo=$(echo "$on" | median) mz=$(echo "$lo" | median)
	unit=$(case $mode in seq*) echo MB/s ;; randread) echo "reads/s" ;; *) echo "blocks/s" ;; esac)
	echo "bench-linux disk $mode linux=${ml:-?} offload=${mo:-?} local=${mz:-?}"
	rows="$rows| $mode $arg ($unit) | ${ml:-failed} | ${mo:-failed} | ${mz:-failed} | $(ratio "$mo" "$ml") | $(ratio "$mz" "$ml") | $(echo $li | tr ' ' ',') | $(echo $on | tr ' ' ',') | $(echo $lo | tr ' ' ',') |
"
done
{
	header "The disk benchmarks (user/diskbench.c on /dev/vda: a fresh 80 MiB raw image per boot, virtio-blk, cache=unsafe, as scripts/bench-disk.sh; higher is better)"
	echo "Linux reads and writes /dev/vda through its page cache (buffered I/O, as diskbench asks);"
	echo "duet through its block cache."
	echo
	echo "| benchmark | Linux | duet offload=1 | duet offload=0 | offload=1/Linux | offload=0/Linux | Linux runs | offload=1 runs | offload=0 runs |"
	echo "|---|---|---|---|---|---|---|---|---|"
	printf "%s" "$rows"
} >"$LOG/section-disk.md"
splice "$OUT_DISK" "$LOG/section-disk.md"
echo "bench-linux: wrote $OUT_DISK"
