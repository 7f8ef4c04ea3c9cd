/*
 * Host stand-ins for the kernel allocators, for tests that compile kernel
 * files with -DHOST.  Include from exactly one test file.  Counts live
 * allocations (so a test can see an inode being freed) and can be told to
 * refuse page allocations (page_budget) to exercise out-of-memory paths.
 */
#pragma once
#include <stdlib.h>
#include <string.h>
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"

static long shim_live;			/* kmalloc objects + page runs outstanding */
static long page_budget = -1;		/* pages still allowed; -1: unlimited */

void *kmalloc(size_t size)
{
	if (size > KMALLOC_MAX)
		return NULL;
	void *p = malloc(size ? size : 1);
	if (p)
		shim_live++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *obj)
{
	if (obj)
		shim_live--;
	free(obj);
}

void *page_alloc_n(size_t n)
{
	if (page_budget >= 0) {
		if ((long)n > page_budget)
			return NULL;
		page_budget -= (long)n;
	}
	void *p = aligned_alloc(PGSIZE, n * PGSIZE);
	if (p) {
		memset(p, 0, n * PGSIZE);
		shim_live++;
	}
	return p;
}

void page_free_n(void *va, size_t n)
{
	(void)n;
	shim_live--;
	free(va);
}
