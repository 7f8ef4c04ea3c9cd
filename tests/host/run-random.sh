#!/bin/sh
# Host tests of ChaCha20 (RFC 8439 vectors), the generator (kernel/crng.c)
# and the calendar (kernel/calendar.c), under ASan and UBSan; then the same
# test built with one ChaCha20 rotation wrong must fail the RFC vectors.
# Last, the DTB parser's RTC and rng-seed on trees QEMU dumps (virt has
# both, sifive_u neither), against fdtget.
# Prints PASS/FAIL lines; exits non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
mkdir -p "$BUILD/host"
SRC="tests/host/test_random.c kernel/chacha20.c kernel/crng.c kernel/calendar.c"
FLAGS="-O1 -g -std=gnu11 -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra -Werror -DHOST -I."
out=$BUILD/host/test_random
# shellcheck disable=SC2086
gcc $FLAGS $SRC -o "$out" || { echo "FAIL random_build: gcc failed"; exit 1; }
"$out"
rc=$?
# shellcheck disable=SC2086
if gcc $FLAGS -DBROKEN_CHACHA $SRC -o "$out-broken"; then
	if "$out-broken" | grep -q '^FAIL .*RFC 8439'; then
		echo "PASS random_negative_control: a wrong rotation fails the RFC vectors"
	else
		echo "FAIL random_negative_control: a broken ChaCha20 passed the RFC vectors"
		rc=1
	fi
else
	echo "FAIL random_negative_control: build failed"
	rc=1
fi

D=$BUILD/test-dtb-random
mkdir -p "$D"
# shellcheck disable=SC2086
if gcc $FLAGS tests/host/test_dt_devices.c kernel/fdt.c kernel/platform_dt.c -o "$out-dt"; then
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
