#!/bin/sh
# make lmbench LMBENCH=<dir>: lmbench3's usual rows (docs/BENCHMARKS.md), run
# inside duet as its users run them, offload=1 then offload=0 on the same
# kernel, and a table offload=1 | offload=0 | ratio per row per libc.
#
# lmbench is not in the repository and is never downloaded here: <dir> is a
# checkout you made yourself (git clone of github.com/intel/lmbench).  Each
# program is built four times: glibc static and dynamic (Debian's
# riscv64-linux-gnu-gcc; the loader and libraries are in the rootfs, see
# docs/DYNAMIC.md) and the project's musl static and dynamic (build/sysroot).
#
# Knobs (environment):
#   LMBENCH_VARIANTS  which builds to run (default: all four below)
#   LMBENCH_MODES     boots to make (default "offload=1 offload=0")
#   LMBENCH_ROWS      restrict to rows whose name matches this ERE (default all)
#   LMBENCH_N         lmbench's -N repetitions (default: lmbench's own)
#   LMBENCH_TIMEOUT   seconds per program inside the guest (default 300)
#   LMBENCH_ENOUGH    lmbench's ENOUGH, the timing interval in us (default
#                     50000; "calibrate" runs lmbench's own `enough` in the
#                     guest, which on a noisy TCG host falls back to 1 s
#                     intervals and makes a run take hours)
#   LMBENCH_BUILD_ONLY=1  build and stage, don't boot (scripts that run the
#                     same binaries elsewhere, e.g. under Linux, reuse
#                     $BUILD/lmbench/extra: /lmb/<variant>/<prog>, /lmb/run.sh)
# Output: build/lmbench/{extra,initramfs.cpio,duet-<mode>.log,table.md}.
set -u
SRC=${LMBENCH:?set LMBENCH=<lmbench checkout>}
BUILD=${BUILD:-build}
VARIANTS=${LMBENCH_VARIANTS:-"glibc-static glibc-dynamic musl-static musl-dynamic"}
MODES=${LMBENCH_MODES:-"offload=1 offload=0"}
ROWS=${LMBENCH_ROWS:-.}
TMO=${LMBENCH_TIMEOUT:-300}
ENOUGH=${LMBENCH_ENOUGH:-50000}
[ -f "$SRC/src/lat_syscall.c" ] || SRC=$SRC/..
[ -f "$SRC/src/lat_syscall.c" ] || { echo "lmbench: $LMBENCH is not an lmbench checkout"; exit 1; }
SRC=$(cd "$SRC/src" && pwd)
OUT=$(cd "$BUILD" && pwd)/lmbench
MUSL_GCC=$(cd "$BUILD" && pwd)/sysroot/bin/musl-gcc
PROGS="lat_syscall lat_select lat_sig lat_pipe lat_proc lat_pagefault lat_mmap lat_fs
bw_pipe bw_file_rd bw_mmap_rd lat_ctx hello enough timing_o loop_o"
LIBSRC="lib_tcp lib_udp lib_unix lib_timing lib_mem lib_stats lib_debug lib_sched getopt"
mkdir -p "$OUT"

# LMBENCH_TABLE_ONLY=1: the table again from the last run's logs
if [ "${LMBENCH_TABLE_ONLY:-0}" != 1 ]; then
# ---- a portmapper-less <rpc/rpc.h> ----
# bench.h includes <rpc/rpc.h>; glibc 2.36 and musl ship no Sun RPC (libtirpc
# is not installed).  lmbench's library calls the portmapper only to register
# its TCP/UDP servers under a program number (the lat_tcp/lat_rpc rows, not
# run here); the three calls fail here as they do on a host with no rpcbind.
shim=$OUT/shim
mkdir -p "$shim/rpc"
cat >"$shim/rpc/types.h" <<'EOF'
#ifndef LMB_RPC_TYPES_H
#define LMB_RPC_TYPES_H
#include <sys/types.h>
typedef int bool_t;
#endif
EOF
cat >"$shim/rpc/rpc.h" <<'EOF'
#ifndef LMB_RPC_H
#define LMB_RPC_H
#include <rpc/types.h>
#include <netinet/in.h>
typedef unsigned long u_long;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned char u_char;
int pmap_set(unsigned long, unsigned long, int, unsigned short);
int pmap_unset(unsigned long, unsigned long);
unsigned short pmap_getport(struct sockaddr_in *, unsigned long, unsigned long, unsigned int);
#endif
EOF
cat >"$shim/pmap.c" <<'EOF'
#include <errno.h>
#include <rpc/rpc.h>
/* no portmapper: what the calls return when rpcbind is not running */
int pmap_set(unsigned long p, unsigned long v, int proto, unsigned short port)
{ (void)p; (void)v; (void)proto; (void)port; errno = ECONNREFUSED; return 0; }
int pmap_unset(unsigned long p, unsigned long v) { (void)p; (void)v; return 0; }
unsigned short pmap_getport(struct sockaddr_in *a, unsigned long p, unsigned long v, unsigned int proto)
{ (void)a; (void)p; (void)v; (void)proto; errno = ECONNREFUSED; return 0; }
EOF

