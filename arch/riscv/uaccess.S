/*
 * uaccess_copy(dst, src, n) for uaccess=satp: copy with sstatus.SUM set so
 * S-mode may touch user pages; returns 0.  A fault between
 * uaccess_copy_start and uaccess_copy_end is handled by kernel/trap.c:
 * retried after a stack-growth / copy-on-write fix, or resumed at
 * uaccess_copy_fault, which returns -EFAULT.  SUM is never left set.
 */
#define SSTATUS_SUM (1 << 18)

	.section .text
	.globl uaccess_copy, uaccess_copy_start, uaccess_copy_end, uaccess_copy_fault
uaccess_copy:
	li	t1, SSTATUS_SUM
	csrs	sstatus, t1
uaccess_copy_start:
	or	t2, a0, a1
	andi	t2, t2, 7
	bnez	t2, 2f
1:	li	t2, 8			/* both aligned: doublewords */
	bltu	a2, t2, 2f
	ld	t0, 0(a1)
	sd	t0, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f			/* the rest byte by byte */
	lb	t0, 0(a1)
	sb	t0, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:
uaccess_copy_end:
	csrc	sstatus, t1
	li	a0, 0
	ret
uaccess_copy_fault:
	li	t1, SSTATUS_SUM
	csrc	sstatus, t1
	li	a0, -14			/* -EFAULT */
	ret
