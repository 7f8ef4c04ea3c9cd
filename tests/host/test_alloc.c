/*
 * Host tests for kernel/page_alloc.c (the page pool) and kernel/kmalloc.c
 * (the slab allocator over a pool), over a malloc'ed 4096-aligned arena.
 * Prints "PASS name" or "FAIL name: expected X, got Y" per check; exits 1
 * on any failure.
 * Build and run: tests/host/run-alloc-fdt.sh
 *
 *   test_alloc [stress-ops]     (default 100000 operations per stress test)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "kernel/page_alloc.h"
#include "kernel/kmalloc.h"
#include "kernel/param.h"

static int npass, nfail;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		npass++;
		printf("PASS %s\n", name);
	} else {
		nfail++;
		printf("FAIL %s: expected %lld, got %lld\n", name, exp, got);
	}
}

/* A condition; `what` says what went wrong when it fails. */
static void check_true(const char *name, int ok, const char *what)
{
	if (ok) {
		npass++;
		printf("PASS %s\n", name);
	} else {
		nfail++;
		printf("FAIL %s: expected %s\n", name, what);
	}
}

/* xorshift64*: deterministic, so a failure reproduces */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}
static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

/* ---------------------------------------------------------------- arena */

struct arena {
	uint8_t *mem;
	size_t npages;
	uint64_t *bitmap;
};

static struct arena arena_new(size_t npages)
{
	struct arena a;
	a.npages = npages;
	a.mem = aligned_alloc(PGSIZE, npages * PGSIZE);
	a.bitmap = malloc(((npages + 63) / 64) * sizeof(uint64_t));
	if (!a.mem || !a.bitmap) {
		printf("FAIL arena: out of host memory\n");
		exit(1);
	}
	memset(a.mem, 0xa5, npages * PGSIZE);
	return a;
}

static void arena_free(struct arena *a)
{
	free(a->mem);
	free(a->bitmap);
}

static uintptr_t pg(struct arena *a, size_t i) { return (uintptr_t)a->mem + i * PGSIZE; }
static long pgidx(struct arena *a, void *p) { return ((long)((uintptr_t)p - (uintptr_t)a->mem)) / (long)PGSIZE; }

/* ---------------------------------------------------------------- page pool */

/*
 * Pool used by most page tests: NP pages (not a multiple of 64, so the last
 * bitmap word is partial), with pages [10,20), [500,503), and the last page
 * kept reserved.
 */
#define NP 1000
static int reserved_page(size_t i) { return (i >= 10 && i < 20) || (i >= 500 && i < 503) || i == NP - 1; }
#define NRESERVED (10 + 3 + 1)

static void pool_setup(struct page_pool *p, struct arena *a)
{
	pool_init(p, (uintptr_t)a->mem, NP, a->bitmap);
	pool_release_range(p, pg(a, 0), pg(a, 10));
	pool_release_range(p, pg(a, 20), pg(a, 500));
	pool_release_range(p, pg(a, 503), pg(a, NP - 1));
}