# ---- build: every program, per variant, against lmbench's own library ----
# The flags are what lmbench's scripts/build finds on a Linux/glibc host.
CFLAGS="-O2 -w -fcommon -DHAVE_uint=1 -DHAVE_uint64_t=1 -DHAVE_int64_t=1 -DHAVE_DRAND48
-DHAVE_SCHED_SETAFFINITY=1 -DRUSAGE -D_GNU_SOURCE -I$shim -I$SRC"
build_variant() {	# variant
	v=$1; o=$OUT/obj/$v
	case $v in
	glibc-static) cc="nice -n 10 riscv64-linux-gnu-gcc"; ld="-static" ;;
	glibc-dynamic) cc="nice -n 10 riscv64-linux-gnu-gcc"; ld="" ;;
	musl-static) cc="nice -n 10 $MUSL_GCC"; ld="-static" ;;
	musl-dynamic) cc="nice -n 10 $MUSL_GCC"; ld="-Wl,--dynamic-linker=/lib/ld-musl-riscv64.so.1" ;;
	*) echo "lmbench: unknown variant $v"; return 1 ;;
	esac
	rm -rf "$o" && mkdir -p "$o/bin"
	objs=""
	for l in $LIBSRC; do
		$cc $CFLAGS -c -o "$o/$l.o" "$SRC/$l.c" || return 1
		objs="$objs $o/$l.o"
	done
	$cc $CFLAGS -c -o "$o/pmap.o" "$shim/pmap.c" || return 1
	riscv64-linux-gnu-ar rcs "$o/liblmb.a" $objs "$o/pmap.o"
	for p in $PROGS; do
		$cc $CFLAGS $ld -o "$o/bin/$p" "$SRC/$p.c" "$o/liblmb.a" -lm || return 1
		riscv64-linux-gnu-strip "$o/bin/$p"
	done
}
for v in $VARIANTS; do
	echo "lmbench: building $v"
	build_variant "$v" >"$OUT/build-$v.log" 2>&1 ||
		{ echo "lmbench: build $v failed (see $OUT/build-$v.log)"; tail -5 "$OUT/build-$v.log"; exit 1; }
done

# ---- the rootfs extra: /lmb/<variant>/<prog>, /lmb/run.sh as init ----
stage=$OUT/extra
rm -rf "$stage" && mkdir -p "$stage/lmb"
for v in $VARIANTS; do cp -a "$OUT/obj/$v/bin" "$stage/lmb/$v"; done
# one line per row: name|command (run from /tmp; $F is an 8 MiB file)
cat >"$stage/lmb/rows" <<'EOF'
syscall-null|lat_syscall -P 1 null
syscall-read|lat_syscall -P 1 read
syscall-write|lat_syscall -P 1 write
syscall-stat|lat_syscall -P 1 stat /tmp/lmb.f
syscall-fstat|lat_syscall -P 1 fstat /tmp/lmb.f
syscall-open|lat_syscall -P 1 open /tmp/lmb.f
select-file-100|lat_select -P 1 -n 100 file
sig-install|lat_sig -P 1 install
sig-catch|lat_sig -P 1 catch
sig-prot|lat_sig -P 1 prot /tmp/lmb.f
pipe|lat_pipe -P 1
proc-fork|lat_proc -P 1 fork
proc-exec|lat_proc -P 1 exec
proc-shell|lat_proc -P 1 shell
pagefault|lat_pagefault -P 1 /tmp/lmb.f
mmap-4m|lat_mmap -P 1 4m /tmp/lmb.f
fs|lat_fs /tmp/lmbfs
bw-pipe|bw_pipe -P 1
bw-file-rd-4m|bw_file_rd -P 1 4m io_only /tmp/lmb.f
bw-mmap-rd-4m|bw_mmap_rd -P 1 4m mmap_only /tmp/lmb.f
ctx-0k|lat_ctx -P 1 -s 0 2 8
EOF
grep -E "^($ROWS)" "$stage/lmb/rows" >"$stage/lmb/rows.sel" || true
mv "$stage/lmb/rows.sel" "$stage/lmb/rows"
cat >"$stage/lmb/run.sh" <<EOF
#!/bin/sh
# inside duet: every row of every variant; lmbench prints its figures on stderr
cd /tmp
dd if=/dev/zero of=/tmp/lmb.f bs=65536 count=128 2>/dev/null
mkdir -p /tmp/lmbfs
N="${LMBENCH_N:+-N $LMBENCH_N}"
# what lmbench's scripts/config-scaling does once per machine: the timing
# interval (ENOUGH) and the clock's and the loop's overheads, exported to
# every program (else each one calibrates itself, seconds to minutes each)
v1=\$(echo $VARIANTS | cut -d' ' -f1)
if [ "$ENOUGH" = calibrate ]; then ENOUGH=\$(/lmb/\$v1/enough); else ENOUGH=$ENOUGH; fi
export ENOUGH
export TIMING_O=\$(/lmb/\$v1/timing_o)
export LOOP_O=\$(/lmb/\$v1/loop_o)
echo "@@calib ENOUGH=\$ENOUGH TIMING_O=\$TIMING_O LOOP_O=\$LOOP_O"
for v in $VARIANTS; do
	# lat_proc execs /tmp/hello, as lmbench's scripts arrange
	cp /lmb/\$v/hello /tmp/hello
	while IFS='|' read -r row cmd; do
		set -- \$cmd
		p=\$1; shift
		echo "@@ \$v \$row"
		timeout $TMO /lmb/\$v/\$p \$N "\$@" </dev/null 2>&1
		echo "@@rc \$?"
	done </lmb/rows
