#!/bin/sh
# Issue 5: `make sdcard BOARD=unmatched` (scripts/mk-sdcard.sh).  Checks the
# partition table (sgdisk -v, sfdisk -d), the files on the boot partition
# against what the build produced, extlinux.conf, the firmware partitions
# when UBOOT_SPL=/UBOOT_ITB= are given (stand-in files here), refusals of bad
# input, and boots a card in QEMU virt through U-Boot's distro boot.
# Issue 12: the ext2 root partition (e2fsck clean, the rootfs's files), then
# QEMU sifive_u boots with root=/dev/mmcblk0p2 on the card (SiFive SPI + SD
# SPI mode), writes files, powers off, boots again and reads them back; an
# SDHC card (block addressing) with a partition past 2 GiB.
. tests/lib.sh

T=$BUILD/test-sdcard
rm -rf "$T" && mkdir -p "$T"
SECTOR=512
BOOT_START=16384
SPL_TYPE=5B193300-FC78-40CD-8002-E86C45580B47
ITB_TYPE=2E54B353-1271-4842-806F-E436D6AF6985
FAT_TYPE=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
LINUX_TYPE=0FC63DAF-8483-4772-8E79-3D69D8477DE4
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
EXPECT_APPEND="offload=1 loglevel=info selftest=1 sdcard_test=1 root=/dev/mmcblk0p2 rootfstype=ext2"
n=sdcard-plain
if make_card plain INITRD="$INITRD_FILE" EXTRA_BOOTARGS="selftest=1 sdcard_test=1"; then pass "$n-make"; else
	fail "$n-make" "expected make sdcard to succeed, got: $(tail -2 "$LOGDIR/sdcard-plain-make.log" | tr '\n' '|')"; fi
img=$T/plain.img
if sgdisk -v "$img" 2>&1 | grep -q 'No problems found'; then pass "$n-sgdisk-verify"; else
	fail "$n-sgdisk-verify" "expected 'No problems found', got: $(sgdisk -v "$img" 2>&1 | head -3 | tr '\n' '|')"; fi
expect_eq "$n-label" gpt "$(sfdisk -d "$img" 2>/dev/null | sed -n 's/^label: //p')"
expect_eq "$n-nparts" 2 "$(sfdisk -d "$img" 2>/dev/null | grep -c "^${img}[0-9]* :")"
check_boot_part $n "$img" 1 "$INITRD_FILE"

# check_root_part PREFIX IMG PARTNO: the ext2 root partition of the rootfs
check_root_part() {
	p=$1 img=$2 pn=$3
	line=$(part_line "$img" "$pn")
	expect_eq "$p-root-type" $LINUX_TYPE "$(field "$line" type)"
	dd if="$img" of="$T/part.ext2" bs=$SECTOR skip="$(field "$line" start)" count="$(field "$line" size)" status=none
	if e2fsck -fn "$T/part.ext2" >"$LOGDIR/sdcard-e2fsck.log" 2>&1; then pass "$p-root-e2fsck"; else
		fail "$p-root-e2fsck" "expected a clean ext2, got: $(tail -2 "$LOGDIR/sdcard-e2fsck.log" | tr '\n' '|')"; fi
	debugfs -R "dump /bin/busybox $T/busybox.out" "$T/part.ext2" >/dev/null 2>&1
	if cmp -s "$T/busybox.out" "$BUILD/rootfs/bin/busybox"; then pass "$p-root-busybox"; else
		fail "$p-root-busybox" "expected /bin/busybox on the root partition to equal $BUILD/rootfs/bin/busybox"; fi
	size=$(wc -c <"$img")
	expect_eq "$p-size-power-of-2" 0 $(( size & (size - 1) ))
}
check_root_part $n "$img" 2

