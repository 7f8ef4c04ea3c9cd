# duet: `make run` boots in QEMU, `make test` runs every test, `make bench`
# measures offload=1 against offload=0.  Everything builds under build/.

SMP     ?= 2
OFFLOAD ?= 1
LOG     ?= info
MACHINE ?= virt
BOOT    ?= direct
MEM     ?= 512M
INIT    ?=
ARGS    ?=
EXTRA_BOOTARGS ?=

BUILD   := build
CROSS   := riscv64-unknown-elf-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
NM      := $(CROSS)nm
QEMU    := qemu-system-riscv64

# EXTRA_KCFLAGS: more flags for a measurement build, e.g. make kernel
# EXTRA_KCFLAGS=-DSOMETHING (touch the files it affects: make sees no change)
KCFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -fno-omit-frame-pointer -fno-stack-protector \
	-fno-strict-aliasing -O2 -g -Wall -Wextra -Werror -I. -I$(BUILD)/gen \
	--specs=picolibc.specs -MMD -MP $(EXTRA_KCFLAGS)
# the link names plain rv64imac so gcc picks picolibc's rv64imac/lp64 multilib
KLDFLAGS := $(filter-out -march=%,$(KCFLAGS)) -march=rv64imac -nostartfiles -T linker.ld -Wl,--no-relax \
	-Wl,--defsym=vfprintf=__i_vfprintf -Wl,--defsym=vfscanf=__i_vfscanf \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none -Wl,--no-warn-rwx-segments

