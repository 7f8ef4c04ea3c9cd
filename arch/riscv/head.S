/*
 * Entry from OpenSBI (or U-Boot booti): a0 = hart id, a1 = DTB physical
 * address, MMU off, running at the physical load address.  Any hart may be
 * the boot hart; the others sit in SBI HSM STOPPED until kernel/smp.c starts
 * them at secondary_entry.
 */
#include "kernel/memlayout.h"

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	/* RISC-V Linux image header (Documentation/riscv/boot-image-header.rst) */
	j	boot_entry			/* code0 */
	.word	0				/* code1 */
	.dword	KERNEL_TEXT_OFFSET		/* text_offset */
	.dword	_image_end - _image_start	/* image_size */
	.dword	0				/* flags: little endian */
	.word	0x2				/* version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"			/* magic (deprecated) */
	.ascii	"RSC\x05"			/* magic2 */
	.word	0
	.option pop

boot_entry:
	csrw	sie, zero
	csrw	satp, zero
	la	t0, early_hang			/* pc-relative: a physical address here */
	csrw	stvec, t0
	mv	s0, a0
	mv	s1, a1

	/*
	 * Only one hart may boot.  Seen on QEMU sifive_u with OpenSBI 1.1: a
	 * slow hart can arrive here late, while the boot hart already runs;
	 * it would zero .bss under it.  The loser stops itself through SBI
	 * HSM, so the boot hart's hart_start (retried) brings it up properly.
	 */
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, late_hart

	/* zero .bss through its physical address */
	la	t0, _bss_start
	la	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	/* kernel_pa_base = load address - text offset; must be 1 GiB aligned */
	la	t0, _start
	li	t1, KERNEL_TEXT_OFFSET
	sub	t0, t0, t1
	li	t1, (1 << 30) - 1
	and	t2, t0, t1
	bnez	t2, early_hang
	la	t1, kernel_pa_base
	sd	t0, 0(t1)

	/*
	 * Early root table, all gigapages (RWX, A, D set so no A/D faults):
	 *  [pa >> 30]                 identity, so the next fetch after satp works
	 *  [256 + i], i < 64          direct map of physical 0..64 GiB
	 *  [510]                      kernel image
	 */
	la	a2, boot_pgd
	li	a3, 0xcf			/* V R W X A D */
	srli	t1, t0, 30
	slli	t2, t1, 3
	add	t2, a2, t2
	srli	t3, t0, 12
	slli	t3, t3, 10
	or	t3, t3, a3
	sd	t3, 0(t2)			/* identity */
	li	t1, 510 * 8
	add	t2, a2, t1
	sd	t3, 0(t2)			/* kernel image */
	li	t4, 0				/* i */
	li	t5, 64
3:	slli	t3, t4, 28			/* (i << 30) >> 12 << 10 */
	or	t3, t3, a3
	addi	t6, t4, 256
	slli	t6, t6, 3
	add	t6, a2, t6
	sd	t3, 0(t6)
	addi	t4, t4, 1
	blt	t4, t5, 3b

	srli	t1, a2, 12
	li	t2, 8
	slli	t2, t2, 60
	or	t1, t1, t2
	sfence.vma
	csrw	satp, t1
	sfence.vma
	ld	t0, .Lboot_high			/* absolute: a kernel virtual address */
	jr	t0

boot_high:
	la	t0, early_hang
	csrw	stvec, t0
	la	sp, boot_stack_top
	mv	tp, zero
	mv	a0, s0
	mv	a1, s1
	call	kmain
	j	early_hang

/*
 * Secondary harts: a0 = hart id, a1 = physical address of a struct
 * hart_boot { satp, sp, tp, entry } filled in by smp_start_harts().
 */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	ld	t0, 0(a1)
	ld	sp, 8(a1)
	ld	tp, 16(a1)
	ld	t1, 24(a1)
	sfence.vma
	csrw	satp, t0			/* the kernel table keeps the identity gigapage */
	sfence.vma
	jr	t1

late_hart:
	li	a7, 0x48534D			/* SBI HSM */
	li	a6, 1				/* hart_stop: does not return on success */
	ecall
	j	early_hang

	.align 2
early_hang:
	wfi
	j	early_hang

	.align 3
.Lboot_high:
	.dword	boot_high

	.section .data
	.align 2
boot_claimed:					/* not in .bss: the winner zeroes that */
	.word	0

	.section .bss
	.align 12
	.globl boot_pgd
boot_pgd:
	.space 4096
	.align 4
	.space 4096 * 4
	.globl boot_stack_top
boot_stack_top:
