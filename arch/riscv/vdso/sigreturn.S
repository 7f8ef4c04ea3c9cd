/*
 * The signal return trampoline.  A handler installed without SA_RESTORER
 * (glibc on riscv64 never passes one) returns here: the kernel sets ra to
 * this address when it builds the signal frame (kernel/signal.c).
 * The CFI marks a signal frame so that unwinders (gdb, libgcc) stop here
 * instead of reading a caller out of the frame.
 */
	.text
	.globl __vdso_rt_sigreturn
	.type __vdso_rt_sigreturn, @function
	.cfi_startproc
	.cfi_signal_frame
	nop			/* unwinders look one instruction before the pc */
__vdso_rt_sigreturn:
	li a7, 139		/* __NR_rt_sigreturn */
	ecall
	.cfi_endproc
	.size __vdso_rt_sigreturn, . - __vdso_rt_sigreturn
