/*
 * kernel/utc.h - the user translation cache: the last user page a kernel
 * copy reached in an address space, so that a syscall's copies of the
 * same page (a read() into a stack buffer, again and again) skip the
 * three-level page-table walk (docs/BENCHMARKS.md, "calls that copy").
 *
 * One entry per mm (struct mm's `utc`), read and written only under
 * mm->lock, like the table itself.  An entry is valid while mm->tlb_gen is
 * the one it was filled at: every change that removes or narrows a
 * mapping, or moves a page (unmap, mprotect, copy-on-write break, fork
 * making pages copy-on-write), bumps tlb_gen under mm->lock, and a mapping
 * that appears never invalidates what was there (there was nothing).
 */
#ifndef DUET_KERNEL_UTC_H
#define DUET_KERNEL_UTC_H

#include <stdint.h>

struct utc {
	uint64_t vpage;		/* user page (va >> 12), 0: empty (page 0 is never mapped) */
	uint64_t gen;		/* mm->tlb_gen when filled */
	char *kpage;		/* the page through the direct map */
	int writable;		/* W set and not copy-on-write: a copy to user may use it */
};

/* The kernel address of user va, or NULL: walk (caller holds mm->lock). */
static inline char *utc_lookup(const struct utc *c, uint64_t gen, uint64_t va, int write)
{
	if (c->vpage != (va >> 12) || c->gen != gen || (write && !c->writable))
		return 0;
	return c->kpage + (va & 0xfff);
}

static inline void utc_fill(struct utc *c, uint64_t gen, uint64_t va, char *kpage, int writable)
{
	c->vpage = va >> 12;
	c->gen = gen;
	c->kpage = kpage;
	c->writable = writable;
}

#endif /* DUET_KERNEL_UTC_H */
