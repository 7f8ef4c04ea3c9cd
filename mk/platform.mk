# mk/platform.mk - booting through U-Boot, and the HiFive Unmatched SD card.
#
# Included by the top-level Makefile (before its `run` section, so the
# recipes below may use BOOTARGS and INITRD, which it defines later).
#
#   make run BOOT=uboot        QEMU virt -> OpenSBI -> U-Boot (Debian's
#                              qemu-riscv64_smode build) -> distro boot of
#                              a virtio disk -> extlinux.conf -> booti Image
#   make uboot-disk            just that disk: BUILD/uboot-virt.img
#   make sdcard BOARD=unmatched [UBOOT_SPL=... UBOOT_ITB=...]
#                              BUILD/sdcard-unmatched.img (docs/UNMATCHED.md)
#
# Both disks are the same GPT + FAT layout (scripts/mk-sdcard.sh): Image,
# initramfs.cpio (INITRD, the busybox rootfs by default; INITRD= for none) and
# extlinux.conf whose `append` line is the usual BOOTARGS (OFFLOAD=, LOG=,
# INIT=, EXTRA_BOOTARGS=, ARGS=).  They build the kernel and the rootfs first
# (DISK_DEPS; the tests set DISK_DEPS=kernel and pass their own INITRD).

BOARD     ?= unmatched
UBOOT_SPL ?=
UBOOT_ITB ?=
UBOOT_BIN ?= /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
UBOOT_DISK = $(BUILD)/uboot-virt.img
SDCARD     = $(BUILD)/sdcard-$(BOARD).img
DISK_DEPS ?= kernel rootfs-full
# SDCARD_ROOT=1: the card also gets an ext2 root partition of BUILD/rootfs and
# the kernel line root=/dev/mmcblk0pN (drivers/mmc_spi.c); 0: boot partition only
SDCARD_ROOT ?= 1
SDCARD_ROOTFS = $(if $(filter 1,$(SDCARD_ROOT)),$(BUILD)/rootfs)

.PHONY: uboot-disk sdcard

# Rebuilt every time (about 0.2 s): the append line follows the make variables.
uboot-disk: $(DISK_DEPS)
	@test -f $(UBOOT_BIN) || { echo "no $(UBOOT_BIN): make deps (package u-boot-qemu)"; exit 1; }
	APPEND="$(BOOTARGS)" sh scripts/mk-uboot-disk.sh $(UBOOT_DISK) $(BUILD)/Image $(INITRD)

# QEMU command line for BOOT=uboot (the top Makefile uses it as QEMU_ARGS).
# OpenSBI (-bios default) starts U-Boot, which QEMU loads at 0x80200000 like
# a kernel; U-Boot moves our Image back to 0x80200000 (RAM base + the
# header's text_offset) before jumping to it, and passes QEMU's DTB with
# /chosen/bootargs and the initrd range filled in from extlinux.conf.
UBOOT_QEMU_ARGS = $(QEMU_MACHINE) -nographic -bios default -kernel $(UBOOT_BIN) \
	-drive file=$(UBOOT_DISK),format=raw,if=none,id=bootdisk,readonly=on \
	-device virtio-blk-device,drive=bootdisk

ifeq ($(BOOT),uboot)
ifeq ($(MACHINE),sifive_u)
$(error BOOT=uboot is for MACHINE=virt: Debian ships no U-Boot for QEMU sifive_u)
endif
run: uboot-disk		# a prerequisite: made before run's own recipe starts QEMU
endif

sdcard: $(DISK_DEPS)
	@case "$(BOARD)" in unmatched) ;; *) echo "sdcard: unknown BOARD=$(BOARD) (known: unmatched)"; exit 1;; esac
	APPEND="$(BOOTARGS)" UBOOT_SPL="$(UBOOT_SPL)" UBOOT_ITB="$(UBOOT_ITB)" \
		ROOTFS="$(SDCARD_ROOTFS)" ROOT_MB="$(ROOT_MB)" \
		ROOTFS_FAKEROOT="$$([ -n '$(SDCARD_ROOTFS)' ] && [ -f $(BUILD)/rootfs.fakeroot ] && echo $(BUILD)/rootfs.fakeroot)" \
		sh scripts/mk-sdcard.sh $(SDCARD) $(BUILD)/Image $(INITRD)
