/* CSR accessors and RISC-V architectural constants: one inline per need. */
#pragma once
#include <stdint.h>

#define SSTATUS_SIE   (1UL << 1)
#define SSTATUS_SPIE  (1UL << 5)
#define SSTATUS_SPP   (1UL << 8)
#define SSTATUS_FS    (3UL << 13)
#define SSTATUS_SUM   (1UL << 18)

#define SIE_SSIE      (1UL << 1)
#define SIE_STIE      (1UL << 5)
#define SIE_SEIE      (1UL << 9)
#define SIP_SSIP      (1UL << 1)

#define CAUSE_INTR    (1UL << 63)
#define IRQ_S_SOFT    1
#define IRQ_S_TIMER   5
#define IRQ_S_EXT     9

#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS     1
#define EXC_ILLEGAL         2
#define EXC_BREAKPOINT      3
#define EXC_LOAD_ACCESS     5
#define EXC_STORE_ACCESS    7
#define EXC_ECALL_U         8
#define EXC_INST_PAGE       12
#define EXC_LOAD_PAGE       13
#define EXC_STORE_PAGE      15

#define SATP_SV39     (8UL << 60)
#define SATP_ASID_SHIFT 44
#define MAKE_SATP(pa, asid) (SATP_SV39 | ((uint64_t)(asid) << SATP_ASID_SHIFT) | ((pa) >> 12))

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_COW (1UL << 8)      /* RSW bit: copy-on-write page */
#define PTE_NONE (1UL << 9)     /* RSW bit: PROT_NONE page, kept with V clear */
/* both RSW bits: a MAP_SHARED anonymous page, shared (not copied) by fork */
#define PTE_SHARED (PTE_COW | PTE_NONE)
#define PTE_IS_SHARED(pte) (((pte) & PTE_SHARED) == PTE_SHARED)
/*
 * Demand-zero (kernel/uvm.c): V clear, so the MMU ignores every other bit;
 * R/W/X keep the permissions the page gets at its first touch.  In a
 * level-1 or level-2 table it stands for the whole 2 MiB / 1 GiB range.
 */
#define PTE_LAZY (1UL << 63)
#define PTE_IS_LAZY(pte) (((pte) & (PTE_V | PTE_NONE | PTE_LAZY)) == PTE_LAZY)
#define PTE_PPN_SHIFT 10
#define PTE2PA(pte)   (((pte) >> PTE_PPN_SHIFT) << 12)
#define PA2PTE(pa)    (((uint64_t)(pa) >> 12) << PTE_PPN_SHIFT)
#define PX(level, va) ((((uint64_t)(va)) >> (12 + 9 * (level))) & 0x1ff)

#define csr_read(csr) ({ uint64_t __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ uint64_t __v = (uint64_t)(val); \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })

static inline uint64_t r_time(void) { return csr_read(time); }
static inline uint64_t r_tp(void)
{
	uint64_t x;
	__asm__ volatile("mv %0, tp" : "=r"(x));
	return x;
}
static inline uint64_t r_fp(void)
{
	uint64_t x;
	__asm__ volatile("mv %0, s0" : "=r"(x));
	return x;
}
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
}
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

/* Interrupt enable state of this hart; intr_off returns the old state. */
static inline uint64_t intr_off(void)
{
	uint64_t s;
	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(s) :: "memory");
	return s & SSTATUS_SIE;
}
static inline void intr_restore(uint64_t was) { if (was) csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline int intr_enabled(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }
