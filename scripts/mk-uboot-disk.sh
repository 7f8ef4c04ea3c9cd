#!/bin/sh
# Usage: APPEND="kernel command line" scripts/mk-uboot-disk.sh OUT.img KERNEL_IMAGE [INITRD]
#
# The virtio disk that Debian's QEMU U-Boot (qemu-riscv64_smode) boots duet
# from: its default bootcmd runs distro boot over boot_targets
# "qemu virtio0 scsi0 dhcp", finds /extlinux/extlinux.conf on the first
# bootable partition of virtio 0, loads Image to kernel_addr_r and the
# initramfs to ramdisk_addr_r, sets bootargs from `append`, and runs booti.
#
# It is the SD card's layout without the firmware partitions (U-Boot already
# runs), so `make run BOOT=uboot` also checks the card's boot partition.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUT.img KERNEL_IMAGE [INITRD]" >&2; exit 2; }
UBOOT_SPL="" UBOOT_ITB="" BOOT_MB=${BOOT_MB:-16}
export UBOOT_SPL UBOOT_ITB BOOT_MB
exec sh "$(dirname "$0")/mk-sdcard.sh" "$@"
