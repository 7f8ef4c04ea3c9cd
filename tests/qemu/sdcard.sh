#!/bin/sh
# Issue 5: `make sdcard BOARD=unmatched` (scripts/mk-sdcard.sh).  Checks the
# partition table (sgdisk -v, sfdisk -d), the files on the boot partition
# against what the build produced, extlinux.conf, the firmware partitions
# when UBOOT_SPL=/UBOOT_ITB= are given (stand-in files here), refusals of bad
# input, and finally boots the card in QEMU virt through U-Boot's distro boot.
. tests/lib.sh

T=$BUILD/test-sdcard
rm -rf "$T" && mkdir -p "$T"
SECTOR=512
BOOT_START=16384
SPL_TYPE=5B193300-FC78-40CD-8002-E86C45580B47
ITB_TYPE=2E54B353-1271-4842-806F-E436D6AF6985
FAT_TYPE=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
export MTOOLS_SKIP_CHECK=1

# make_card NAME MAKE-ARGS...: runs `make sdcard` into $T/NAME.img, log kept.
make_card() {
	name=$1; shift
	make --no-print-directory sdcard BUILD="$BUILD" BOARD=unmatched SDCARD="$T/$name.img" \
		DISK_DEPS=kernel OFFLOAD=1 LOG=info INIT= ARGS= "$@" \
		>"$LOGDIR/sdcard-$name-make.log" 2>&1
}

# part_line IMG N: partition N's line from sfdisk -d
part_line() { sfdisk -d "$1" 2>/dev/null | grep "^${1}${2} :"; }
# field LINE KEY: start=, size=, type=, attrs= value
field() { echo "${1#* : }" | tr ',' '\n' | sed -n "s/^ *$2= *//p" | tr -d '"' ; }

