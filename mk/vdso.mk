# mk/vdso.mk - the vDSO (arch/riscv/vdso/, docs/DYNAMIC.md): a small shared
# object built with the Linux cross compiler, embedded in the kernel image by
# kernel/vdso.c (.incbin of the path in BUILD/gen/vdso_syms.h, which also
# gives the offsets of the symbols the kernel itself needs).
VDSO_DIR := arch/riscv/vdso
VDSO_SO := $(BUILD)/vdso/vdso.so
VDSO_CC := riscv64-linux-gnu-gcc
VDSO_CFLAGS := -O2 -fPIC -fno-stack-protector -fno-asynchronous-unwind-tables \
	-ffreestanding -nostdlib -Wall -Wextra -Werror
VDSO_LDFLAGS := -shared -nostdlib -Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both \
	-Wl,--eh-frame-hdr -Wl,-Bsymbolic -Wl,--build-id=none -Wl,-T,$(VDSO_DIR)/vdso.lds

$(VDSO_SO): $(VDSO_DIR)/vdso.c $(VDSO_DIR)/sigreturn.S $(VDSO_DIR)/vdso.lds mk/vdso.mk
	@mkdir -p $(dir $@)
	$(VDSO_CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) $(VDSO_DIR)/vdso.c $(VDSO_DIR)/sigreturn.S -o $@

$(BUILD)/gen/vdso_syms.h: $(VDSO_SO)
	@mkdir -p $(dir $@)
	@{ echo '#define VDSO_SO_PATH "$(abspath $(VDSO_SO))"'; \
	   riscv64-linux-gnu-nm -D $< | awk '$$3 ~ /^__vdso_rt_sigreturn/ { sub(/@.*/, "", $$3); \
		printf "#define VDSO_OFF_rt_sigreturn 0x%sUL\n", $$1 }'; } > $@.tmp
	@grep -q VDSO_OFF_rt_sigreturn $@.tmp || { echo "vdso: no __vdso_rt_sigreturn"; exit 1; }
	@mv $@.tmp $@

$(BUILD)/k/kernel/vdso.c.o: $(BUILD)/gen/vdso_syms.h