# --- 2. with the board's U-Boot SPL and ITB (stand-ins of realistic size) ------
EXPECT_APPEND="offload=1 loglevel=info selftest=1 sdcard_test=1 root=/dev/mmcblk0p4 rootfstype=ext2"
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
expect_eq "$n-nparts" 4 "$(sfdisk -d "$img" 2>/dev/null | grep -c "^${img}[0-9]* :")"
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
check_root_part $n "$img" 4

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
# SDCARD_ROOT=0: QEMU virt has no SD slot, so no root=/dev/mmcblk0p4 here
make_card boot SDCARD_ROOT=0 UBOOT_SPL="$T/u-boot-spl.bin" UBOOT_ITB="$T/u-boot.itb" INITRD="$REAL_INITRD" \
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

# --- 5. QEMU sifive_u: the root on the SD card (issue 12) ----------------------
# A card as `make sdcard BOARD=unmatched` writes it, the kernel given to
# QEMU directly (Debian ships no U-Boot for sifive_u) with the extlinux.conf
# append line.  Write with offload=1, read with offload=0.
n=sdcard-su
make_card su INITRD= || fail "$n-make" "make sdcard failed"
mcopy -n -i "$T/su.img@@$((BOOT_START * SECTOR))" ::/extlinux/extlinux.conf "$T/su-extlinux.conf" 2>/dev/null
APPEND_SU=$(sed -n 's/^	append //p' "$T/su-extlinux.conf")
expect_eq "$n-append" "offload=1 loglevel=info root=/dev/mmcblk0p2 rootfstype=ext2" "$APPEND_SU"
sd_boot() {	# sd_boot NAME IMG BOOTARGS [QEMU-ARGS]
	name=$1 img=$2 args=$3; shift 3
	qemu_until "$name" 150 "$HALT_RE" -M sifive_u -smp 5 -m 1G -nographic -bios default \
		-kernel "$KERNEL" -append "$args" -drive file="$img",if=sd,format=raw "$@"
}
sd_boot $n-write "$T/su.img" "$APPEND_SU loglevel=info offload=1 init=/tests/sdcard-root.sh -- write"
check_log $n-write "$n-card" '^\[.*\] mmcblk0: SDSC card on spi 0x10050000 cs 0, [0-9]+ MiB, byte addressing$'
check_log $n-write "$n-part" '\] mmcblk0p2: sectors [0-9]+-[0-9]+$'
check_log $n-write "$n-root-mounted" '\] root: /dev/mmcblk0p2 \(ext2\) mounted on /$'
check_log $n-write "$n-proc-mounts" '^root-mount /dev/mmcblk0p2 ext2$'
check_log $n-write "$n-node-disk" '^node mmcblk0 b 179, 0$'
check_log $n-write "$n-node-p2" '^node mmcblk0p2 b 179, 2$'
check_log $n-write "$n-busybox-md5" "^busybox-md5 $(md5sum <"$BUILD/rootfs/bin/busybox" | cut -d' ' -f1)\$"
check_log $n-write "$n-uname" '^uname Linux riscv64$'
check_log $n-write "$n-ls" "^tests-count $(ls "$BUILD/rootfs/tests" | wc -l)\$"
check_log $n-write "$n-write-done" '^write-done$'
check_log $n-write "$n-halt" '^duet: no shutdown device; halted with status 0$'
check_no_log $n-write "$n-write-no-eio" 'panic|ERROR|failed: -EIO'
BIG_MD5=$(seq 0 7999 | awk '{ print "line " $1 " of the duet SD card test" }' | md5sum | cut -d' ' -f1)
check_log $n-write "$n-big-md5" "^big-md5 $BIG_MD5\$"
# on the host after the power-off: clean, and the files are there
line=$(part_line "$T/su.img" 2)
dd if="$T/su.img" of="$T/su.ext2" bs=$SECTOR skip="$(field "$line" start)" count="$(field "$line" size)" status=none
if e2fsck -fn "$T/su.ext2" >"$LOGDIR/$n-e2fsck.log" 2>&1; then pass "$n-e2fsck"; else
	fail "$n-e2fsck" "expected e2fsck -fn clean after duet wrote, got: $(tail -3 "$LOGDIR/$n-e2fsck.log" | tr '\n' '|')"; fi
