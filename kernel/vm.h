/* Sv39 page tables: the kernel's and each process's. */
#pragma once
#include <stdint.h>
#include "arch/riscv/riscv.h"

typedef uint64_t pte_t;
typedef pte_t *pagetable_t;	/* kernel VA of a 512-entry table */

extern pagetable_t kernel_pgd;
extern uint64_t kernel_satp;

void mm_init(void);			/* boot hart: page pool, kmalloc, kernel table */
void vm_init_hart(void);		/* switch this hart to kernel_pgd */
/* Kernel stack of KSTACK_SIZE under an unmapped guard page; returns the top. */
uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);

/* Walk to the leaf PTE of va, allocating tables if `alloc`; NULL if absent. */
pte_t *vm_walk(pagetable_t pt, uint64_t va, int alloc);
/*
 * The entry for va in the table of level `stop` (0 = leaves); with alloc,
 * missing tables are made and demand-zero entries above stop split.
 */
pte_t *vm_walk_level(pagetable_t pt, uint64_t va, int stop, int alloc);
/* Map [va, va+size) -> pa with perm; -ENOMEM on table exhaustion. */
int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm);
uint64_t mem_total_bytes(void);
/* User pages are reference counted so fork can share them copy-on-write. */
void *upage_alloc(void);
void upage_share(void *va);
void upage_put(void *va);
unsigned upage_refs(void *va);
