# mk/linux.mk - the Linux baseline the benchmarks compare duet with (issues
# 11, 12, 14): Debian's linux source package (6.1), tinyconfig plus
# scripts/linux.config, cross-built for riscv64 QEMU virt (scripts/build-linux.sh).
# Benchmark-only: nothing in `make test` or `make kernel` builds it.
#   make linux           build/linux/Image (and config, release)
#   make run-linux       boot it on duet's initramfs (ARGS='/bin/bench getppid 20000')
#   make bench-linux     the Linux column of the benchmark tables (scripts/bench-linux.sh;
#                        LMBENCH=<dir>: lmbench rows too, scripts/lmbench-linux.sh)
#   make bench LINUX=1   make bench, then bench-linux
LINUX_IMAGE := $(BUILD)/linux/Image

.PHONY: linux run-linux bench-linux
linux: $(LINUX_IMAGE)

$(LINUX_IMAGE): scripts/build-linux.sh scripts/linux.config scripts/apt-source.sh
	sh scripts/build-linux.sh $(BUILD)

run-linux: deps
	@$(MAKE) --no-print-directory linux rootfs-full
	sh scripts/run-linux.sh $(ARGS)

bench-linux: deps
	@$(MAKE) --no-print-directory kernel rootfs-full linux
	@BUILD=$(BUILD) LMBENCH=$(LMBENCH) sh scripts/bench-linux.sh
