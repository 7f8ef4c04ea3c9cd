#!/bin/sh
# Usage: scripts/mk-sdcard.sh OUT.img KERNEL_IMAGE [INITRD]
#
# Writes a GPT disk image that U-Boot's distro boot starts duet from, built
# without root (no loop devices, no mounts): sgdisk partitions a plain file,
# the boot file system is made in a separate file with mkfs.vfat + mtools
# and copied into place with dd conv=notrunc.
#
#   boot partition (FAT, "legacy BIOS bootable", starts at sector 16384):
#     /Image                     the kernel (RISC-V Linux image header, booti)
#     /initramfs.cpio            INITRD, if given
#     /extlinux/extlinux.conf    label duet: kernel, initrd, append $APPEND
#
# With UBOOT_SPL=<u-boot-spl.bin> and UBOOT_ITB=<u-boot.itb> (both or
# neither) it also writes the two firmware partitions the U740 boot ROM and
# U-Boot SPL look for (U-Boot doc/board/sifive/unmatched.rst), so the card
# boots on its own:
#     1 spl    sectors 34..2081      5B193300-FC78-40CD-8002-E86C45580B47
#     2 uboot  sectors 2082..10273   2E54B353-1271-4842-806F-E436D6AF6985
#     3 boot   sector 16384..
# Without them the boot partition is partition 1 (same start sector).
#
# With ROOTFS=<dir> an ext2 root partition made from that tree (mke2fs -d, no
# root needed; under `fakeroot -i ROOTFS_FAKEROOT` when that state file is
# given, so owners and modes are the rootfs's) follows the boot partition:
#     2 (or 4) root   Linux filesystem, ROOT_MB MiB (default: twice the tree + 32)
# and "root=/dev/mmcblk0pN rootfstype=ext2" is added to APPEND: the
# Unmatched's microSD slot is mmcblk0 (drivers/mmc_spi.c).  The image is
# then rounded up to a power of two bytes: QEMU's SD card model (-drive
# if=sd) refuses other sizes, and a real card is larger anyway.
#
# Environment: APPEND (kernel command line, default empty), BOOT_MB (minimum
# boot partition size in MiB, default 64), UBOOT_SPL, UBOOT_ITB, ROOTFS,
# ROOTFS_FAKEROOT, ROOT_MB.
set -eu

