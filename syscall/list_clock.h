/* Setting the clocks (syscall/sys_clock.c): X(number, name), Linux riscv64 numbering. */
X(112, clock_settime)
X(170, settimeofday)
