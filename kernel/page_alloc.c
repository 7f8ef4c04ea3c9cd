#include "kernel/page_alloc.h"
#include "kernel/param.h"

static int bit_get(const uint64_t *bm, size_t i) { return (bm[i / 64] >> (i % 64)) & 1; }
static void bit_set(uint64_t *bm, size_t i) { bm[i / 64] |= 1UL << (i % 64); }
static void bit_clear(uint64_t *bm, size_t i) { bm[i / 64] &= ~(1UL << (i % 64)); }

void pool_init(struct page_pool *p, uintptr_t base, size_t npages, uint64_t *bitmap)
{
	p->base = base;
	p->npages = npages;
	p->nfree = 0;
	p->hint = 0;
	p->used = bitmap;
	for (size_t i = 0; i < (npages + 63) / 64; i++)
		bitmap[i] = ~0UL;
	spin_init(&p->lock, "page_pool");
}

void pool_release_range(struct page_pool *p, uintptr_t start, uintptr_t end)
{
	spin_lock(&p->lock);
	for (uintptr_t a = start; a + PGSIZE <= end; a += PGSIZE) {
		if (a < p->base)
			continue;
		size_t i = (a - p->base) / PGSIZE;
		if (i >= p->npages)
			break;
		if (bit_get(p->used, i)) {
			bit_clear(p->used, i);
			p->nfree++;
		}
	}
	spin_unlock(&p->lock);
}

/* First index >= from where n free pages start, or npages. Caller holds the lock. */
static size_t find_run(struct page_pool *p, size_t from, size_t n)
{
	size_t run = 0;
	for (size_t i = from; i < p->npages; i++) {
		if (n == 1 && i % 64 == 0 && p->used[i / 64] == ~0UL && i + 64 <= p->npages) {
			i += 63;	/* a full word: skip it whole */
			run = 0;
			continue;
		}
		run = bit_get(p->used, i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return p->npages;
}

void *pool_alloc(struct page_pool *p, size_t n)
{
	if (n == 0)
		return NULL;
	spin_lock(&p->lock);
	void *r = NULL;
	if (p->nfree >= n) {
		size_t i = find_run(p, p->hint, n);
		if (i == p->npages)
			i = find_run(p, 0, n);
		if (i != p->npages) {
			for (size_t k = 0; k < n; k++)
				bit_set(p->used, i + k);
			p->nfree -= n;
			p->hint = i + n;
			r = (void *)(p->base + i * PGSIZE);
		}
	}
	spin_unlock(&p->lock);
	return r;
}

void pool_free(struct page_pool *p, void *addr, size_t n)
{
	size_t i = ((uintptr_t)addr - p->base) / PGSIZE;
	spin_lock(&p->lock);
	for (size_t k = 0; k < n && i + k < p->npages; k++) {
		if (!bit_get(p->used, i + k))
			continue;	/* double free: ignore rather than corrupt the count */
		bit_clear(p->used, i + k);
		p->nfree++;
	}
	if (i < p->hint)
		p->hint = i;
	spin_unlock(&p->lock);
}

size_t pool_free_pages(struct page_pool *p)
{
	return p->nfree;
}

int pool_alloc_at(struct page_pool *p, uintptr_t addr)
{
	if (addr < p->base || (addr - p->base) / PGSIZE >= p->npages)
		return -1;
	size_t i = (addr - p->base) / PGSIZE;
	spin_lock(&p->lock);
	int was_free = !bit_get(p->used, i);
	if (was_free) {
		bit_set(p->used, i);
		p->nfree--;
	}
	spin_unlock(&p->lock);
	return was_free ? 0 : -1;
}
