X(259, riscv_flush_icache)
