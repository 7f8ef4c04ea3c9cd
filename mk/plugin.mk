# mk/plugin.mk - the instruction-count TCG plugin (tests/plugin/insn_count.c),
# a host shared object QEMU loads with -plugin.  Its one header,
# qemu-plugin.h, comes from Debian's qemu source package
# (scripts/qemu-plugin-h.sh, cached in build/plugin/).
HOSTCC ?= cc
PLUGIN_SO := $(BUILD)/insn_count.so
PLUGIN_H := $(BUILD)/plugin/qemu-plugin.h

.PHONY: plugin
plugin: $(PLUGIN_SO)

$(PLUGIN_H): scripts/qemu-plugin-h.sh
	sh scripts/qemu-plugin-h.sh $(BUILD)/plugin $(BUILD)/apt

$(PLUGIN_SO): tests/plugin/insn_count.c $(PLUGIN_H)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -shared -fPIC -I$(BUILD)/plugin -o $@ $< -lpthread
