#!/bin/sh
# Issue 5: the hand-over the HiFive Unmatched uses, on QEMU virt.  OpenSBI
# starts Debian's U-Boot (qemu-riscv64_smode); its distro boot finds
# extlinux/extlinux.conf on a virtio disk made by scripts/mk-uboot-disk.sh,
# loads Image and the initramfs, and starts the Image with booti, passing
# QEMU's DTB with /chosen/bootargs = the `append` line.  The kernel only runs
# the self-check if it read selftest=1 from there.
. tests/lib.sh

UBOOT_BIN=${UBOOT_BIN:-/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin}
IMAGE=${IMAGE:-$BUILD/Image}
n=uboot-virt
disk=$BUILD/test-uboot/disk.img
mkdir -p "$BUILD/test-uboot"

if [ ! -f "$UBOOT_BIN" ]; then
	fail "$n-uboot-present" "expected $UBOOT_BIN (package u-boot-qemu), got none"
	exit 0
fi

# a tiny valid initramfs, so the test does not depend on the rootfs build
rm -rf "$BUILD/test-uboot/rootfs" && mkdir -p "$BUILD/test-uboot/rootfs/etc"
echo "duet u-boot test" >"$BUILD/test-uboot/rootfs/etc/uboot-test"
(cd "$BUILD/test-uboot/rootfs" && find . | sort | cpio -o -H newc --quiet) >"$BUILD/test-uboot/initramfs.cpio"

append="selftest=1 loglevel=info uboot_test=1"
if APPEND="$append" sh scripts/mk-uboot-disk.sh "$disk" "$IMAGE" "$BUILD/test-uboot/initramfs.cpio" \
	>"$LOGDIR/$n-disk.log" 2>&1; then pass "$n-disk"; else
	fail "$n-disk" "expected mk-uboot-disk.sh to succeed, got: $(tail -1 "$LOGDIR/$n-disk.log")"; fi

start=$(date +%s)
timeout --foreground -k 5 45 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic \
	-bios default -kernel "$UBOOT_BIN" \
	-drive file="$disk",format=raw,if=none,id=bootdisk,readonly=on \
	-device virtio-blk-device,drive=bootdisk \
	</dev/null >"$LOGDIR/$n.log" 2>&1
QEMU_STATUS=$?
elapsed=$(( $(date +%s) - start ))

check_status $n 0
[ $elapsed -lt 60 ] && pass "$n-under-60s" || fail "$n-under-60s" "expected under 60 s, took $elapsed s"
check_log $n "$n-banner" '^U-Boot 20[0-9]{2}\.'
check_log $n "$n-extlinux" '^Found /extlinux/extlinux.conf$'
check_log $n "$n-initrd-loaded" '^Retrieving file: /initramfs.cpio$'
check_log $n "$n-append" "^append: $append\$"
# booti moves the Image to RAM base + text_offset; the kernel must run there
check_log $n "$n-booti-move" '^Moving Image from 0x[0-9a-f]+ to 0x80200000, end='
check_log $n "$n-kernel-at" 'mm: ram 80000000-a0000000, .* kernel 80200000-'
check_log $n "$n-started" '^duet: booting on hart [01], riscv-virtio,qemu$'
check_log $n "$n-role0" '^duet: cpu 0 hart [01] role client$'
check_log $n "$n-role1" '^duet: cpu 1 hart [01] role server$'
check_log $n "$n-selftest" '^selftest: PASS$'
check_log $n "$n-initrd-unpacked" 'initramfs: [1-9][0-9]* entries'
check_no_log $n "$n-no-panic" 'panic|ERROR|Bad Linux RISCV Image'
from=$(tr -d '\r' <"$LOGDIR/$n.log" | sed -n 's/^Moving Image from \(0x[0-9a-f]*\) to \(0x[0-9a-f]*\),.*/\1 -> \2/p')
echo "# $n: booti $from, ${elapsed}s"
