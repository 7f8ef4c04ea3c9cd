#!/bin/sh
# Host tests of the ChaCha20 generator (RFC 8439 vectors, the pool's
# reseeding), the RTC's calendar code, under ASan and UBSan, and the RTC and
# rng-seed as platform_dt.c finds them in the DTBs QEMU virt and sifive_u
# hand over.  Prints PASS/FAIL lines.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
out=$BUILD/host/test_random
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -DHOST -I. \
	tests/host/test_random.c kernel/chacha20.c kernel/calendar.c kernel/random.c -o "$out" || {
	echo "FAIL random_build: gcc failed"
	exit 1
}
"$out" || { st=$?; echo "FAIL test_random: exit status $st"; }

# the DTB side: what QEMU virt and sifive_u really hand over (QEMU dumps them)
D=$BUILD/host/random-dtb
mkdir -p "$D"
for m in virt sifive_u; do
	rm -f "$D/$m.dtb"
	qemu-system-riscv64 -M "$m,dumpdtb=$D/$m.dtb" -display none -serial none -monitor none \
		</dev/null >"$D/$m.qemu.log" 2>&1
	[ -s "$D/$m.dtb" ] || echo "FAIL random_dtb_dump_$m: qemu -M $m,dumpdtb=... wrote nothing ($(tail -1 "$D/$m.qemu.log"))"
done
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -DHOST -I. \
	tests/host/test_rtc_dt.c kernel/fdt.c kernel/platform_dt.c -o "$BUILD/host/test_rtc_dt" || {
	echo "FAIL rtc_dt_build: gcc failed"
	exit 1
}
"$BUILD/host/test_rtc_dt" "$D/virt.dtb" "$D/sifive_u.dtb" || { echo "FAIL test_rtc_dt: exit status $?"; exit 1; }
[ -z "$st" ]
