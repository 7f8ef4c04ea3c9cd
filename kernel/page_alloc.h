/*
 * Physical page allocator: one bit per 4 KiB page over a pool, first fit
 * from a rotating hint, contiguous runs for kernel stacks and big buffers.
 * Pure logic (host-testable); the kernel's pool covers DTB memory minus the
 * kernel image, the DTB, the initrd and the reserved regions.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "kernel/spinlock.h"

struct page_pool {
	uintptr_t base;		/* address (kernel VA) of page 0 */
	size_t npages;
	size_t nfree;
	size_t hint;		/* where the next search starts */
	uint64_t *used;		/* bit set = page allocated or reserved */
	struct spinlock lock;
};

/* `bitmap` must hold npages bits; every page starts reserved. */
void pool_init(struct page_pool *p, uintptr_t base, size_t npages, uint64_t *bitmap);
/* Make [start, end) available (page-aligned addresses inside the pool). */
void pool_release_range(struct page_pool *p, uintptr_t start, uintptr_t end);
/* Allocate n contiguous pages, not zeroed; NULL when none. */
void *pool_alloc(struct page_pool *p, size_t n);
void pool_free(struct page_pool *p, void *addr, size_t n);
/* Take the page at addr out of the pool (reserve it); -1 if not free. */
int pool_alloc_at(struct page_pool *p, uintptr_t addr);
size_t pool_free_pages(struct page_pool *p);

/* The kernel's pool (kernel/mm.c): zeroed pages in the direct map. */
extern struct page_pool kpool;
void *page_alloc(void);
void *page_alloc_n(size_t n);
void page_free(void *va);
void page_free_n(void *va, size_t n);