static void test_pool_basic(void)
{
	struct arena a = arena_new(NP);
	struct page_pool p;
	char name[128];

	pool_init(&p, (uintptr_t)a.mem, NP, a.bitmap);
	check("pool_init: every page starts reserved (nfree 0)", 0, (long long)pool_free_pages(&p));
	check("pool_init: alloc from an all-reserved pool is NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 1));

	pool_setup(&p, &a);
	check("pool_release_range: nfree", NP - NRESERVED, (long long)pool_free_pages(&p));
	pool_release_range(&p, pg(&a, 20), pg(&a, 500));
	check("pool_release_range twice: nfree unchanged", NP - NRESERVED, (long long)pool_free_pages(&p));
	/* a partial page at the end of a range is not released */
	pool_release_range(&p, pg(&a, 10), pg(&a, 10) + PGSIZE - 1);
	check("pool_release_range: partial page not released", NP - NRESERVED, (long long)pool_free_pages(&p));
	/* a range starting below the pool is clipped, not wrapped */
	pool_release_range(&p, pg(&a, 0) - 4 * PGSIZE, pg(&a, 1));
	check("pool_release_range: range below base clipped", NP - NRESERVED, (long long)pool_free_pages(&p));

	check("pool_alloc(0) is NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 0));
	check("pool_alloc(0) leaves nfree", NP - NRESERVED, (long long)pool_free_pages(&p));

	/* exhaust with single pages */
	static void *got[NP];
	size_t n = 0;
	int bad_resv = 0, bad_align = 0, bad_range = 0, dup = 0;
	static unsigned char seen[NP];
	memset(seen, 0, sizeof seen);
	for (void *x; n < NP && (x = pool_alloc(&p, 1)) != NULL; n++) {
		got[n] = x;
		long i = pgidx(&a, x);
		if ((uintptr_t)x % PGSIZE)
			bad_align++;
		if (i < 0 || i >= NP) {
			bad_range++;
			continue;
		}
		if (reserved_page((size_t)i))
			bad_resv++;
		if (seen[i]++)
			dup++;
		memset(x, (int)(i & 0xff), PGSIZE);	/* ASan: the page is really ours */
	}
	check("exhaust: number of single pages handed out", NP - NRESERVED, (long long)n);
	check("exhaust: reserved pages handed out", 0, bad_resv);
	check("exhaust: misaligned pages", 0, bad_align);
	check("exhaust: pages outside the pool", 0, bad_range);
	check("exhaust: page handed out twice", 0, dup);
	check("exhaust: nfree 0", 0, (long long)pool_free_pages(&p));
	check("exhaust: pool_alloc(1) NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 1));
	check("exhaust: pool_alloc(3) NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 3));
	check("exhaust: failed allocs leave nfree 0", 0, (long long)pool_free_pages(&p));
	int corrupt = 0;
	for (size_t k = 0; k < n; k++) {
		long i = pgidx(&a, got[k]);
		const unsigned char *b = got[k];
		for (size_t j = 0; j < PGSIZE; j++)
			if (b[j] != (unsigned char)(i & 0xff))
				corrupt++;
	}
	check("exhaust: page contents intact (no overlap)", 0, corrupt);

	/* free reuse: the freed page comes back */
	void *x = got[123];
	pool_free(&p, x, 1);
	check("free: nfree +1", 1, (long long)pool_free_pages(&p));
	check("free: the freed page is reused", (long long)(uintptr_t)x, (long long)(uintptr_t)pool_alloc(&p, 1));
	check("free+alloc: nfree 0", 0, (long long)pool_free_pages(&p));

	/* double free is ignored */
	pool_free(&p, x, 1);
	pool_free(&p, x, 1);
	check("double free: nfree counts the page once", 1, (long long)pool_free_pages(&p));
	check("double free: page handed out once", (long long)(uintptr_t)x, (long long)(uintptr_t)pool_alloc(&p, 1));
	check("double free: then exhausted again", 0, (long long)(uintptr_t)pool_alloc(&p, 1));

	/* frees outside the pool are ignored */
	pool_free(&p, (void *)(pg(&a, 0) - PGSIZE), 1);
	pool_free(&p, (void *)pg(&a, NP), 1);
	pool_free(&p, (void *)pg(&a, NP + 1000), 4);
	check("free outside the pool: ignored", 0, (long long)pool_free_pages(&p));

	/* pool_alloc_at */
	check("alloc_at: allocated page refused", -1, pool_alloc_at(&p, (uintptr_t)got[5]));
	check("alloc_at: reserved page refused", -1, pool_alloc_at(&p, pg(&a, 12)));
	check("alloc_at: below the pool refused", -1, pool_alloc_at(&p, pg(&a, 0) - PGSIZE));
	check("alloc_at: past the pool refused", -1, pool_alloc_at(&p, pg(&a, NP)));
	check("alloc_at: refusals leave nfree", 0, (long long)pool_free_pages(&p));
	pool_free(&p, got[5], 1);
	pool_free(&p, got[6], 1);
	check("alloc_at: free page taken", 0, pool_alloc_at(&p, (uintptr_t)got[5]));
	check("alloc_at: nfree -1", 1, (long long)pool_free_pages(&p));
	check("alloc_at: taken page not handed out", (long long)(uintptr_t)got[6], (long long)(uintptr_t)pool_alloc(&p, 1));
	check("alloc_at: then empty", 0, (long long)(uintptr_t)pool_alloc(&p, 1));

	/* free everything */
	for (size_t k = 0; k < n; k++)
		pool_free(&p, got[k], 1);
	check("free all: nfree back", NP - NRESERVED, (long long)pool_free_pages(&p));

	/* multi-page runs are never placed over a reserved page */
	int overlap_resv = 0;
	size_t runs = 0, pages = 0;
	for (void *r; (r = pool_alloc(&p, 7)) != NULL; runs++) {
		long i = pgidx(&a, r);
		for (long k = i; k < i + 7; k++)
			if (k >= NP || reserved_page((size_t)k))
				overlap_resv++;
		pages += 7;
	}
	/* free runs: [0,10) -> 1 run, [20,500) -> 68, [503,999) -> 70 */
	check("runs of 7: count", 1 + 68 + 70, (long long)runs);
	check("runs of 7: none crosses a reserved page or the end", 0, overlap_resv);
	check("runs of 7: nfree", NP - NRESERVED - (long long)pages, (long long)pool_free_pages(&p));
	arena_free(&a);

	/* contiguous runs after fragmentation */
	a = arena_new(NP);
	pool_setup(&p, &a);
	for (n = 0; pool_alloc(&p, 1); n++)
		;
	/* free every other page: lots of free memory, no run of 2 */
	size_t freed = 0;
	for (size_t i = 21; i < 499; i += 2, freed++)
		pool_free(&p, (void *)pg(&a, i), 1);
	check("fragmented: nfree", (long long)freed, (long long)pool_free_pages(&p));
	check("fragmented: no run of 2", 0, (long long)(uintptr_t)pool_alloc(&p, 2));
	check("fragmented: failed run leaves nfree", (long long)freed, (long long)pool_free_pages(&p));
	/* 125 is free, 126 is not, 127 is free: freeing 126 makes a run of 3 */
	pool_free(&p, (void *)pg(&a, 126), 1);
	check("fragmented: run of 3 lands on the only hole", (long long)pg(&a, 125), (long long)(uintptr_t)pool_alloc(&p, 3));
	/* a run across a bitmap word boundary: 61, 63, 65, 67 are free already */
	for (size_t i = 62; i <= 66; i += 2)
		pool_free(&p, (void *)pg(&a, i), 1);
	void *r5 = pool_alloc(&p, 5);	/* 61..67 is the only run of 5 or more */
	check_true("fragmented: run of 5 across a word boundary",
		   (uintptr_t)r5 >= pg(&a, 61) && (uintptr_t)r5 <= pg(&a, 63), "a run inside pages 61..67");
	/* a run at the very end of the pool (page NP-1 is reserved) */
	for (size_t i = NP - 5; i < NP - 1; i++)
		pool_free(&p, (void *)pg(&a, i), 1);
	check("fragmented: run of 4 at the end of the pool", (long long)pg(&a, NP - 5), (long long)(uintptr_t)pool_alloc(&p, 4));
	check("fragmented: run of 5 never includes the reserved last page", 0, (long long)(uintptr_t)pool_alloc(&p, 5));
	/*
	 * Single pages behind full bitmap words: pool_alloc(1) skips a full
	 * 64-page word at once.  Free page 5 (sets the hint low) and a far page;
	 * the second alloc must search from 6 across full words to find it.
	 */
	while (pool_alloc(&p, 1))
		;
	static const size_t far[] = { 200, 192, 127, 998 };
	for (size_t t = 0; t < sizeof far / sizeof far[0]; t++) {
		snprintf(name, sizeof name, "fast path: free page %zu found behind full words", far[t]);
		pool_free(&p, (void *)pg(&a, 5), 1);
		pool_free(&p, (void *)pg(&a, far[t]), 1);
		void *first = pool_alloc(&p, 1), *second = pool_alloc(&p, 1);
		check(name, (long long)pg(&a, far[t]), (long long)(uintptr_t)second);
		(void)first;
	}
	check("fast path: pool empty again", 0, (long long)pool_free_pages(&p));
	arena_free(&a);

	/* a pool of exactly 64 pages and one of 1 page */
	a = arena_new(64);
	pool_init(&p, (uintptr_t)a.mem, 64, a.bitmap);
	pool_release_range(&p, pg(&a, 0), pg(&a, 64));
	check("64-page pool: run of 64", (long long)pg(&a, 0), (long long)(uintptr_t)pool_alloc(&p, 64));
	check("64-page pool: then NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 1));
	pool_free(&p, a.mem, 64);
	check("64-page pool: run of 65 NULL", 0, (long long)(uintptr_t)pool_alloc(&p, 65));
	check("64-page pool: nfree", 64, (long long)pool_free_pages(&p));
	arena_free(&a);
}

/*
 * Random alloc/free/alloc_at against a shadow model.  shadow[i]: 0 free,
 * -1 reserved, else the id of the run holding it.  The page's first 8 bytes
 * hold the id while allocated (an overlap would overwrite it).
 */
struct run { void *p; size_t n; long id; };

static int shadow_has_run(const long *shadow, size_t npages, size_t n)
{
	size_t r = 0;
	for (size_t i = 0; i < npages; i++) {
		r = shadow[i] == 0 ? r + 1 : 0;
		if (r == n)
			return 1;
	}
	return 0;
}

static void test_pool_stress(long ops)
{
	struct arena a = arena_new(NP);
	struct page_pool p;
	pool_setup(&p, &a);
	static long shadow[NP];
	for (size_t i = 0; i < NP; i++)
		shadow[i] = reserved_page(i) ? -1 : 0;
	size_t nfree = NP - NRESERVED;
	static struct run live[NP];
	size_t nlive = 0;
	long next_id = 1;
	long err_overlap = 0, err_resv = 0, err_count = 0, err_null = 0, err_tag = 0, err_at = 0, err_bitmap = 0;
	long allocs = 0, nulls = 0;
	char first[200] = "";

	for (long op = 0; op < ops; op++) {
		size_t r = rnd_below(100);
		if (r < 50 || nlive == 0) {
			size_t n = rnd_below(10) < 7 ? 1 : rnd_below(10) < 8 ? 2 + rnd_below(7) : 1 + rnd_below(64);
			void *x = pool_alloc(&p, n);
			if (!x) {
				nulls++;
				if (shadow_has_run(shadow, NP, n)) {
					if (!err_null++)
						snprintf(first, sizeof first, "op %ld: pool_alloc(%zu) NULL with a free run", op, n);
				}
			} else {
				allocs++;
				long i = pgidx(&a, x);
				if ((uintptr_t)x % PGSIZE || i < 0 || (size_t)i + n > NP) {
					err_overlap++;
					continue;
				}
				for (size_t k = 0; k < n; k++) {
					if (shadow[i + k] == -1)
						err_resv++;
					else if (shadow[i + k] != 0)
						err_overlap++;
					shadow[i + k] = next_id;
					*(long *)pg(&a, (size_t)i + k) = next_id;
				}
				nfree -= n;
				live[nlive++] = (struct run){ x, n, next_id++ };
			}
		} else if (r < 95) {
			size_t j = rnd_below(nlive);
			struct run v = live[j];
			live[j] = live[--nlive];
			long i = pgidx(&a, v.p);
			for (size_t k = 0; k < v.n; k++) {
				if (*(long *)pg(&a, (size_t)i + k) != v.id)
					err_tag++;
				shadow[i + k] = 0;
			}
			pool_free(&p, v.p, v.n);
			nfree += v.n;
			if (rnd_below(4) == 0)
				pool_free(&p, v.p, v.n);	/* double free, before any reuse */
		} else {
			/* alloc_at a random page (free, reserved, or allocated) */
			size_t i = rnd_below(NP);
			int exp = shadow[i] == 0 ? 0 : -1;
			int got = pool_alloc_at(&p, pg(&a, i));
			if (got != exp)
				err_at++;
			if (got == 0) {
				shadow[i] = next_id;
				*(long *)pg(&a, i) = next_id;
				nfree--;
				live[nlive++] = (struct run){ (void *)pg(&a, i), 1, next_id++ };
			}
		}
		if (pool_free_pages(&p) != nfree && !err_count++)
			snprintf(first, sizeof first, "op %ld: nfree %zu, shadow %zu", op, pool_free_pages(&p), nfree);
		if (op % 1000 == 0)
			for (size_t i = 0; i < NP; i++)
				if (((p.used[i / 64] >> (i % 64)) & 1) != (shadow[i] != 0))
					err_bitmap++;
	}
	while (nlive) {
		struct run v = live[--nlive];
		pool_free(&p, v.p, v.n);
	}
	printf("   pool stress: %ld ops, %ld allocations, %ld NULL returns%s%s\n", ops, allocs, nulls,
	       first[0] ? "; first problem: " : "", first);
	check("pool stress: no overlapping allocations", 0, err_overlap);
	check("pool stress: no reserved page handed out", 0, err_resv);
	check("pool stress: page tags intact", 0, err_tag);
	check("pool stress: nfree matches the shadow model", 0, err_count);
	check("pool stress: NULL only when no free run exists", 0, err_null);
	check("pool stress: alloc_at agrees with the shadow", 0, err_at);
	check("pool stress: bitmap matches the shadow", 0, err_bitmap);
	check_true("pool stress: some allocations failed (pool got full)", nulls > 0, "at least one NULL return");
	check("pool stress: everything freed", NP - NRESERVED, (long long)pool_free_pages(&p));
	arena_free(&a);
}

/* ---------------------------------------------------------------- kmalloc */

static size_t cls_size(size_t size)
{
	size_t c = 16;
	while (c < size)
		c <<= 1;
	return c;
}

static void test_kmem_basic(void)
{
	enum { KP = 2048 };	/* sizes 1025..2048 take a page each */
	struct arena a = arena_new(KP);
	struct page_pool p;
	struct kmem k;
	pool_init(&p, (uintptr_t)a.mem, KP, a.bitmap);
	pool_release_range(&p, pg(&a, 0), pg(&a, KP));
	kmem_init(&k, &p);
	size_t start = pool_free_pages(&p);

	check("kmem_alloc(0) is NULL", 0, (long long)(uintptr_t)kmem_alloc(&k, 0));
	check("kmem_alloc(KMALLOC_MAX+1) is NULL", 0, (long long)(uintptr_t)kmem_alloc(&k, KMALLOC_MAX + 1));
	check("kmem_alloc(SIZE_MAX) is NULL", 0, (long long)(uintptr_t)kmem_alloc(&k, SIZE_MAX));
	check("rejected sizes take no page", (long long)start, (long long)pool_free_pages(&p));

	/*
	 * Every size 1..2048: aligned to min(class size, 64) (the code rounds
	 * the slab header up to that), at least 16; inside one page; past the
	 * slab header; writable over its whole size.  All kept live, so
	 * successive objects of a class must not overlap.
	 */
	static void *objs[KMALLOC_MAX + 1];
	int bad_align = 0, bad_page = 0, bad_null = 0, bad_hdr = 0;
	char first[160] = "";
	for (size_t s = 1; s <= KMALLOC_MAX; s++) {
		void *x = kmem_alloc(&k, s);
		objs[s] = x;
		if (!x) {
			bad_null++;
			continue;
		}
		size_t c = cls_size(s), al = c < 64 ? c : 64;
		uintptr_t off = (uintptr_t)x % PGSIZE;
		if ((uintptr_t)x % al) {
			if (!bad_align++)
				snprintf(first, sizeof first, "size %zu at page offset %lu", s, (unsigned long)off);
		}
		if (off + c > PGSIZE || (uintptr_t)x < pg(&a, 0) || (uintptr_t)x >= pg(&a, KP))
			bad_page++;
		if (off < 32)	/* struct slab is 32 bytes on lp64 */
			bad_hdr++;
		memset(x, (int)(s & 0xff), s);
	}
	check("every size 1..2048 allocated", 0, bad_null);
	if (bad_align)
		printf("   first misaligned: %s\n", first);
	check("every size 1..2048 aligned to min(class, 64)", 0, bad_align);
	check("every object inside one pool page", 0, bad_page);
	check("no object over its slab header", 0, bad_hdr);
	int bad_pat = 0;
	for (size_t s = 1; s <= KMALLOC_MAX; s++) {
		const unsigned char *b = objs[s];
		for (size_t j = 0; b && j < s; j++)
			if (b[j] != (unsigned char)(s & 0xff)) {
				bad_pat++;
				break;
			}
	}
	check("all sizes live at once: patterns intact (no overlap)", 0, bad_pat);
	for (size_t s = 1; s <= KMALLOC_MAX; s++)
		kmem_free(&k, objs[s]);
	/* one empty slab per class stays cached (8 classes: 16..2048) */
	check("free all sizes: pool back to start minus one cached slab per class",
	      (long long)start - 8, (long long)pool_free_pages(&p));

	/* freed then reallocated: same slab */
	void *o1 = kmem_alloc(&k, 100);
	void *o2 = kmem_alloc(&k, 100);
	kmem_free(&k, o1);
	void *o3 = kmem_alloc(&k, 100);
	check("free then alloc same size: same slab page", (long long)((uintptr_t)o1 & ~(PGSIZE - 1)),
	      (long long)((uintptr_t)o3 & ~(PGSIZE - 1)));
	check("free then alloc same size: same object (LIFO)", (long long)(uintptr_t)o1, (long long)(uintptr_t)o3);
	kmem_free(&k, o2);
	kmem_free(&k, o3);
	check("freed both: no page taken", (long long)start - 8, (long long)pool_free_pages(&p));

	/* empty slabs go back to the pool: fill 5 slabs of 64-byte objects */
	size_t per = (PGSIZE - 64) / 64, nobj = 5 * per;
	void **many = malloc(nobj * sizeof *many);
	for (size_t i = 0; i < nobj; i++)
		many[i] = kmem_alloc(&k, 64);
	/* the cached empty 64-byte slab is used first: 4 new pages */
	check("5 slabs of 64-byte objects: 4 new pages", (long long)start - 8 - 4, (long long)pool_free_pages(&p));
	for (size_t i = 0; i < nobj; i += 2)	/* free in an interleaved order */
		kmem_free(&k, many[i]);
	for (size_t i = 1; i < nobj; i += 2)
		kmem_free(&k, many[i]);
	check("empty slabs returned to the pool (one kept)", (long long)start - 8, (long long)pool_free_pages(&p));
	free(many);

	/* harmless frees */
	kmem_free(&k, NULL);
	check("kmem_free(NULL): nothing changes", (long long)start - 8, (long long)pool_free_pages(&p));
	void *page = pool_alloc(&p, 1);
	memset(page, 0, PGSIZE);
	kmem_free(&k, (char *)page + 256);	/* a pool page that is no slab */
	kmem_free(&k, page);
	int untouched = 1;
	for (size_t j = 0; j < PGSIZE; j++)
		if (((unsigned char *)page)[j])
			untouched = 0;
	check_true("kmem_free(non-slab page): page untouched", untouched, "the page to stay zero");
	void *after = kmem_alloc(&k, 256);
	check_true("kmem_free(non-slab page): pointer not handed out later",
		   (uintptr_t)after != (uintptr_t)page + 256, "a slab object, not the foreign pointer");
	kmem_free(&k, after);
	pool_free(&p, page, 1);
	check("after foreign frees: pool count", (long long)start - 8, (long long)pool_free_pages(&p));
	arena_free(&a);

	/* exhaustion: 4 pages, 2048-byte objects (one per slab: header + 2048 > 2048) */
	enum { EP = 4 };
	a = arena_new(EP);
	pool_init(&p, (uintptr_t)a.mem, EP, a.bitmap);
	pool_release_range(&p, pg(&a, 0), pg(&a, EP));
	kmem_init(&k, &p);
	void *big[EP + 2];
	size_t nbig = 0;
	while (nbig < EP + 2 && (big[nbig] = kmem_alloc(&k, 2048)) != NULL)
		nbig++;
	check("exhaustion: 2048-byte objects from 4 pages", EP, (long long)nbig);
	check("exhaustion: further kmem_alloc NULL", 0, (long long)(uintptr_t)kmem_alloc(&k, 2048));
	check("exhaustion: small kmem_alloc NULL too", 0, (long long)(uintptr_t)kmem_alloc(&k, 8));
	check("exhaustion: pool count stays 0", 0, (long long)pool_free_pages(&p));
	kmem_free(&k, big[0]);
	void *again = kmem_alloc(&k, 16);
	/* the empty 2048 slab is cached (only partial slab of its class), so
	 * a 16-byte request finds no page; a 2048 request reuses the slot */
	check("exhaustion: 16-byte alloc NULL while the empty slab stays cached", 0, (long long)(uintptr_t)again);
	check("exhaustion: freed 2048 slot reused", (long long)(uintptr_t)big[0], (long long)(uintptr_t)kmem_alloc(&k, 2048));
	for (size_t i = 0; i < nbig; i++)
		kmem_free(&k, big[i]);
	check("exhaustion: all freed, one slab cached", EP - 1, (long long)pool_free_pages(&p));
	arena_free(&a);
}

struct obj { unsigned char *p; size_t size; unsigned char tag; };

static int obj_ok(const struct obj *o)
{
	for (size_t j = 0; j < o->size; j++)
		if (o->p[j] != (unsigned char)(o->tag + j))
			return 0;
	return 1;
}

static void test_kmem_stress(long ops)
{
	enum { KP = 128, MAXLIVE = 4000 };
	struct arena a = arena_new(KP);
	struct page_pool p;
	struct kmem k;
	pool_init(&p, (uintptr_t)a.mem, KP, a.bitmap);
	pool_release_range(&p, pg(&a, 0), pg(&a, KP));
	kmem_init(&k, &p);
	size_t start = pool_free_pages(&p);
	static struct obj live[MAXLIVE];
	size_t nlive = 0;
	long err_pat = 0, err_range = 0, err_align = 0, err_null = 0, nulls = 0, allocs = 0;
	int used_class[8] = { 0 };
	char first[200] = "";

	for (long op = 0; op < ops; op++) {
		size_t r = rnd_below(100);
		if ((r < 55 && nlive < MAXLIVE) || nlive == 0) {
			size_t s = rnd_below(4) ? 1 + rnd_below(128) : 1 + rnd_below(KMALLOC_MAX);
			unsigned char *x = kmem_alloc(&k, s);
			if (!x) {
				nulls++;
				/* only legal when the pool is empty */
				if (pool_free_pages(&p) != 0 && !err_null++)
					snprintf(first, sizeof first, "op %ld: kmem_alloc(%zu) NULL with %zu free pages",
						 op, s, pool_free_pages(&p));
				continue;
			}
			allocs++;
			size_t c = cls_size(s);
			int cls = 0;
			while ((16u << cls) < c)
				cls++;
			used_class[cls] = 1;
			uintptr_t off = (uintptr_t)x % PGSIZE;
			if ((uintptr_t)x < pg(&a, 0) || (uintptr_t)x >= pg(&a, KP) || off < 32 || off + c > PGSIZE)
				err_range++;
			if ((uintptr_t)x % (c < 64 ? c : 64))
				err_align++;
			struct obj o = { x, s, (unsigned char)rnd() };
			for (size_t j = 0; j < s; j++)
				x[j] = (unsigned char)(o.tag + j);
			live[nlive++] = o;
		} else {
			size_t j = rnd_below(nlive);
			if (!obj_ok(&live[j]) && !err_pat++)
				snprintf(first, sizeof first, "op %ld: object %p size %zu overwritten",
					 op, (void *)live[j].p, live[j].size);
			kmem_free(&k, live[j].p);
			live[j] = live[--nlive];
		}
		if (op % 5000 == 0)
			for (size_t j = 0; j < nlive; j++)
				if (!obj_ok(&live[j]))
					err_pat++;
	}
	for (size_t j = 0; j < nlive; j++) {
		if (!obj_ok(&live[j]))
			err_pat++;
		kmem_free(&k, live[j].p);
	}
	int nclasses = 0;
	for (int c = 0; c < 8; c++)
		nclasses += used_class[c];
	printf("   kmem stress: %ld ops, %ld allocations, %ld NULL returns, %d classes used%s%s\n",
	       ops, allocs, nulls, nclasses, first[0] ? "; first problem: " : "", first);
	check("kmem stress: no overlap (patterns intact)", 0, err_pat);
	check("kmem stress: objects inside a slab page, past the header", 0, err_range);
	check("kmem stress: alignment", 0, err_align);
	check("kmem stress: NULL only when the pool is empty", 0, err_null);
	check_true("kmem stress: the pool ran dry at some point", nulls > 0, "at least one NULL return");
	check("kmem stress: all freed: pool back to start minus one cached slab per class",
	      (long long)start - nclasses, (long long)pool_free_pages(&p));
	arena_free(&a);
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? atol(argv[1]) : 100000;
	setvbuf(stdout, NULL, _IOLBF, 0);	/* keep the lines before a sanitizer abort */
	test_pool_basic();
	test_pool_stress(ops);
	test_kmem_basic();
	test_kmem_stress(ops);
	printf("test_alloc: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
