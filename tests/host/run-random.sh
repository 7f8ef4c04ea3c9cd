#!/bin/sh
# Host tests of the ChaCha20 generator (RFC 8439 vectors, the pool's
# reseeding) and the RTC's calendar code, under ASan and UBSan; then a copy
# built with one ChaCha20 rotation wrong must fail the RFC vectors; last, the
# DTB parser's RTC and rng-seed on QEMU-dumped trees.  Prints PASS/FAIL lines.
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
"$out"
rc=$?
# negative control: one ChaCha20 rotation wrong must fail all three RFC vectors
gcc -O1 -g -Wall -Wextra -Werror -DHOST -DBROKEN_CHACHA -I. \
	tests/host/test_random.c kernel/chacha20.c kernel/calendar.c kernel/random.c -o "$out-broken" || {
	echo "FAIL random_negative_control_build: gcc failed"
	exit 1
}
n=$("$out-broken" 2>&1 | grep -c '^FAIL rfc8439_')
if [ "$n" -eq 3 ]; then
	echo "PASS random_negative_control: a wrong rotation fails the 3 RFC 8439 vectors"
else
	echo "FAIL random_negative_control: a broken ChaCha20 failed $n of the 3 RFC 8439 vectors"
	rc=1
fi

# the DTB parser finds the RTC and the seed on trees QEMU dumps (virt has
# both, sifive_u neither), against fdtget's reading of the same blob
D=$BUILD/test-dtb-random
mkdir -p "$D"
if gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra -Werror \
	-DHOST -I. tests/host/test_dt_devices.c kernel/fdt.c kernel/platform_dt.c -o "$out-dt"; then
	for m in virt sifive_u; do
		rm -f "$D/$m.dtb"
		qemu-system-riscv64 -M "$m,dumpdtb=$D/$m.dtb" -display none -serial none -monitor none \
			</dev/null >"$D/$m.log" 2>&1
		rtc=0x$(fdtget -t x "$D/$m.dtb" /soc/rtc@101000 reg 2>/dev/null | awk '{ print $2 }')
		[ "$rtc" = 0x ] && rtc=0
		# fdtget prints bytes unpadded ("6", not "06")
		seed=$(for b in $(fdtget -t bx "$D/$m.dtb" /chosen rng-seed 2>/dev/null); do printf %02x "0x$b"; done)
		"$out-dt" "dt-$m" "$D/$m.dtb" "$rtc" "${seed:--}" || rc=1
	done
else
	echo "FAIL dt_devices_build: gcc failed"
	rc=1
fi
exit $rc
