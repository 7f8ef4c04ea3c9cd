/*
 * Small-object allocator: power-of-two size classes 16..2048 bytes, one
 * page per slab with its header at the start, backed by a page_pool.
 * Larger objects use page_alloc_n() directly.  Host-testable.
 */
#pragma once
#include <stddef.h>
#include "kernel/page_alloc.h"

#define KMALLOC_MAX 2048

struct slab;
struct kmem {
	struct page_pool *pool;
	struct slab *partial[8];	/* per class: slabs with free objects */
	struct spinlock lock;
};

void kmem_init(struct kmem *k, struct page_pool *pool);
void *kmem_alloc(struct kmem *k, size_t size);	/* NULL on exhaustion or size > KMALLOC_MAX */
void kmem_free(struct kmem *k, void *obj);

/* The kernel's instance. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *obj);
