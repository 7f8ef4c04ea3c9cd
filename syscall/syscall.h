/* System call dispatch: Linux riscv64 numbers, one table. */
#pragma once
#include <stdint.h>

long syscall_dispatch(uint64_t nr, const uint64_t a[6]);
/* Calls that act on the client's own scheduling state run where they trap. */
int syscall_runs_local(uint64_t nr);
/* rt_sigreturn restores a whole frame: a0 is not the result. */
int syscall_keeps_a0(uint64_t nr);
const char *syscall_name(uint64_t nr);
