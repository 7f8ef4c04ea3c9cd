X(259, riscv_flush_icache)
X(216, mremap)
X(227, msync)
X(233, madvise)
