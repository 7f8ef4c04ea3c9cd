# mk/userlibc.mk - dynamically linked programs and programs against glibc
# (docs/DYNAMIC.md).  user/libc/libctest.c and user/libc/dyntest.c are built
# with Debian's glibc (riscv64-linux-gnu-gcc, libc6-dev-riscv64-cross) and
# with the project's musl as a shared library; user/libc/dso.c is the DSO
# dyntest dlopens.  The loaders (/lib/ld-musl-riscv64.so.1,
# /lib/ld-linux-riscv64-lp64d.so.1), glibc's libraries, its C.UTF-8 locale,
# the DSO and the in-guest runner tests/dyn/dynamic.sh are staged in
# BUILD/rootfs-lib, which scripts/mk-rootfs.sh merges into the rootfs.
# Included after mk/user.mk (alphabetical), whose variables it extends.
GLIBC_CC := riscv64-linux-gnu-gcc
GLIBC_LIBDIR := /usr/riscv64-linux-gnu/lib
MUSL_LDSO := /lib/ld-musl-riscv64.so.1
LIBC_SRC := user/libc
LIBC_PROGS := $(BUILD)/user/libctest-glibc-static $(BUILD)/user/libctest-glibc \
	$(BUILD)/user/libctest-musl $(BUILD)/user/dyntest-glibc $(BUILD)/user/dyntest-musl
LIBC_DSO := $(BUILD)/user/libduetdso.so
LIBC_STAGE := $(BUILD)/rootfs-lib
LIBC_STAGE_STAMP := $(USER_STAMPS)/rootfs-lib

$(BUILD)/user/libctest-glibc-static: $(LIBC_SRC)/libctest.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(GLIBC_CC) $(USER_CFLAGS) -pthread -static -s -o $@ $<

$(BUILD)/user/%-glibc: $(LIBC_SRC)/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(GLIBC_CC) $(USER_CFLAGS) -pthread -s -o $@ $<

# musl-gcc's own loader path is the build sysroot's: name the rootfs's
$(BUILD)/user/%-musl: $(LIBC_SRC)/%.c $(USER_HDRS) $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(MUSL_GCC) $(USER_CFLAGS) -s -Wl,--dynamic-linker=$(MUSL_LDSO) -o $@ $<

$(LIBC_DSO): $(LIBC_SRC)/dso.c
	@mkdir -p $(@D)
	$(GLIBC_CC) $(USER_CFLAGS) -fPIC -shared -nostdlib -s -o $@ $<

# glibc's libraries go in Debian's multiarch directory (its loader's default path)
$(LIBC_STAGE_STAMP): mk/userlibc.mk tests/dyn/dynamic.sh $(LIBC_DSO) $(MUSL_STAMP)
	rm -rf $(LIBC_STAGE)
	mkdir -p $(LIBC_STAGE)/lib/riscv64-linux-gnu $(LIBC_STAGE)/usr/lib/locale $(LIBC_STAGE)/tests
	cp $(GLIBC_LIBDIR)/ld-linux-riscv64-lp64d.so.1 $(LIBC_STAGE)/lib/
	cp $(GLIBC_LIBDIR)/libc.so.6 $(GLIBC_LIBDIR)/libm.so.6 $(LIBC_STAGE)/lib/riscv64-linux-gnu/
	if [ -d /usr/lib/locale/C.utf8 ]; then cp -R /usr/lib/locale/C.utf8 $(LIBC_STAGE)/usr/lib/locale/; fi
	cp $(USER_SYSROOT)/lib/libc.so $(LIBC_STAGE)$(MUSL_LDSO)
	cp $(LIBC_DSO) $(LIBC_STAGE)/lib/
	cp tests/dyn/dynamic.sh $(LIBC_STAGE)/tests/
	@mkdir -p $(@D) && touch $@

USER_PROGS += $(LIBC_PROGS)
rootfs user: $(LIBC_PROGS) $(LIBC_STAGE_STAMP)

# The rootfs again with a dynamically linked busybox (scripts/build-busybox-dyn.sh),
# for the busybox suite in tests/qemu/dynamic.sh: BUILD/initramfs-dyn.cpio.
BUSYBOX_DYN := $(BUILD)/busybox-dyn/busybox
.PHONY: rootfs-dyn
$(BUSYBOX_DYN): $(BUSYBOX_STAMP) scripts/build-busybox-dyn.sh
	sh scripts/build-busybox-dyn.sh $(BUILD)

rootfs-dyn: $(USER_PROGS) $(LIBC_STAGE_STAMP) $(BUSYBOX_DYN)
	@rm -rf $(BUILD)/extra-dyn && mkdir -p $(BUILD)/extra-dyn/tests
	@cp tests/busybox/*.sh $(BUILD)/extra-dyn/tests/
	BUILD=$(BUILD) WITH_BUSYBOX=1 BUSYBOX=$(BUSYBOX_DYN) EXTRA=$(abspath $(BUILD)/extra-dyn) \
		sh scripts/mk-rootfs.sh $(BUILD)/rootfs-dyn $(BUILD)/initramfs-dyn.cpio $(USER_PROGS)
