/*
 * The one S-mode trap vector.  sscratch is 0 while the hart runs kernel
 * code and points at the current thread's trap frame while it runs user
 * code, so one swap tells the two cases apart.
 */
#include "kernel/trap.h"

.macro SAVE_GPRS base
	sd	x1, 1*8(\base)
	sd	x3, 3*8(\base)
	sd	x4, 4*8(\base)
	sd	x5, 5*8(\base)
	sd	x6, 6*8(\base)
	sd	x7, 7*8(\base)
	sd	x8, 8*8(\base)
	sd	x9, 9*8(\base)
	sd	x10, 10*8(\base)
	sd	x11, 11*8(\base)
	sd	x12, 12*8(\base)
	sd	x13, 13*8(\base)
	sd	x14, 14*8(\base)
	sd	x15, 15*8(\base)
	sd	x16, 16*8(\base)
	sd	x17, 17*8(\base)
	sd	x18, 18*8(\base)
	sd	x19, 19*8(\base)
	sd	x20, 20*8(\base)
	sd	x21, 21*8(\base)
	sd	x22, 22*8(\base)
	sd	x23, 23*8(\base)
	sd	x24, 24*8(\base)
	sd	x25, 25*8(\base)
	sd	x26, 26*8(\base)
	sd	x27, 27*8(\base)
	sd	x28, 28*8(\base)
	sd	x29, 29*8(\base)
	sd	x30, 30*8(\base)
	sd	x31, 31*8(\base)
.endm

.macro RESTORE_GPRS base	/* everything but \base itself and sp */
	ld	x1, 1*8(\base)
	ld	x3, 3*8(\base)
	ld	x4, 4*8(\base)
	ld	x5, 5*8(\base)
	ld	x6, 6*8(\base)
	ld	x7, 7*8(\base)
	ld	x8, 8*8(\base)
	ld	x9, 9*8(\base)
	ld	x11, 11*8(\base)
	ld	x12, 12*8(\base)
	ld	x13, 13*8(\base)
	ld	x14, 14*8(\base)
	ld	x15, 15*8(\base)
	ld	x16, 16*8(\base)
	ld	x17, 17*8(\base)
	ld	x18, 18*8(\base)
	ld	x19, 19*8(\base)
	ld	x20, 20*8(\base)
	ld	x21, 21*8(\base)
	ld	x22, 22*8(\base)
	ld	x23, 23*8(\base)
	ld	x24, 24*8(\base)
	ld	x25, 25*8(\base)
	ld	x26, 26*8(\base)
	ld	x27, 27*8(\base)
	ld	x28, 28*8(\base)
	ld	x29, 29*8(\base)
	ld	x30, 30*8(\base)
	ld	x31, 31*8(\base)
.endm

	.section .text.hotpath, "ax"
	.align 2
	.globl trap_vector
trap_vector:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user
	/* from the kernel: sscratch was 0, put the kernel sp back */
	csrrw	sp, sscratch, sp
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS sp
	addi	t0, sp, TF_SIZE
	sd	t0, 2*8(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	/* a frame record so backtraces walk through the trap */
	mv	a0, sp
	call	kernel_trap
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	RESTORE_GPRS sp
	ld	x10, 10*8(sp)
	addi	sp, sp, TF_SIZE
	sret

from_user:
	/* sp = this thread's trap frame, sscratch = user sp */
	SAVE_GPRS sp
	csrr	t0, sscratch
	sd	t0, 2*8(sp)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	ld	tp, TF_KTP(sp)
	mv	s0, zero		/* end of the backtrace chain */
	mv	a0, sp			/* the kernel stack grows down from the frame */
	call	user_trap
1:	j	1b

/* user_return(tf): interrupts must be off; never returns. */
	.globl user_return
user_return:
	csrw	sscratch, a0
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(a0)
	csrw	sstatus, t0
	ld	sp, 2*8(a0)
	RESTORE_GPRS a0
	ld	a0, 10*8(a0)
	sret
