# mk/user.mk - duet's user space: musl, busybox, user/*.c programs, initramfs.
#
# Included by the top-level Makefile. Targets (all phony):
#   musl     BUILD/sysroot/{lib/libc.a,include,bin/musl-gcc}   (scripts/build-musl.sh)
#   busybox  BUILD/busybox/busybox, BUILD/busybox/busybox.links (scripts/build-busybox.sh)
#   user     BUILD/user/<name> for every user/<name>.c, static, via musl-gcc
#   rootfs   BUILD/initramfs.cpio (staged in BUILD/rootfs/); always rebuilt.
#            EXTRA=<dir> merges a directory over it; WITH_BUSYBOX=1 adds busybox.
# musl and busybox are built once; stamps in BUILD/stamps make them rebuild
# only when their scripts, config or this file change. See docs/USERSPACE.md.

BUILD ?= build

# Directory of this fragment, whatever the including Makefile's cwd is.
USER_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
USER_TOP := $(patsubst %/,%,$(dir $(USER_MK_DIR)))
USER_MK := $(USER_MK_DIR)/user.mk

USER_CROSS ?= riscv64-linux-gnu-
USER_SYSROOT ?= $(BUILD)/sysroot
MUSL_GCC ?= $(abspath $(USER_SYSROOT))/bin/musl-gcc
USER_CFLAGS ?= -O2 -Wall -Wextra -g0
USER_LDFLAGS ?= -static -s
USER_STAMPS := $(BUILD)/stamps

MUSL_STAMP := $(USER_STAMPS)/musl
BUSYBOX_STAMP := $(USER_STAMPS)/busybox
BUSYBOX_BIN := $(BUILD)/busybox/busybox
INITRAMFS := $(BUILD)/initramfs.cpio

USER_SRCS := $(sort $(wildcard $(USER_TOP)/user/*.c))
USER_HDRS := $(wildcard $(USER_TOP)/user/*.h)
USER_PROGS := $(patsubst $(USER_TOP)/user/%.c,$(BUILD)/user/%,$(USER_SRCS))

WITH_BUSYBOX ?=
EXTRA ?=

.PHONY: musl busybox user rootfs user-clean

musl: $(MUSL_STAMP)

$(MUSL_STAMP): $(USER_TOP)/scripts/build-musl.sh $(USER_TOP)/scripts/apt-source.sh $(USER_MK)
	sh $(USER_TOP)/scripts/build-musl.sh $(BUILD)
	@mkdir -p $(@D) && touch $@

busybox: $(BUSYBOX_STAMP)

$(BUSYBOX_STAMP): $(MUSL_STAMP) $(USER_TOP)/scripts/build-busybox.sh \
		$(USER_TOP)/scripts/apt-source.sh $(USER_TOP)/rootfs/busybox.config $(USER_MK)
	sh $(USER_TOP)/scripts/build-busybox.sh $(BUILD)
	@mkdir -p $(@D) && touch $@

user: $(USER_PROGS)

$(USER_PROGS): $(BUILD)/user/%: $(USER_TOP)/user/%.c $(USER_HDRS) $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(MUSL_GCC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $<

# Cheap, so always rebuilt: picks up changes to skel/, EXTRA and busybox.
# WITH_BUSYBOX=1 builds busybox first if needed (also keeps make -j ordered).
rootfs: $(USER_PROGS) $(if $(filter 1,$(WITH_BUSYBOX)),$(BUSYBOX_STAMP))
	BUILD=$(BUILD) WITH_BUSYBOX=$(WITH_BUSYBOX) EXTRA=$(EXTRA) \
		sh $(USER_TOP)/scripts/mk-rootfs.sh $(BUILD)/rootfs $(INITRAMFS) $(USER_PROGS)

user-clean:
	rm -rf $(BUILD)/user $(BUILD)/rootfs $(INITRAMFS)