KSRC := $(wildcard arch/riscv/*.S arch/riscv/*.c kernel/*.c kernel/fs/*.c kernel/net/*.c kernel/ipc/*.c drivers/*.c \
	rpc/*.c sched/*.c syscall/*.c)
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(KSRC))

.PHONY: all kernel run test bench deps clean rootfs-full disk
all: kernel

kernel: $(BUILD)/kernel.elf $(BUILD)/Image

# syscall names for the -ENOSYS warnings, from the Linux UAPI header
$(BUILD)/gen/syscall_names.h: scripts/gen-sysnames.sh
	@mkdir -p $(dir $@)
	sh scripts/gen-sysnames.sh /usr/riscv64-linux-gnu/include/asm-generic/unistd.h > $@
$(BUILD)/k/syscall/table.c.o: $(BUILD)/gen/syscall_names.h

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

# Two links: the second adds the symbol table generated from the first
# (.ksyms sits after the text, so text addresses do not move).
$(BUILD)/ksyms0.S:
	@mkdir -p $(BUILD)
	scripts/gen-ksyms.sh true /dev/null > $@

$(BUILD)/kernel0.elf: $(KOBJ) $(BUILD)/ksyms0.S linker.ld
	$(CC) $(KLDFLAGS) $(KOBJ) $(BUILD)/ksyms0.S -o $@

$(BUILD)/ksyms.S: $(BUILD)/kernel0.elf scripts/gen-ksyms.sh
	scripts/gen-ksyms.sh $(NM) $< > $@

$(BUILD)/kernel.elf: $(KOBJ) $(BUILD)/ksyms.S linker.ld
	$(CC) $(KLDFLAGS) $(KOBJ) $(BUILD)/ksyms.S -o $@
	@$(NM) -n $(BUILD)/kernel0.elf | grep -i ' t ' | head -1 > $(BUILD)/.t0
	@$(NM) -n $@ | grep -i ' t ' | head -1 > $(BUILD)/.t1
	@cmp -s $(BUILD)/.t0 $(BUILD)/.t1 || (echo "ksyms moved the text" && false)

$(BUILD)/Image: $(BUILD)/kernel.elf
	$(OBJCOPY) -O binary $< $@

-include $(KOBJ:.o=.d)
-include mk/*.mk

deps:
	@sh scripts/deps.sh

# ---- running ----
BOOTARGS = offload=$(OFFLOAD) loglevel=$(LOG) $(if $(INIT),init=$(INIT)) $(EXTRA_BOOTARGS) $(if $(ARGS),-- $(ARGS))
ifeq ($(MACHINE),sifive_u)
QEMU_MACHINE = -M sifive_u -smp $(SMP) -m 2G
else
# virtio-rng: an entropy source for kernel/random.c once the virtio driver reads it
QEMU_MACHINE = -M virt -smp $(SMP) -m $(MEM) -device virtio-rng-device
endif
INITRD ?= $(BUILD)/initramfs.cpio
QEMU_ARGS = $(QEMU_MACHINE) -nographic -bios default \
	-kernel $(BUILD)/kernel.elf -append "$(BOOTARGS)" $(if $(INITRD),-initrd $(INITRD))
ifeq ($(BOOT),uboot)
QEMU_ARGS = $(UBOOT_QEMU_ARGS)
endif
# DISK=<image>: a virtio disk (/dev/vda); boot from it with
# EXTRA_BOOTARGS="root=/dev/vda rootfstype=ext2" (docs/DISKS.md)
ifneq ($(DISK),)
QEMU_ARGS += -drive file=$(DISK),format=raw,if=none,id=disk0 -device virtio-blk-device,drive=disk0
endif

# the rootfs with busybox, the project's programs and rootfs/skel
# (the test scripts go in /tests; a user's EXTRA=<dir> is merged over them)
rootfs-full:
	@rm -rf $(BUILD)/extra && mkdir -p $(BUILD)/extra/tests
	@cp tests/busybox/*.sh $(BUILD)/extra/tests/
	@if [ -n "$(EXTRA)" ]; then cp -a "$(EXTRA)/." $(BUILD)/extra/; fi
	@$(MAKE) --no-print-directory rootfs WITH_BUSYBOX=1 EXTRA=$(abspath $(BUILD)/extra)

run: deps
	@$(MAKE) --no-print-directory kernel rootfs-full
	$(QEMU) $(QEMU_ARGS)

# an ext2 root image of the rootfs: mke2fs -d needs no root
DISK_SIZE ?= 64M
disk: deps
	@$(MAKE) --no-print-directory rootfs-full
	rm -f $(BUILD)/disk.img
	fr=; [ ! -f $(BUILD)/rootfs.fakeroot ] || fr="fakeroot -i $(BUILD)/rootfs.fakeroot --"; \
		$$fr mke2fs -q -F -t ext2 -d $(BUILD)/rootfs $(BUILD)/disk.img $(DISK_SIZE)

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory kernel rootfs-full
	@LIBC_TEST=$(LIBC_TEST) sh tests/run-all.sh

clean:
	rm -rf $(BUILD)/k $(BUILD)/*.elf $(BUILD)/Image $(BUILD)/ksyms*.S

# musl's libc-test, static and dynamic, in duet and under qemu-user: make libc-test LIBC_TEST=<dir>
# (a checkout outside the repository, see docs/LIBC-TEST.md)
.PHONY: libc-test
libc-test: deps
	@$(MAKE) --no-print-directory kernel rootfs-full
	@BUILD=$(BUILD) LIBC_TEST=$(LIBC_TEST) sh tests/libc-test.sh

# lmbench's usual rows in duet, offload=1 then offload=0, glibc and musl builds:
# make lmbench LMBENCH=<lmbench checkout> (outside the repository, docs/BENCHMARKS.md)
.PHONY: lmbench
lmbench: deps
	@$(MAKE) --no-print-directory kernel rootfs-full
	@BUILD=$(BUILD) LMBENCH=$(LMBENCH) sh scripts/lmbench.sh

# offload=1 against offload=0, side by side; writes docs/BENCHMARKS.md
# (LINUX=1: then the Linux baseline beside them, mk/linux.mk)
bench: deps
	@$(MAKE) --no-print-directory kernel rootfs-full plugin
	@LOAD=$(LOAD) sh scripts/bench.sh
	@sh scripts/bench-disk.sh
	@if [ "$(LINUX)" = 1 ]; then $(MAKE) --no-print-directory bench-linux; fi
