#!/bin/sh
# Host tests of the DTB parser (kernel/fdt.c, kernel/platform_dt.c), the page
# pool (kernel/page_alloc.c) and the slab allocator (kernel/kmalloc.c), under
# ASan and UBSan.  Prints PASS/FAIL lines; exits non-zero on any failure.
#
# 1. Dumps device trees with QEMU into $BUILD/test-dtb/: virt -smp 1/2/4
#    (-m 512M), sifive_u -smp 5 -m 2G, virt with -append "a b=c" and an
#    -initrd (which needs a -kernel: a 64-byte dummy), and virt-resv: the
#    -smp 1 tree with a /memreserve/ entry and a /reserved-memory node added
#    through dtc.
# 2. For each, NAME.expect: what dtc and fdtget read from the blob (node
#    paths, memory, reserved regions, cpus, stdout uart, PLIC, CLINT,
#    finisher, /chosen), so tests/host/test_fdt.c can cross-check the parser
#    against an independent reader.
# 3. Builds and runs test_fdt and test_alloc.
#
#   STRESS_OPS=N   operations per allocator stress test (default 300000)
#   FUZZ=N         mutated blobs for the DTB fuzz test (default 10000)
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
D=$BUILD/test-dtb
H=$BUILD/host
mkdir -p "$D" "$H"
STRESS_OPS=${STRESS_OPS:-300000}
FUZZ=${FUZZ:-10000}
pass=0
fail=0

# ---------------------------------------------------------------- 1. dump

# dump NAME MACHINE ARGS...
dump() {
	name=$1 machine=$2
	shift 2
	rm -f "$D/$name.dtb"
	if ! qemu-system-riscv64 -M "$machine,dumpdtb=$D/$name.dtb" -display none -serial none \
		-monitor none "$@" < /dev/null > "$D/$name.qemu.log" 2>&1 || [ ! -s "$D/$name.dtb" ]; then
		cat "$D/$name.qemu.log"
		echo "FAIL dtb_dump $name: qemu-system-riscv64 -M $machine,dumpdtb=... $*"
		fail=$((fail + 1))
		return 1
	fi
}

for tool in qemu-system-riscv64 dtc fdtget gcc; do
	if ! command -v $tool > /dev/null; then
		echo "FAIL alloc-fdt: $tool not installed"
		exit 1
	fi
done

printf 'duet test initrd\n' > "$D/initrd.bin"
head -c 64 /dev/zero > "$D/kernel.bin"		# -append and -initrd need a -kernel
dump virt-smp1 virt -smp 1 -m 512M
dump virt-smp2 virt -smp 2 -m 512M
dump virt-smp4 virt -smp 4 -m 512M
dump sifive_u-smp5 sifive_u -smp 5 -m 2G
dump virt-chosen virt -smp 1 -m 512M -kernel "$D/kernel.bin" -append "a b=c" -initrd "$D/initrd.bin"

# virt-resv: reserved memory added through dtc (a QEMU dump has none)
if [ -s "$D/virt-smp1.dtb" ]; then
	dtc -q -I dtb -O dts "$D/virt-smp1.dtb" | awk '
		/^};$/ {	# the end of / (properties must precede subnodes)
			print "\treserved-memory {"
			print "\t\t#address-cells = <0x02>;"
			print "\t\t#size-cells = <0x02>;"
			print "\t\tranges;"
			print "\t\ttest@88000000 {"
			print "\t\t\treg = <0x00 0x88000000 0x00 0x100000>;"
			print "\t\t\tno-map;"
			print "\t\t};"
			print "\t};"
		}
		{ print }
		/^\/dts-v1\/;$/ { print "/memreserve/ 0x80000000 0x80000;" }' > "$D/virt-resv.dts" &&
	dtc -q -I dts -O dtb -o "$D/virt-resv.dtb" "$D/virt-resv.dts" || {
		echo "FAIL dtb_dump virt-resv: dtc failed"
		fail=$((fail + 1))
	}
fi

# ---------------------------------------------------------------- 2. dtc's view

# The first node whose compatible list holds exactly $2, from NODES file $1.
find_compat() {
	grep -E "^prop [^ ]+ compatible = .*(\"|\\\\0)$2(\"|\\\\0)" "$1" | head -n 1 | cut -d' ' -f2
}