[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 OUT.img KERNEL_IMAGE [INITRD]" >&2; exit 2; }
out=$1 kernel=$2 initrd=${3:-}
# make leaves runs of blanks where optional words are empty: tidy them
APPEND=$(printf '%s' "${APPEND:-}" | tr -s ' \t' '  ' | sed 's/^ //; s/ $//')
BOOT_MB=${BOOT_MB:-64}
UBOOT_SPL=${UBOOT_SPL:-}
UBOOT_ITB=${UBOOT_ITB:-}
ROOTFS=${ROOTFS:-}
ROOTFS_FAKEROOT=${ROOTFS_FAKEROOT:-}
ROOT_MB=${ROOT_MB:-}

die() { echo "mk-sdcard: $*" >&2; exit 1; }
for t in sgdisk mkfs.vfat mcopy mmd dd truncate; do
	command -v $t >/dev/null 2>&1 || die "$t not found (run: make deps)"
done
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "no initrd $initrd"
if [ -n "$ROOTFS" ]; then
	[ -d "$ROOTFS" ] || die "no rootfs directory $ROOTFS"
	command -v mke2fs >/dev/null 2>&1 || die "mke2fs not found (run: make deps)"
	[ -z "$ROOTFS_FAKEROOT" ] || command -v fakeroot >/dev/null 2>&1 || die "fakeroot not found"
fi
if [ -n "$UBOOT_SPL$UBOOT_ITB" ]; then
	[ -n "$UBOOT_SPL" ] && [ -n "$UBOOT_ITB" ] || die "give both UBOOT_SPL= and UBOOT_ITB=, or neither"
	[ -f "$UBOOT_SPL" ] || die "no SPL file $UBOOT_SPL"
	[ -f "$UBOOT_ITB" ] || die "no ITB file $UBOOT_ITB"
fi
# the kernel must carry the RISC-V image header (magic2 "RSC\x05" at 0x38)
[ "$(dd if="$kernel" bs=1 skip=56 count=4 2>/dev/null | od -An -c | tr -d ' ')" = 'RSC005' ] ||
	die "$kernel has no RISC-V Linux image header (booti would refuse it)"

SPL_TYPE=5B193300-FC78-40CD-8002-E86C45580B47
ITB_TYPE=2E54B353-1271-4842-806F-E436D6AF6985
SPL_START=34 SPL_END=2081
ITB_START=2082 ITB_END=10273
BOOT_START=16384

size_of() { wc -c <"$1" | tr -d ' '; }

# boot partition size: at least BOOT_MB, and room for the files plus 8 MiB
payload=$(size_of "$kernel")
[ -n "$initrd" ] && payload=$(( payload + $(size_of "$initrd") ))
need_mb=$(( payload / 1048576 + 8 ))
[ "$need_mb" -gt "$BOOT_MB" ] && BOOT_MB=$need_mb
boot_sectors=$(( BOOT_MB * 2048 ))
# the root partition's number is known before the table is written: the
# kernel line that extlinux.conf carries names it
if [ -n "$ROOTFS" ]; then
	if [ -n "$UBOOT_SPL" ]; then rootpart=4; else rootpart=2; fi
	APPEND="${APPEND:+$APPEND }root=/dev/mmcblk0p$rootpart rootfstype=ext2"
fi
root_start=$(( BOOT_START + boot_sectors ))
root_sectors=0
if [ -n "$ROOTFS" ]; then
	tree_mb=$(( $(du -sk "$ROOTFS" | cut -f1) / 1024 ))
	[ -n "$ROOT_MB" ] || ROOT_MB=$(( tree_mb * 2 + 32 ))
	[ "$ROOT_MB" -gt "$tree_mb" ] || die "ROOT_MB=$ROOT_MB is smaller than $ROOTFS ($tree_mb MiB)"
	root_sectors=$(( ROOT_MB * 2048 ))
fi
# + 1 MiB at the end for the backup GPT (33 sectors) with room to spare
total_sectors=$(( root_start + root_sectors + 2048 ))
if [ -n "$ROOTFS" ]; then
	p2=2048		# QEMU's SD card: a power of two bytes
	while [ $p2 -lt $total_sectors ]; do p2=$(( p2 * 2 )); done
	total_sectors=$p2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mk-sdcard.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- the boot file system -------------------------------------------------
cfg=$tmp/extlinux.conf
{
	echo "# duet, written by scripts/mk-sdcard.sh; read by U-Boot's distro boot (sysboot)"
	echo "default duet"
	echo "label duet"
	echo "	kernel /Image"
	[ -n "$initrd" ] && echo "	initrd /initramfs.cpio"
	echo "	append $APPEND"
} >"$cfg"

# --- the root file system ---------------------------------------------------
if [ -n "$ROOTFS" ]; then
	ext=$tmp/root.ext2
	truncate -s "${ROOT_MB}M" "$ext"	# mke2fs then says nothing about creating it
	fr=; [ -z "$ROOTFS_FAKEROOT" ] || fr="fakeroot -i $ROOTFS_FAKEROOT --"
	$fr mke2fs -q -F -t ext2 -L duet-root -d "$ROOTFS" "$ext" ||
		die "mke2fs -d $ROOTFS failed"
fi

fat=$tmp/boot.fat
mkfs.vfat -C -n DUET-BOOT "$fat" $(( boot_sectors / 2 )) >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$fat" ::/extlinux
mcopy -i "$fat" "$cfg" ::/extlinux/extlinux.conf
mcopy -i "$fat" "$kernel" ::/Image
[ -n "$initrd" ] && mcopy -i "$fat" "$initrd" ::/initramfs.cpio

# --- the disk ---------------------------------------------------------------
rm -f "$out"
truncate -s $(( total_sectors * 512 )) "$out"
if [ -n "$UBOOT_SPL" ]; then
	[ "$(size_of "$UBOOT_SPL")" -le $(( (SPL_END - SPL_START + 1) * 512 )) ] || die "$UBOOT_SPL is larger than its partition (1 MiB)"
	[ "$(size_of "$UBOOT_ITB")" -le $(( (ITB_END - ITB_START + 1) * 512 )) ] || die "$UBOOT_ITB is larger than its partition (4 MiB)"
	sgdisk -o -a 1 \
		-n 1:$SPL_START:$SPL_END -c 1:spl -t 1:$SPL_TYPE \
		-n 2:$ITB_START:$ITB_END -c 2:uboot -t 2:$ITB_TYPE \
		-n 3:$BOOT_START:+$boot_sectors -c 3:boot -t 3:0700 -A 3:set:2 \
		"$out" >/dev/null
	dd if="$UBOOT_SPL" of="$out" bs=512 seek=$SPL_START conv=notrunc,sparse status=none
	dd if="$UBOOT_ITB" of="$out" bs=512 seek=$ITB_START conv=notrunc,sparse status=none
	bootpart=3
else
	sgdisk -o -a 1 -n 1:$BOOT_START:+$boot_sectors -c 1:boot -t 1:0700 -A 1:set:2 \
		"$out" >/dev/null
	bootpart=1
fi
dd if="$fat" of="$out" bs=512 seek=$BOOT_START conv=notrunc,sparse status=none
if [ -n "$ROOTFS" ]; then
	[ "$rootpart" = $(( bootpart + 1 )) ] || die "internal: root partition $rootpart after boot $bootpart"
	sgdisk -n $rootpart:$root_start:+$root_sectors -c $rootpart:root -t $rootpart:8300 \
		"$out" >/dev/null
	dd if="$ext" of="$out" bs=512 seek=$root_start conv=notrunc,sparse status=none
fi
sgdisk -v "$out" | grep -q 'No problems found' || die "sgdisk -v reports problems on $out"
echo "mk-sdcard: $out: boot partition $bootpart (FAT, ${BOOT_MB} MiB at sector $BOOT_START)${UBOOT_SPL:+, SPL and U-Boot ITB partitions}${ROOTFS:+, root partition $rootpart (ext2, $ROOT_MB MiB at sector $root_start)}"
