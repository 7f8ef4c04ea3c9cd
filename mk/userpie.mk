# Static-PIE builds of two test programs (ET_DYN: the kernel loads them at
# PIE_BASE and musl's rcrt1 relocates itself), so both ELF kinds are tested.
# musl-gcc's specs know no -static-pie, so the start files are named here,
# and -Bstatic keeps ld from picking musl's libc.so (built too, for PT_INTERP).
# Included after mk/user.mk (alphabetical), whose variables it extends.
USER_PIE_PROGS := $(BUILD)/user/hello-pie $(BUILD)/user/systest-pie
PIE_LIB = $(abspath $(USER_SYSROOT))/lib
PIE_START = $(PIE_LIB)/rcrt1.o $(PIE_LIB)/crti.o $(shell $(USER_CROSS)gcc -print-file-name=crtbeginS.o)
PIE_END = $(shell $(USER_CROSS)gcc -print-file-name=crtendS.o) $(PIE_LIB)/crtn.o

$(USER_PIE_PROGS): $(BUILD)/user/%-pie: $(USER_TOP)/user/%.c $(USER_HDRS) $(MUSL_STAMP)
	@mkdir -p $(@D)
	$(MUSL_GCC) $(USER_CFLAGS) -fPIE -static-pie -nostartfiles -s $(PIE_START) $< $(PIE_END) \
		-Wl,--no-dynamic-linker -Wl,-Bstatic -o $@

USER_PROGS += $(USER_PIE_PROGS)
rootfs user: $(USER_PIE_PROGS)