# gen_expect NAME [INITRD-FILE]
gen_expect() {
	dtb=$D/$1.dtb nodes=$D/$1.nodes
	dtc -q -I dtb -O dts "$dtb" > "$D/$1.dts" || return 1
	awk '
		/^[ \t]*\/ \{$/ { d = 0; path[0] = "/"; print "node /"; next }
		/^[ \t]*[^ \t]+ \{$/ { p = (d == 0 ? "" : path[d]) "/" $1; path[++d] = p; print "node " p; next }
		/^[ \t]*\};$/ { d--; next }
		/^[ \t]*(compatible|device_type) = / { l = $0; sub(/^[ \t]*/, "", l); print "prop " path[d] " " l }
		/^\/memreserve\// { gsub(/;/, ""); print "resv " $2 " " $3 }
	' "$D/$1.dts" > "$nodes"
	grep -E '^(node|resv) ' "$nodes"
	echo "model $(fdtget -ts "$dtb" / model)"
	grep -E '^prop [^ ]+ device_type = "memory";' "$nodes" | cut -d' ' -f2 | while read -r m; do
		echo "mem $(fdtget -tx "$dtb" "$m" reg)"
	done
	for c in $(fdtget -l "$dtb" /reserved-memory 2> /dev/null); do
		echo "resvmem $(fdtget -tx "$dtb" "/reserved-memory/$c" reg)"
	done
	echo "timebase $(fdtget -tx "$dtb" /cpus timebase-frequency)"
	for c in $(fdtget -l "$dtb" /cpus); do
		[ "$(fdtget -ts "$dtb" "/cpus/$c" device_type 2> /dev/null)" = cpu ] || continue
		mmu=$(fdtget -ts "$dtb" "/cpus/$c" mmu-type 2> /dev/null)
		has=0
		[ -n "$mmu" ] && [ "$mmu" != riscv,none ] && has=1
		ph=$(fdtget -tx "$dtb" "/cpus/$c/interrupt-controller" phandle 2> /dev/null || echo 0)
		echo "cpu $(fdtget -tx "$dtb" "/cpus/$c" reg) $has $ph"
	done
	sp=$(fdtget -ts "$dtb" /chosen stdout-path)
	sp=${sp%%:*}
	case $sp in
	/*) ;;
	*) sp=$(fdtget -ts "$dtb" /aliases "$sp") ;;
	esac
	echo "uart $(fdtget -tx "$dtb" "$sp" reg)"
	echo "uart_irq $(fdtget -tx "$dtb" "$sp" interrupts)"
	plic=$(find_compat "$nodes" riscv,plic0)
	[ -n "$plic" ] || plic=$(find_compat "$nodes" sifive,plic-1.0.0)
	if [ -n "$plic" ]; then
		echo "plic $(fdtget -tx "$dtb" "$plic" reg)"
		echo "plic_ndev $(fdtget -tx "$dtb" "$plic" riscv,ndev)"
		echo "plic_ie $(fdtget -tx "$dtb" "$plic" interrupts-extended)"
	fi
	clint=$(find_compat "$nodes" riscv,clint0)
	[ -n "$clint" ] || clint=$(find_compat "$nodes" sifive,clint0)
	[ -n "$clint" ] && echo "clint $(fdtget -tx "$dtb" "$clint" reg)"
	fin=$(find_compat "$nodes" sifive,test0)
	[ -n "$fin" ] && echo "finisher $(fdtget -tx "$dtb" "$fin" reg)"
	ba=$(fdtget -ts "$dtb" /chosen bootargs 2> /dev/null) && echo "bootargs $ba"
	v=$(fdtget -tx "$dtb" /chosen linux,initrd-start 2> /dev/null) && echo "initrd_start $v"
	v=$(fdtget -tx "$dtb" /chosen linux,initrd-end 2> /dev/null) && echo "initrd_end $v"
	[ -n "$2" ] && echo "initrd_size $(wc -c < "$2" | tr -d ' ')"
	return 0
}

for n in virt-smp1 virt-smp2 virt-smp4 sifive_u-smp5 virt-chosen virt-resv; do
	[ -s "$D/$n.dtb" ] || continue
	rd=
	[ $n = virt-chosen ] && rd=$D/initrd.bin
	if ! gen_expect $n $rd > "$D/$n.expect"; then
		echo "FAIL dtc_view $n: dtc could not read $D/$n.dtb"
		fail=$((fail + 1))
	fi
done

# ---------------------------------------------------------------- 3. build, run

# UBSan recovers (reports each site once and goes on, so one finding does
# not hide the other checks); every "runtime error:" line counts as a FAIL.
CFLAGS="-O1 -g -fsanitize=address,undefined -Wall -Wextra -Werror -DHOST -I."
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1

# build NAME SOURCES...
build() {
	name=$1
	shift
	if ! gcc $CFLAGS "$@" -o "$H/$name" 2> "$H/$name.err"; then
		cat "$H/$name.err"
		echo "FAIL build $name"
		fail=$((fail + 1))
		return 1
	fi
}

# run LABEL PROGRAM ARGS...: PASS/FAIL lines count; a non-zero exit
# without a FAIL line (sanitizer report, crash, timeout) counts as one.
run() {
	label=$1
	shift
	timeout 60 "$@" > "$H/$label.out" 2>&1
	rc=$?
	cat "$H/$label.out"
	p=$(grep -c '^PASS' "$H/$label.out")
	f=$(grep -c '^FAIL' "$H/$label.out")
	u=$(grep -c 'runtime error:' "$H/$label.out")
	if [ "$u" -gt 0 ]; then
		grep 'runtime error:' "$H/$label.out" | sed "s/^/FAIL $label: UBSan: /"
		f=$((f + u))
	fi
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		# ASan aborts at its first report
		echo "FAIL $label: exit status $rc (sanitizer report or crash above)"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

build test_fdt tests/host/test_fdt.c kernel/fdt.c kernel/platform_dt.c &&
	run test_fdt "$H/test_fdt" "$D" "$FUZZ"
build test_alloc tests/host/test_alloc.c kernel/page_alloc.c kernel/kmalloc.c &&
	run test_alloc "$H/test_alloc" "$STRESS_OPS"

echo "alloc-fdt: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