expect_eq "$n-host-note" "written on the SD card" "$(debugfs -R 'cat /sdcard-note' "$T/su.ext2" 2>/dev/null)"
expect_eq "$n-host-big" "$BIG_MD5" "$(debugfs -R 'cat /sdcard-big' "$T/su.ext2" 2>/dev/null | md5sum | cut -d' ' -f1)"
sd_boot $n-read "$T/su.img" "$APPEND_SU loglevel=warn offload=0 init=/tests/sdcard-root.sh -- read"
check_log $n-read "$n-read-note" '^note: written on the SD card$'
check_log $n-read "$n-read-big" "^big-md5 $BIG_MD5\$"
check_log $n-read "$n-read-deep" '^deep: deep$'
check_log $n-read "$n-read-rm" '^rm-done$'
check_log $n-read "$n-read-halt" '^duet: no shutdown device; halted with status 0$'
check_no_log $n-read "$n-read-no-eio" 'panic|ERROR|failed: -EIO'
dd if="$T/su.img" of="$T/su.ext2" bs=$SECTOR skip="$(field "$line" start)" count="$(field "$line" size)" status=none
if e2fsck -fn "$T/su.ext2" >"$LOGDIR/$n-e2fsck2.log" 2>&1; then pass "$n-e2fsck-after-rm"; else
	fail "$n-e2fsck-after-rm" "expected e2fsck -fn clean, got: $(tail -3 "$LOGDIR/$n-e2fsck2.log" | tr '\n' '|')"; fi

# --- 6. an SDHC card (4 GiB, sparse): block addressing, a partition past 2 GiB --
# A byte address of its sectors would not fit CMD17's 32 bits.
n=sdcard-sdhc
rm -f "$T/hc.img" && truncate -s 4G "$T/hc.img"
printf 'label: dos\nstart=8000000, size=131072, type=83\n' | sfdisk -q "$T/hc.img"
rm -rf "$T/hc-tree" && mkdir -p "$T/hc-tree" && echo "from the host, past 2 GiB" >"$T/hc-tree/hello"
truncate -s 64M "$T/hc.ext2"
mke2fs -q -F -t ext2 -d "$T/hc-tree" "$T/hc.ext2"
dd if="$T/hc.ext2" of="$T/hc.img" bs=$SECTOR seek=8000000 conv=notrunc,sparse status=none
sd_boot $n "$T/hc.img" "loglevel=info offload=1 init=/tests/sdcard-root.sh -- sdhc" -initrd "$INITRD_FILE"
check_log $n "$n-card" '\] mmcblk0: SDHC card on spi 0x10050000 cs 0, 4096 MiB, block addressing$'
check_log $n "$n-part" '\] mmcblk0p1: sectors 8000000-8131071$'
check_log $n "$n-read" '^hello: from the host, past 2 GiB$'
check_log $n "$n-done" '^sdhc-done$'
check_no_log $n "$n-no-eio" 'panic|ERROR|failed: -EIO'
dd if="$T/hc.img" of="$T/hc.ext2" bs=$SECTOR skip=8000000 count=131072 status=none
if e2fsck -fn "$T/hc.ext2" >"$LOGDIR/$n-e2fsck.log" 2>&1; then pass "$n-e2fsck"; else
	fail "$n-e2fsck" "expected e2fsck -fn clean, got: $(tail -3 "$LOGDIR/$n-e2fsck.log" | tr '\n' '|')"; fi
expect_eq "$n-host-reads" "$BIG_MD5" "$(debugfs -R 'cat /from-duet' "$T/hc.ext2" 2>/dev/null | md5sum | cut -d' ' -f1)"
rm -f "$T/hc.img" "$T/hc.ext2" "$T/su.ext2"