done
echo "@@done"
poweroff -f
EOF
chmod +x "$stage/lmb/run.sh"
nice env BUILD="$BUILD" WITH_BUSYBOX=1 EXTRA="$stage" \
	sh scripts/mk-rootfs.sh "$OUT/rootfs" "$OUT/initramfs.cpio" $(ls "$BUILD"/user/* | grep -v '\.') >/dev/null ||
	{ echo "lmbench: rootfs failed"; exit 1; }
[ "${LMBENCH_BUILD_ONLY:-0}" = 1 ] && { echo "lmbench: staged in $stage"; exit 0; }

# ---- one boot per mode, same kernel ----
# a copy of the kernel: both boots run the same binary even if build/ changes meanwhile
cp "$BUILD/kernel.elf" "$OUT/kernel.elf"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for m in $MODES; do
	log=$OUT/duet-$(echo "$m" | tr = -).log
	echo "lmbench: booting $m"
	timeout --foreground -k 5 7200 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
		-bios default -kernel "$OUT/kernel.elf" -append "init=/lmb/run.sh $m loglevel=warn" \
		-device virtio-rng-device -initrd "$OUT/initramfs.cpio" </dev/null >"$log.raw" 2>&1
	tr -d '\r' <"$log.raw" >"$log" && rm -f "$log.raw"
	grep -q '^@@done' "$log" || echo "lmbench: $m did not finish (see $log)"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

echo "$load0" >"$OUT/load-before.txt"; echo "$load1" >"$OUT/load-after.txt"
fi	# LMBENCH_TABLE_ONLY
load0=$(cat "$OUT/load-before.txt"); load1=$(cat "$OUT/load-after.txt")

# ---- the table ----
# figures: "<variant> <row> <value>"; a row that printed no figure gets its
# last output line and exit status instead
figures() {	# log
	awk -f "$(dirname "$0")/lmbench-figures.awk" "$1"
}
tbl=$OUT/table.md
: >"$tbl"
m1=$(echo $MODES | cut -d' ' -f1); m2=$(echo $MODES | cut -d' ' -f2)
f1=$OUT/duet-$(echo "$m1" | tr = -).log; f2=$OUT/duet-$(echo "$m2" | tr = -).log
figures "$f1" >"$OUT/fig1.txt"; figures "$f2" >"$OUT/fig2.txt" 2>/dev/null || : >"$OUT/fig2.txt"
{
echo "host load average (1/5/15 min) before: $load0, after: $load1"
for v in $VARIANTS; do
	echo
	echo "lmbench, $v:"
	echo
	echo "| row | unit | $m1 | $m2 | ratio |"
	echo "|---|---|---|---|---|"
	# every row either boot printed, in the order the runs printed them
	awk -v v="$v" '
	$1 != v { next }
	!($2 in seen) { seen[$2] = 1; order[++n] = $2 }
	FILENAME == ARGV[1] { a[$2] = $3 } FILENAME == ARGV[2] { b[$2] = $3 }
	END {
		for (i = 1; i <= n; i++) {
			r = order[i]
			x = (r in a) ? a[r] : "no line"; y = (r in b) ? b[r] : "no line"
			u = (r ~ /^bw-/) ? "MB/s" : (r ~ /^fs-/) ? "files/s" : "us"
			q = (x ~ /^[0-9.]+$/ && y ~ /^[0-9.]+$/ && y > 0) ? sprintf("%.2f", x / y) : ""
			gsub(/_/, " ", x); gsub(/_/, " ", y)
			printf "| %s | %s | %s | %s | %s |\n", r, u, x, y, q
		}
	}' "$OUT/fig1.txt" "$OUT/fig2.txt"
done
echo
echo "(ratio = $m1 / $m2 of the figure: above 1 is slower for latencies, faster for MB/s and files/s)"
} >"$tbl"
cat "$tbl"
