#!/bin/sh
# Disk benchmarks (issue 12), offload=1 beside offload=0, each run on a fresh
# boot (cold cache) with a fresh 80 MiB disk; medians of RUNS; writes
# docs/BENCHMARKS-DISK.md.  Part of make bench.
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
OUT=${OUT_DISK:-docs/BENCHMARKS-DISK.md}
LOG=$BUILD/bench
mkdir -p "$LOG"
BENCHES=${DISK_BENCHES:-"seqwrite:64 seqread:64 randread:2000 overlap:100"}
img=$LOG/disk.img

run_one() {	# mode arg offload -> value
	rm -f $img
	truncate -s 80M $img
	[ $1 != seqwrite ] && head -c 80M /dev/urandom >$img	# something to read
	l=$LOG/disk-$1-off$3.log
	timeout 600 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic -bios default \
		-kernel "$BUILD/kernel.elf" -initrd "$BUILD/initramfs.cpio" \
		-drive file=$img,format=raw,if=none,id=d0,cache=unsafe -device virtio-blk-device,drive=d0 \
		-append "init=/bin/diskbench offload=$3 loglevel=warn -- $1 /dev/vda $2" </dev/null >"$l" 2>&1
	tr -d '\r' <"$l" | sed -n "s/^diskbench $1 \([0-9.]*\) .*/\1/p"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# make bench-linux's section (scripts/bench-linux.sh) is kept at the end
linux_sec=$(sed -n '/^## Linux 6.1 in the same QEMU$/,$p' "$OUT" 2>/dev/null)
{
	echo "# Disk benchmarks (make bench; scripts/bench-disk.sh)"
	echo
	echo "QEMU virt, 2 harts, virtio-blk (legacy transport, cache=unsafe), a fresh"
	echo "boot and disk per run (cold block cache), median of $RUNS runs. Host load"
	echo "moves these numbers a lot: compare the columns of one run, not runs."
	echo
	echo "| benchmark | offload=1 | offload=0 | offload/local |"
	echo "|---|---|---|---|"
} >"$OUT"
for b in $BENCHES; do
	mode=${b%%:*} arg=${b#*:} on="" loc=""
	for r in $(seq 1 $RUNS); do
		on="$on $(run_one $mode $arg 1)"
		loc="$loc $(run_one $mode $arg 0)"
	done
	mo=$(echo $on | median) ml=$(echo $loc | median)
	unit=$(case $mode in seq*) echo MB/s;; randread) echo "reads/s";; *) echo "blocks/s";; esac)
	ratio=$(awk -v a="$mo" -v b="$ml" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }')
	echo "| $mode $arg ($unit) | $mo | $ml | $ratio |" | tee -a "$OUT"
done
rm -f $img
# hand-written notes live in docs/bench-disk-notes.md, kept across runs
if [ -f docs/bench-disk-notes.md ]; then echo; cat docs/bench-disk-notes.md; fi >>"$OUT"
[ -z "$linux_sec" ] || printf '\n%s\n' "$linux_sec" >>"$OUT"