expect_eq() {	# NAME EXPECTED GOT
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# check_boot_part TESTPREFIX IMG PARTNO INITRD: the FAT boot partition
check_boot_part() {
	p=$1 img=$2 pn=$3 initrd=$4
	line=$(part_line "$img" "$pn")
	expect_eq "$p-boot-start" $BOOT_START "$(field "$line" start)"
	expect_eq "$p-boot-type" $FAT_TYPE "$(field "$line" type)"
	expect_eq "$p-boot-bootable" LegacyBIOSBootable "$(field "$line" attrs)"
	fs="$img@@$((BOOT_START * SECTOR))"
	dd if="$img" of="$T/part.fat" bs=$SECTOR skip=$BOOT_START count="$(field "$line" size)" status=none
	if fsck.fat -n "$T/part.fat" >"$LOGDIR/sdcard-fsck.log" 2>&1; then pass "$p-fsck"; else
		fail "$p-fsck" "expected a clean FAT, got: $(tail -2 "$LOGDIR/sdcard-fsck.log" | tr '\n' '|')"; fi
	# every file, recursively, with the long names
	got=$(mdir -i "$fs" -/ -b :: 2>/dev/null | sed 's|^::||' | grep -v '/$' | sort | tr '\n' ' ')
	want="/Image /extlinux/extlinux.conf "
	[ -n "$initrd" ] && want="/Image /extlinux/extlinux.conf /initramfs.cpio "
	expect_eq "$p-files" "$want" "$got"
	mcopy -n -i "$fs" ::/Image "$T/Image.out" 2>/dev/null
	if cmp -s "$T/Image.out" "$BUILD/Image"; then pass "$p-image-same"; else
		fail "$p-image-same" "expected ::/Image to equal $BUILD/Image, got a different file"; fi
	if [ -n "$initrd" ]; then
		mcopy -n -i "$fs" ::/initramfs.cpio "$T/initrd.out" 2>/dev/null
		if cmp -s "$T/initrd.out" "$initrd"; then pass "$p-initrd-same"; else
			fail "$p-initrd-same" "expected ::/initramfs.cpio to equal $initrd"; fi
	fi
	mcopy -n -i "$fs" ::/extlinux/extlinux.conf "$T/extlinux.conf" 2>/dev/null
	check_extlinux "$p" "$T/extlinux.conf" "$fs" "$initrd"
}

# check_extlinux PREFIX FILE FS INITRD: as U-Boot's sysboot reads it -- the
# default label exists and names a kernel (and initrd) present on the FS.
check_extlinux() {
	p=$1 f=$2 fs=$3 initrd=$4
	awk '
		/^[ \t]*#/ || /^[ \t]*$/ { next }
		{ k = tolower($1); v = $0; sub(/^[ \t]*[^ \t]+[ \t]*/, "", v) }
		k == "default" { def = v; next }
		k == "label" { cur = v; labels[v] = 1; next }
		k == "kernel" || k == "linux" || k == "initrd" || k == "append" || k == "fdt" {
			if (cur == "") { print "ERR " k " outside a label"; next }
			val[cur, k] = v; next }
		k == "timeout" || k == "prompt" || k == "menu" { next }
		{ print "ERR unknown keyword " k }
		END {
			if (!(def in labels)) print "ERR default label \"" def "\" not defined"
			print "kernel=" val[def, "kernel"]
			print "initrd=" val[def, "initrd"]
			print "append=" val[def, "append"]
		}' "$f" >"$T/extlinux.parsed"
	if grep -q '^ERR' "$T/extlinux.parsed"; then
		fail "$p-extlinux-syntax" "$(grep '^ERR' "$T/extlinux.parsed" | head -1)"; else pass "$p-extlinux-syntax"; fi
	k=$(sed -n 's/^kernel=//p' "$T/extlinux.parsed")
	i=$(sed -n 's/^initrd=//p' "$T/extlinux.parsed")
	a=$(sed -n 's/^append=//p' "$T/extlinux.parsed")
	expect_eq "$p-extlinux-kernel" /Image "$k"
	if [ -n "$k" ] && mdir -i "$fs" "::$k" >/dev/null 2>&1; then pass "$p-extlinux-kernel-exists"; else
		fail "$p-extlinux-kernel-exists" "expected ::$k on the boot partition, got none"; fi
	if [ -n "$initrd" ]; then
		expect_eq "$p-extlinux-initrd" /initramfs.cpio "$i"
	else
		expect_eq "$p-extlinux-no-initrd" "" "$i"
	fi
	expect_eq "$p-extlinux-append" "$EXPECT_APPEND" "$(echo "$a" | tr -s ' ' | sed 's/ $//')"
}

# --- 0. where `make sdcard BOARD=unmatched` writes by default -----------------
if make -n --no-print-directory sdcard BUILD="$BUILD" BOARD=unmatched DISK_DEPS= 2>/dev/null |
	grep -q "mk-sdcard.sh $BUILD/sdcard-unmatched.img $BUILD/Image $BUILD/initramfs.cpio"; then
	pass sdcard-default-path; else
	fail sdcard-default-path "expected make -n sdcard to write $BUILD/sdcard-unmatched.img from $BUILD/Image and $BUILD/initramfs.cpio"; fi

# --- 1. the card as `make sdcard BOARD=unmatched` writes it, no firmware ------
# The initrd is the build's rootfs (made by `make test` before the tests), or a
# stand-in when there is none.
INITRD_FILE=$BUILD/initramfs.cpio
[ -f "$INITRD_FILE" ] || { INITRD_FILE=$T/standin.cpio; echo standin >"$INITRD_FILE"; }
EXPECT_APPEND="offload=1 loglevel=info selftest=1 sdcard_test=1"
n=sdcard-plain
if make_card plain INITRD="$INITRD_FILE" EXTRA_BOOTARGS="selftest=1 sdcard_test=1"; then pass "$n-make"; else
	fail "$n-make" "expected make sdcard to succeed, got: $(tail -2 "$LOGDIR/sdcard-plain-make.log" | tr '\n' '|')"; fi
img=$T/plain.img
if sgdisk -v "$img" 2>&1 | grep -q 'No problems found'; then pass "$n-sgdisk-verify"; else
	fail "$n-sgdisk-verify" "expected 'No problems found', got: $(sgdisk -v "$img" 2>&1 | head -3 | tr '\n' '|')"; fi
expect_eq "$n-label" gpt "$(sfdisk -d "$img" 2>/dev/null | sed -n 's/^label: //p')"
expect_eq "$n-nparts" 1 "$(sfdisk -d "$img" 2>/dev/null | grep -c "^${img}[0-9]* :")"
check_boot_part $n "$img" 1 "$INITRD_FILE"

# --- 2. with the board's U-Boot SPL and ITB (stand-ins of realistic size) ------
n=sdcard-fw
head -c 130000 /dev/urandom >"$T/u-boot-spl.bin"
head -c 900000 /dev/urandom >"$T/u-boot.itb"
printf '\0\1\2 duet test initramfs' >"$T/initrd.cpio"
if make_card fw UBOOT_SPL="$T/u-boot-spl.bin" UBOOT_ITB="$T/u-boot.itb" INITRD="$T/initrd.cpio" \
	EXTRA_BOOTARGS="selftest=1 sdcard_test=1"; then pass "$n-make"; else
	fail "$n-make" "expected make sdcard to succeed, got: $(tail -2 "$LOGDIR/sdcard-fw-make.log" | tr '\n' '|')"; fi
img=$T/fw.img
if sgdisk -v "$img" 2>&1 | grep -q 'No problems found'; then pass "$n-sgdisk-verify"; else
	fail "$n-sgdisk-verify" "expected 'No problems found', got: $(sgdisk -v "$img" 2>&1 | head -3 | tr '\n' '|')"; fi
expect_eq "$n-nparts" 3 "$(sfdisk -d "$img" 2>/dev/null | grep -c "^${img}[0-9]* :")"
l1=$(part_line "$img" 1) l2=$(part_line "$img" 2)
expect_eq "$n-spl-start" 34 "$(field "$l1" start)"
expect_eq "$n-spl-size" 2048 "$(field "$l1" size)"
expect_eq "$n-spl-type" $SPL_TYPE "$(field "$l1" type)"
expect_eq "$n-itb-start" 2082 "$(field "$l2" start)"
expect_eq "$n-itb-size" 8192 "$(field "$l2" size)"
expect_eq "$n-itb-type" $ITB_TYPE "$(field "$l2" type)"
# sgdisk's own view of the type codes, as the boot ROM would match them
expect_eq "$n-sgdisk-spl-type" $SPL_TYPE "$(sgdisk -i 1 "$img" | sed -n 's/^Partition GUID code: \([0-9A-F-]*\).*/\1/p')"
expect_eq "$n-sgdisk-itb-type" $ITB_TYPE "$(sgdisk -i 2 "$img" | sed -n 's/^Partition GUID code: \([0-9A-F-]*\).*/\1/p')"
if dd if="$img" bs=$SECTOR skip=34 count=2048 status=none | head -c "$(wc -c <"$T/u-boot-spl.bin")" |
	cmp -s - "$T/u-boot-spl.bin"; then pass "$n-spl-data"; else
	fail "$n-spl-data" "expected the SPL file at sector 34, got other bytes"; fi
if dd if="$img" bs=$SECTOR skip=2082 count=8192 status=none | head -c "$(wc -c <"$T/u-boot.itb")" |
	cmp -s - "$T/u-boot.itb"; then pass "$n-itb-data"; else
	fail "$n-itb-data" "expected the ITB file at sector 2082, got other bytes"; fi
check_boot_part $n "$img" 3 "$T/initrd.cpio"

# --- 3. refusals ---------------------------------------------------------------
n=sdcard-refuse
if make_card bad1 INITRD= UBOOT_SPL="$T/u-boot-spl.bin"; then
	fail "$n-spl-only" "expected make sdcard with UBOOT_SPL but no UBOOT_ITB to fail, got success"
elif grep -q 'give both UBOOT_SPL= and UBOOT_ITB=' "$LOGDIR/sdcard-bad1-make.log"; then pass "$n-spl-only"
else fail "$n-spl-only" "expected 'give both UBOOT_SPL= and UBOOT_ITB=', got: $(tail -1 "$LOGDIR/sdcard-bad1-make.log")"; fi
head -c 1048577 /dev/zero >"$T/big-spl.bin"
if make_card bad2 INITRD= UBOOT_SPL="$T/big-spl.bin" UBOOT_ITB="$T/u-boot.itb"; then
	fail "$n-spl-too-big" "expected a 1 MiB + 1 byte SPL to be refused, got success"
elif grep -q 'larger than its partition' "$LOGDIR/sdcard-bad2-make.log"; then pass "$n-spl-too-big"
else fail "$n-spl-too-big" "expected 'larger than its partition', got: $(tail -1 "$LOGDIR/sdcard-bad2-make.log")"; fi
if make --no-print-directory sdcard BOARD=nosuchboard SDCARD="$T/bad3.img" DISK_DEPS= \
	>"$LOGDIR/sdcard-bad3-make.log" 2>&1; then
	fail "$n-board" "expected BOARD=nosuchboard to fail, got success"
else pass "$n-board"; fi

# --- 4. the firmware card's boot partition (partition 3) boots through U-Boot ----
# QEMU's U-Boot skips the firmware partitions (not bootable) and uses the
# extlinux.conf on partition 3, as the Unmatched's U-Boot does from the SD card.
UBOOT_BIN=${UBOOT_BIN:-/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin}
n=sdcard-uboot
# with the build's rootfs if there is one (the stand-ins above are not cpio archives)
REAL_INITRD=$(ls "$BUILD/initramfs.cpio" 2>/dev/null || true)
make_card boot UBOOT_SPL="$T/u-boot-spl.bin" UBOOT_ITB="$T/u-boot.itb" INITRD="$REAL_INITRD" \
	EXTRA_BOOTARGS="selftest=1 sdcard_test=1" || fail "$n-make" "make sdcard failed"
timeout --foreground -k 5 45 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
	-bios default -kernel "$UBOOT_BIN" \
	-drive file="$T/boot.img",format=raw,if=none,id=bootdisk,readonly=on \
	-device virtio-blk-device,drive=bootdisk </dev/null >"$LOGDIR/$n.log" 2>&1
QEMU_STATUS=$?
check_status $n 0
check_log $n "$n-partition-3" '^Scanning virtio 0:3\.\.\.$'
check_log $n "$n-append" '^append: offload=1 loglevel=info +selftest=1 sdcard_test=1 *$'
check_log $n "$n-selftest" '^selftest: PASS$'
[ -n "$REAL_INITRD" ] && check_log $n "$n-initrd" 'initramfs: [1-9][0-9]* entries'
check_no_log $n "$n-no-panic" 'panic|ERROR'
