# mk/userlibc.mk - programs against other C libraries than the static musl
# (docs/DYNAMIC.md): user/libc/libctest.c built with Debian's glibc
# (riscv64-linux-gnu-gcc, libc6-dev-riscv64-cross) static and dynamic, and
# the glibc loader, libraries and C.UTF-8 locale staged for the rootfs in
# BUILD/rootfs-lib (merged into it by scripts/mk-rootfs.sh).
# Included after mk/user.mk (alphabetical), whose variables it extends.
GLIBC_CC := riscv64-linux-gnu-gcc
GLIBC_LIBDIR := /usr/riscv64-linux-gnu/lib
GLIBC_PROGS := $(BUILD)/user/libctest-glibc-static $(BUILD)/user/libctest-glibc
LIBC_STAGE := $(BUILD)/rootfs-lib
LIBC_STAGE_STAMP := $(USER_STAMPS)/rootfs-lib

$(BUILD)/user/libctest-glibc-static: user/libc/libctest.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(GLIBC_CC) $(USER_CFLAGS) -static -s -o $@ $<

$(BUILD)/user/libctest-glibc: user/libc/libctest.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(GLIBC_CC) $(USER_CFLAGS) -s -o $@ $<

# glibc's loader where its programs' PT_INTERP names it, the libraries in
# Debian's multiarch directory (the loader's default search path).
$(LIBC_STAGE_STAMP): mk/userlibc.mk
	rm -rf $(LIBC_STAGE) && mkdir -p $(LIBC_STAGE)/lib/riscv64-linux-gnu $(LIBC_STAGE)/usr/lib/locale
	cp $(GLIBC_LIBDIR)/ld-linux-riscv64-lp64d.so.1 $(LIBC_STAGE)/lib/
	cp $(GLIBC_LIBDIR)/libc.so.6 $(GLIBC_LIBDIR)/libm.so.6 $(LIBC_STAGE)/lib/riscv64-linux-gnu/
	if [ -d /usr/lib/locale/C.utf8 ]; then cp -R /usr/lib/locale/C.utf8 $(LIBC_STAGE)/usr/lib/locale/; fi
	@mkdir -p $(@D) && touch $@

USER_PROGS += $(GLIBC_PROGS)
rootfs user: $(GLIBC_PROGS) $(LIBC_STAGE_STAMP)
