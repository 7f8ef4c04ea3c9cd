X(259, riscv_flush_icache)
X(98, futex)
