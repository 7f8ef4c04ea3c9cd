#!/bin/sh
# lmbench-linux.sh: lmbench's rows under Linux beside duet (make bench-linux
# LMBENCH=<dir>). The binaries, rows and invocations are scripts/lmbench.sh's
# (built with LMBENCH_BUILD_ONLY=1 into BUILD/lmbench/initramfs.cpio, init
# /lmb/run.sh); this boots that initramfs under Linux (scripts/run-linux.sh)
# and under duet offload=1 and offload=0 with scripts/lmbench.sh's own QEMU
# flags, and writes BUILD/bench-linux/lmbench.md (one table per libc), which
# scripts/bench-linux.sh puts in docs/BENCHMARKS.md.
#   LMBENCH=<dir>        an lmbench checkout (as for make lmbench)
#   LMBENCH_SH=<script>  scripts/lmbench.sh unless given
#   LMBENCH_VARIANTS, LMBENCH_ROWS, LMBENCH_N: as scripts/lmbench.sh
#   LMBENCH_STAGED=1     boot BUILD/lmbench/initramfs.cpio as staged already
#   LMBENCH_SYSTEMS      the boots to make (default "linux offload=1 offload=0")
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
LMBENCH_SH=${LMBENCH_SH:-$here/lmbench.sh}
VARIANTS=${LMBENCH_VARIANTS:-"glibc-static glibc-dynamic musl-static musl-dynamic"}
LOG=$BUILD/bench-linux
mkdir -p "$LOG"
[ -f "$LMBENCH_SH" ] || { echo "lmbench-linux: $LMBENCH_SH missing" >&2; exit 1; }

initrd=$BUILD/lmbench/initramfs.cpio
# LMBENCH_STAGED=1: use what an earlier LMBENCH_BUILD_ONLY=1 run staged
if [ "${LMBENCH_STAGED:-0}" != 1 ] || [ ! -f "$initrd" ]; then
	LMBENCH_BUILD_ONLY=1 LMBENCH_VARIANTS="$VARIANTS" BUILD=$BUILD sh "$LMBENCH_SH" ||
		{ echo "lmbench-linux: building lmbench failed" >&2; exit 1; }
fi

# LMBENCH_SYSTEMS: which boots to make now (the table uses every log there is)
for s in ${LMBENCH_SYSTEMS:-linux offload=1 offload=0}; do
	l=$LOG/lmbench-$(echo $s | tr = -).log
	echo "lmbench-linux: booting $s"
	echo "$(date -u +%H:%M) $(cut -d' ' -f1-3 /proc/loadavg)" >"$l.load"
	case $s in
	linux)
		BUILD=$BUILD INITRD=$initrd TIMEOUT=7200 sh "$here/run-linux.sh" /lmb/run.sh ;;
	*)
		timeout --foreground -k 5 7200 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
			-bios default -kernel "$BUILD/kernel.elf" -append "init=/lmb/run.sh $s loglevel=warn" \
			-device virtio-rng-device -initrd "$initrd" ;;
	esac </dev/null 2>&1 | tr -d '\r' >"$l"
	grep -q '^@@done' "$l" || echo "lmbench-linux: $s did not finish (see $l)"
	echo "$(date -u +%H:%M) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$l.load"
done
loads() { for s in linux offload-1 offload-0; do
	[ -f "$LOG/lmbench-$s.log.load" ] && echo "$s $(tr '\n' ' ' <"$LOG/lmbench-$s.log.load" | sed 's/ \([0-9][0-9]:\)/ to \1/');"
done | tr '\n' ' '; }

# "<variant> <row> <value>" from a log: the reading scripts/lmbench.sh uses
# (scripts/lmbench-figures.awk)
figures() {
	awk -f "$here/lmbench-figures.awk" "$1"
}
figures "$LOG/lmbench-linux.log" >"$LOG/lmb-linux.txt"
figures "$LOG/lmbench-offload-1.log" >"$LOG/lmb-off1.txt"
figures "$LOG/lmbench-offload-0.log" >"$LOG/lmb-off0.txt"
{
	echo "### lmbench under Linux"
	echo
	echo "lmbench's rows as scripts/lmbench.sh builds and runs them (its /lmb/run.sh as init,"
	echo "the same binaries), one boot per system: Linux, then duet offload=1, then offload=0,"
	echo "with scripts/lmbench.sh's QEMU flags (virt, -smp 2, -m 512M, virtio-rng). Boot times"
	echo "(UTC) and host load average (1/5/15 min) at their start and end: $(loads)"
	echo "Latencies in us (lower is better), bandwidths in MB/s (higher is better)."
	for v in $VARIANTS; do
		echo
		echo "lmbench, $v:"
		echo
		echo "| row | Linux | duet offload=1 | duet offload=0 | offload=1/Linux | offload=0/Linux |"
		echo "|---|---|---|---|---|---|"
		awk -v v="$v" '
		FILENAME == ARGV[1] { if ($1 == v) a[$2] = $3; next }
		FILENAME == ARGV[2] { if ($1 == v) b[$2] = $3; next }
		$1 == v {
			x = ($2 in a) ? a[$2] : "-"; y = ($2 in b) ? b[$2] : "-"
			r1 = (x ~ /^[0-9.]+$/ && $3 ~ /^[0-9.]+$/ && $3 > 0) ? sprintf("%.2f", x / $3) : "-"
			r0 = (y ~ /^[0-9.]+$/ && $3 ~ /^[0-9.]+$/ && $3 > 0) ? sprintf("%.2f", y / $3) : "-"
			printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, x, y, r1, r0
		}' "$LOG/lmb-off1.txt" "$LOG/lmb-off0.txt" "$LOG/lmb-linux.txt"
	done
} >"$LOG/lmbench.md"
cat "$LOG/lmbench.md"
