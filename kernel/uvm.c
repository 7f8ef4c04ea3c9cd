#include "kernel/uvm.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/kmalloc.h"
#include "kernel/errno.h"
#include "kernel/cpu.h"
#include "kernel/printk.h"
#include "kernel/fs/filemap.h"
#include "kernel/trap.h"
#include "kernel/ipc/ipc.h"
#include <string.h>

#define PTE_LEAF_USER (PTE_V | PTE_U | PTE_A | PTE_D)
#define PTE_PERM (PTE_R | PTE_W | PTE_X)
static atomic_uint next_asid = 1;

/*
 * Private anonymous memory is demand-zero (PTE_LAZY, arch/riscv/riscv.h):
 * mmap and brk write one entry per 4 KiB, 2 MiB or 1 GiB range and no page;
 * the first access allowed by the entry's permissions gets a page, on
 * whichever hart faults (resolve).  A first read maps the one zero page
 * copy-on-write, as Linux does, so reading untouched memory costs nothing.
 */
static void *zero_page;
struct uvm_counters uvm_counters;

/* Once, on the boot hart (proc_init): the page every untouched read sees. */
void uvm_init(void)
{
	zero_page = upage_alloc();
	BUG_ON(!zero_page);	/* boot: the pool is full */
}

static uint64_t level_size(int level) { return 1UL << (12 + 9 * level); }

/*
 * Where a walk for va stops: the leaf entry (*level 0), or an invalid
 * entry above the leaves, empty or demand-zero for its whole range.
 * User tables hold no huge leaves.  Caller holds mm->lock.
 */
static pte_t *walk_stop(struct mm *mm, uint64_t va, int *level)
{
	pagetable_t pt = mm->pgd;
	for (int l = 2; l > 0; l--) {
		pte_t *pte = &pt[PX(l, va)];
		if (!(*pte & PTE_V)) {
			*level = l;
			return pte;
		}
		pt = PA2VA(PTE2PA(*pte));
	}
	*level = 0;
	return &pt[PX(0, va)];
}

/*
 * The leaf entry of va for a change to part of a range: a demand-zero
 * entry above the leaves is split down to them; NULL if nothing is mapped
 * at va (or no memory for the split).  Caller holds mm->lock.
 */
static pte_t *walk_leaf_split(struct mm *mm, uint64_t va)
{
	int level;
	pte_t *pte = walk_stop(mm, va, &level);
	if (level == 0)
		return pte;
	return PTE_IS_LAZY(*pte) ? vm_walk(mm->pgd, va, 1) : NULL;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof *mm);
	if (!mm)
		return NULL;
	mm->pgd = page_alloc();
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	/* the kernel half is shared: same level-1 tables in every root */
	for (int i = 256; i < 512; i++)
		mm->pgd[i] = kernel_pgd[i];
	mm->asid = (uint16_t)(atomic_fetch_add(&next_asid, 1) & 0xffff);
	spin_init(&mm->lock, "mm");
	mm->mmap_next = USER_MMAP_TOP;
	atomic_init(&mm->refs, 1);
	return mm;
}

static void free_table(pagetable_t pt, int level)
{
	for (int i = 0; i < 512; i++) {
		pte_t pte = pt[i];
		if (level == 0 && (pte & PTE_NONE)) {
			upage_put(PA2VA(PTE2PA(pte)));
			continue;
		}
		if (!(pte & PTE_V))
			continue;
		if (level > 0 && !(pte & (PTE_R | PTE_W | PTE_X)))
			free_table(PA2VA(PTE2PA(pte)), level - 1);
		else if (level == 0)
			upage_put(PA2VA(PTE2PA(pte)));
	}
	page_free(pt);
}

void mm_put(struct mm *mm)
{
	/*
	 * seq_cst: every use of the table by the hart dropping its reference
	 * (its satp switch away included) happens before the last one frees it.
	 */
	if (!mm || atomic_fetch_sub(&mm->refs, 1) > 1)
		return;
	shm_attach_release(mm);	/* the records only: the pages go with the table */
	for (int i = 0; i < 256; i++)	/* user half only */
		if (mm->pgd[i] & PTE_V)
			free_table(PA2VA(PTE2PA(mm->pgd[i])), 1);
	page_free(mm->pgd);
	kfree(mm);
}

/* Caller holds mm->lock. */
static int map_zero_page(struct mm *mm, uint64_t va, uint64_t perm)
{
	pte_t *pte = vm_walk(mm->pgd, va, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & (PTE_V | PTE_NONE))
		return 0;	/* a page there already (a PROT_NONE one too: not leaked) */
	void *pg = upage_alloc();
	if (!pg)
		return -ENOMEM;
	*pte = PA2PTE(VA2PA(pg)) | perm | PTE_LEAF_USER;
	return 0;
}

int uvm_map_zero(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm)
{
	int err = 0;
	spin_lock(&mm->lock);
	for (uint64_t a = va & ~(PGSIZE - 1); a < va + len && !err; a += PGSIZE)
		err = map_zero_page(mm, a, perm);
	spin_unlock(&mm->lock);
	return err;
}

int uvm_map_lazy(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm)
{
	uint64_t end = va + len;
	int err = 0;
	spin_lock(&mm->lock);
	for (uint64_t a = va & ~(PGSIZE - 1); a < end && !err; ) {
		int level = 2;
		pte_t *pte;
		for (;;) {	/* the largest aligned range inside [a, end) not holding a table */
			uint64_t sz = level_size(level);
			if (level > 0 && ((a & (sz - 1)) || a + sz > end || a + sz < a)) {
				level--;
				continue;
			}
			pte = vm_walk_level(mm->pgd, a, level, 1);
			if (pte && level > 0 && (*pte & PTE_V)) {
				level--;
				continue;
			}
			break;
		}
		if (!pte)
			err = -ENOMEM;
		else if (!*pte)
			*pte = PTE_LAZY | (perm & PTE_PERM);
		a += level_size(level);
	}
	spin_unlock(&mm->lock);
	return err;
}

/* One more sharer of the user page pg, mapped at va (nothing there yet). */
int uvm_map_page(struct mm *mm, uint64_t va, void *pg, uint64_t perm)
{
	spin_lock(&mm->lock);
	pte_t *pte = vm_walk(mm->pgd, va, 1);
	int err = !pte ? -ENOMEM : (*pte & (PTE_V | PTE_NONE)) ? -EEXIST : 0;
	if (!err) {
		upage_share(pg);
		*pte = PA2PTE(VA2PA(pg)) | perm | PTE_LEAF_USER;
	}
	spin_unlock(&mm->lock);
	return err;
}

/*
 * Mark [va, va+len) MAP_SHARED: fork then shares these pages instead of
 * making them copy-on-write, as Linux does for shared anonymous memory.
 */
void uvm_mark_shared(struct mm *mm, uint64_t va, uint64_t len)
{
	spin_lock(&mm->lock);
	for (uint64_t a = va; a < va + len; a += PGSIZE) {
		pte_t *pte = vm_walk(mm->pgd, a, 0);
		if (pte && (*pte & PTE_V))
			*pte |= PTE_SHARED;
	}
	spin_unlock(&mm->lock);
}

int uvm_page_lookup(struct mm *mm, uint64_t va, uint64_t *pa, int *shared)
{
	spin_lock(&mm->lock);
	pte_t *pte = va < USER_VA_END ? vm_walk(mm->pgd, va, 0) : NULL;
	pte_t e = pte ? *pte : 0;
	spin_unlock(&mm->lock);
	if (!(e & (PTE_V | PTE_NONE)))
		return -EFAULT;
	*pa = PTE2PA(e) + (va & (PGSIZE - 1));
	*shared = PTE_IS_SHARED(e);
	return 0;
}

/*
 * In chunks: a chunk's pages go back to the pool only after every hart
 * has stopped using the old translations (mm_shootdown), so a thread
 * still running on another hart can never write into a reused page.
 */
void uvm_unmap(struct mm *mm, uint64_t va, uint64_t len)
{
	void *freed[32];
	for (uint64_t a = va; a < va + len; ) {
		int n = 0;
		spin_lock(&mm->lock);
		while (a < va + len && n < 32) {
			int level;
			pte_t *pte = walk_stop(mm, a, &level);
			if (level > 0) {
				uint64_t sz = level_size(level), base = a & ~(sz - 1);
				/* nothing there, or demand-zero over the whole range: one entry */
				if (!PTE_IS_LAZY(*pte) || (base >= va && base + sz <= va + len)) {
					*pte = 0;
					a = base + sz;
					continue;
				}
				pte = vm_walk(mm->pgd, a, 1);	/* part of it: split */
				if (!pte) {
					a += PGSIZE;	/* no memory for a table: it stays (logged by none) */
					continue;
				}
			}
			if (*pte & (PTE_V | PTE_NONE))
				freed[n++] = PA2VA(PTE2PA(*pte));
			*pte = 0;	/* a page, or a demand-zero or SIGBUS entry (no page behind it) */
			a += PGSIZE;
		}
		if (n)
			mm->tlb_gen++;
		spin_unlock(&mm->lock);
		if (!n)
			continue;
		sfence_vma_asid(mm->asid);
		mm_shootdown(mm);
		for (int i = 0; i < n; i++)
			upage_put(freed[i]);
	}
}

int uvm_protect(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm)
{
	int err = 0;
	spin_lock(&mm->lock);
	for (uint64_t a = va; a < va + len; a += PGSIZE) {
		int level;
		pte_t *pte = walk_stop(mm, a, &level);
		if (level > 0) {
			uint64_t sz = level_size(level), base = a & ~(sz - 1);
			if (PTE_IS_LAZY(*pte) && base >= va && base + sz <= va + len) {
				*pte = PTE_LAZY | (perm & PTE_PERM);	/* the whole range at once */
				a = base + sz - PGSIZE;
				continue;
			}
			if (!PTE_IS_LAZY(*pte)) {
				err = -ENOMEM;	/* Linux: part of the range is unmapped */
				a = base + sz - PGSIZE;
				continue;
			}
			pte = vm_walk(mm->pgd, a, 1);
			if (!pte) {
				err = -ENOMEM;
				continue;
			}
		}
		if (PTE_IS_LAZY(*pte)) {
			*pte = PTE_LAZY | (perm & PTE_PERM);	/* no page yet: the permissions it will get */
			continue;
		}
		if (!(*pte & (PTE_V | PTE_NONE))) {
			err = -ENOMEM;	/* Linux: part of the range is unmapped */
			continue;
		}
		/*
		 * PROT_NONE keeps the page but clears V: a valid PTE with
		 * R=W=X=0 would mean "pointer to the next level".
		 */
		pte_t keep = *pte & ~(uint64_t)(PTE_R | PTE_W | PTE_X | PTE_V | PTE_NONE | PTE_COW);
		uint64_t p = perm;
		if (PTE_IS_SHARED(*pte))
			keep |= PTE_SHARED;	/* a shared page stays shared, never copy-on-write */
		else if ((p & PTE_W) && upage_refs(PA2VA(PTE2PA(*pte))) > 1)
			p = (p & ~PTE_W) | PTE_COW;	/* still shared with a fork */
		*pte = p ? keep | p | PTE_V : keep | PTE_NONE;
	}
	mm->tlb_gen++;
	spin_unlock(&mm->lock);
	sfence_vma_asid(mm->asid);
	mm_shootdown(mm);
	return err;
}

/*
 * A write to a copy-on-write page: the last sharer takes the page back
 * writable, the others get a private copy.  Caller holds mm->lock.
 */
static int cow_break(struct mm *mm, pte_t *pte)
{
	void *old = PA2VA(PTE2PA(*pte));
	uint64_t flags = (*pte & 0x3ff & ~PTE_COW) | PTE_W | PTE_D;
	if (upage_refs(old) == 1) {
		*pte = PA2PTE(VA2PA(old)) | flags;
	} else {
		void *copy = upage_alloc();
		if (!copy)
			return -ENOMEM;
		memcpy(copy, old, PGSIZE);
		atomic_fetch_add_explicit(&uvm_counters.cow_copies, 1, memory_order_relaxed);
		*pte = PA2PTE(VA2PA(copy)) | flags;
		upage_put(old);
	}
	mm->tlb_gen++;		/* the other hart may cache the read-only entry */
	return 0;
}

static int in_stack(uint64_t va)
{
	return va < USER_STACK_TOP && va >= USER_STACK_TOP - USER_STACK_MAX;
}

static uint64_t access_bit(int access)
{
	return access == UVM_WRITE ? PTE_W : access == UVM_EXEC ? PTE_X : PTE_R;
}

/*
 * The first access to a demand-zero page: a store gets a fresh page of its
 * own, a load or fetch the zero page (copy-on-write if writable).  *pte is
 * the lazy entry, at any level.  Caller holds mm->lock.
 */
static pte_t *populate(struct mm *mm, uint64_t va, pte_t *pte, int access, int *oom)
{
	uint64_t perm = *pte & PTE_PERM;
	if (!(perm & access_bit(access)))
		return NULL;
	pte = vm_walk(mm->pgd, va, 1);	/* splits a 2 MiB / 1 GiB entry */
	void *pg = !pte ? NULL : access == UVM_WRITE ? upage_alloc() : zero_page;
	if (!pg) {
		*oom = 1;
		return NULL;
	}
	atomic_fetch_add_explicit(pg == zero_page ? &uvm_counters.zero_page : &uvm_counters.demand_zero,
				  1, memory_order_relaxed);
	if (pg == zero_page) {
		upage_share(pg);
		if (perm & PTE_W)
			perm = (perm & ~PTE_W) | PTE_COW;
	}
	*pte = PA2PTE(VA2PA(pg)) | perm | PTE_LEAF_USER;
	return pte;
}

/*
 * Caller holds mm->lock. Returns the leaf PTE allowing the access, or NULL
 * (*oom set when it failed for want of memory, not of permission).
 */
static pte_t *resolve(struct mm *mm, uint64_t va, int access, int *oom)
{
	*oom = 0;
	if (va >= USER_VA_END)
		return NULL;
	int level;
	pte_t *pte = walk_stop(mm, va, &level);
	if (PTE_IS_LAZY(*pte)) {
		pte = populate(mm, va, pte, access, oom);
	} else if ((level > 0 || !(*pte & PTE_V)) && in_stack(va)) {
		if (map_zero_page(mm, va & ~(PGSIZE - 1), PTE_R | PTE_W) != 0) {
			*oom = 1;
			return NULL;
		}
		pte = vm_walk(mm->pgd, va, 0);
	} else if (level > 0) {
		return NULL;
	}
	if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U))
		return NULL;
	if (access == UVM_WRITE && (*pte & PTE_COW) && !PTE_IS_SHARED(*pte) && cow_break(mm, pte) != 0) {
		*oom = 1;
		return NULL;
	}
	if (!(*pte & access_bit(access)))
		return NULL;
	return pte;
}

/*
 * A page of a file mapping past the file's end: V and PTE_NONE clear,
 * PTE_COW set, no page behind it.  Nothing else leaves a PTE like that.
 */
#define PTE_SIGBUS PTE_COW

int uvm_map_sigbus(struct mm *mm, uint64_t va, uint64_t len)
{
	int err = 0;
	spin_lock(&mm->lock);
	for (uint64_t a = va; a < va + len && !err; a += PGSIZE) {
		pte_t *pte = vm_walk(mm->pgd, a, 1);
		if (!pte)
			err = -ENOMEM;
		else if (!(*pte & (PTE_V | PTE_NONE)))
			*pte = PTE_SIGBUS;
	}
	spin_unlock(&mm->lock);
	return err;
}

int uvm_fault_code(struct mm *mm, uint64_t va)
{
	if (va >= USER_VA_END)
		return UVM_FAULT_UNMAPPED;
	spin_lock(&mm->lock);
	int level;
	pte_t e = *walk_stop(mm, va, &level);
	spin_unlock(&mm->lock);
	if ((e & (PTE_V | PTE_NONE)) || PTE_IS_LAZY(e))
		return UVM_FAULT_ACCESS;
	return level == 0 && e == PTE_SIGBUS ? UVM_FAULT_BUS : UVM_FAULT_UNMAPPED;
}

int uvm_page_maybe_stored(struct mm *mm, uint64_t va)
{
	spin_lock(&mm->lock);
	pte_t *pte = vm_walk(mm->pgd, va, 0);
	int r = pte && (*pte & (PTE_V | PTE_NONE)) && !((*pte & PTE_COW) && !(*pte & PTE_W));
	spin_unlock(&mm->lock);
	return r;
}

int uvm_range_mapped(struct mm *mm, uint64_t va, uint64_t len)
{
	int found = 0;
	spin_lock(&mm->lock);
	for (uint64_t a = va; a < va + len && a >= va && !found; ) {
		int level;
		pte_t *pte = walk_stop(mm, a, &level);
		found = *pte != 0;
		/* past the whole range a missing table stands for: a fuzzer's length costs no walk per page */
		a = (a & ~(level_size(level) - 1)) + level_size(level);
	}
	spin_unlock(&mm->lock);
	return found;
}

uint64_t uvm_find_hole(struct mm *mm, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t end = hi, a = hi, found = 0;	/* the hole so far: [a, end) */
	spin_lock(&mm->lock);
	while (a > lo && !found) {
		int level;
		pte_t *pte = walk_stop(mm, a - PGSIZE, &level);
		uint64_t base = (a - PGSIZE) & ~(level_size(level) - 1);
		a = base > lo ? base : lo;
		if (*pte)
			end = a;	/* something mapped: the hole starts again below it */
		else if (end - a >= len)
			found = end - len;
	}
	spin_unlock(&mm->lock);
	return found;
}

int uvm_zap(struct mm *mm, uint64_t va, uint64_t len)
{
	int err = 0;
	for (uint64_t a = va; a < va + len && !err; ) {
		void *old[32];
		int n = 0;
		spin_lock(&mm->lock);
		for (; a < va + len && n < 32; a += PGSIZE) {
			pte_t *pte = vm_walk(mm->pgd, a, 0);
			if (!pte || !(*pte & (PTE_V | PTE_NONE)))
				continue;	/* nothing, or demand-zero already */
			if (PTE_IS_SHARED(*pte))
				continue;	/* shared anonymous memory keeps its bytes, as on Linux */
			old[n++] = PA2VA(PTE2PA(*pte));
			pte_t perm = *pte & PTE_PERM;
			if (*pte & PTE_COW)	/* writable, copy-on-write meanwhile */
				perm |= PTE_W;
			if (!(*pte & PTE_V))
				perm = 0;	/* PROT_NONE */
			*pte = PTE_LAZY | perm;	/* demand-zero again, as Linux */
		}
		mm->tlb_gen++;
		spin_unlock(&mm->lock);
		sfence_vma_asid(mm->asid);
		/* as uvm_unmap: the old pages go only once no hart can still use them */
		mm_shootdown(mm);
		for (int i = 0; i < n; i++)
			upage_put(old[i]);
	}
	return err;
}

int uvm_move(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	int err = 0;
	spin_lock(&mm->lock);
	for (uint64_t off = 0; off < len && !err; off += PGSIZE) {
		pte_t *src = walk_leaf_split(mm, from + off);
		if (!src || !*src)
			continue;
		pte_t *dst = vm_walk(mm->pgd, to + off, 1);
		if (!dst) {
			err = -ENOMEM;	/* the pages moved so far stay moved */
			break;
		}
		/* src may have moved if vm_walk allocated a table: walk again */
		src = vm_walk(mm->pgd, from + off, 0);
		*dst = *src;
		*src = 0;
	}
	mm->tlb_gen++;
	spin_unlock(&mm->lock);
	sfence_vma_asid(mm->asid);
	mm_shootdown(mm);	/* other threads' harts drop the old addresses too */
	return err;
}

int uvm_fault(struct mm *mm, uint64_t va, int access)
{
	int oom;
	spin_lock(&mm->lock);
	uint64_t gen = mm->tlb_gen;
	pte_t *pte = resolve(mm, va, access, &oom);
	gen = mm->tlb_gen != gen;
	spin_unlock(&mm->lock);
	if (gen)
		mm_shootdown(mm);	/* a copy-on-write break moved the page */
	return pte ? 0 : oom ? -ENOMEM : -EFAULT;
}

struct mm *mm_clone(struct mm *src)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	spin_lock(&src->lock);
	int err = 0;
	for (uint64_t i2 = 0; i2 < 256 && !err; i2++) {
		if (!(src->pgd[i2] & PTE_V)) {
			mm->pgd[i2] = src->pgd[i2];	/* empty, or demand-zero for 1 GiB */
			continue;
		}
		pagetable_t l1 = PA2VA(PTE2PA(src->pgd[i2]));
		for (uint64_t i1 = 0; i1 < 512 && !err; i1++) {
			if (!(l1[i1] & PTE_V)) {
				pte_t *pte = l1[i1] ? vm_walk_level(mm->pgd, (i2 << 30) | (i1 << 21), 1, 1) : NULL;
				if (pte)
					*pte = l1[i1];	/* demand-zero for 2 MiB */
				else if (l1[i1])
					err = -ENOMEM;
				continue;
			}
			pagetable_t l0 = PA2VA(PTE2PA(l1[i1]));
			for (uint64_t i0 = 0; i0 < 512 && !err; i0++) {
				if (!l0[i0])
					continue;
				uint64_t va = (i2 << 30) | (i1 << 21) | (i0 << 12);
				pte_t *pte = vm_walk(mm->pgd, va, 1);
				if (!pte) {
					err = -ENOMEM;
					break;
				}
				if (!(l0[i0] & (PTE_V | PTE_NONE))) {
					*pte = l0[i0];	/* demand-zero or SIGBUS: no page behind it */
					continue;
				}
				/* share the page; writable private ones become copy-on-write in both */
				if ((l0[i0] & PTE_W) && !PTE_IS_SHARED(l0[i0]))
					l0[i0] = (l0[i0] & ~PTE_W) | PTE_COW;
				upage_share(PA2VA(PTE2PA(l0[i0])));
				*pte = l0[i0];
			}
		}
	}
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->mmap_next = src->mmap_next;
	if (!err)
		err = filemap_clone(mm, src);
	if (!err)
		err = shm_attach_clone(mm, src);	/* the child inherits attachments */
	src->tlb_gen++;		/* the parent lost write access: flush before it runs */
	spin_unlock(&src->lock);
	sfence_vma_asid(src->asid);
	mm_shootdown(src);	/* its other threads, on other harts, lost it too */
	if (err) {
		filemap_release(mm);	/* the records cloned before the failure */
		mm_put(mm);
		return NULL;
	}
	return mm;
}

/* Per-hart: which mm is in satp and at which tlb_gen we last flushed (a line each). */
static struct active {
	struct mm *mm;
	uint64_t gen;
} __attribute__((aligned(64))) active[NCPU];

/*
 * A hart holds a reference on the mm in its satp, so an exit or exec on the
 * other hart cannot free a table this hart is still using; the old one is
 * released only after satp has moved away from it.
 */
__hotpath void mm_activate(struct mm *mm)
{
	int id = mycpu()->id;
	if (active[id].mm != mm) {
		struct mm *old = active[id].mm;
		atomic_fetch_add(&mm->refs, 1);
		__atomic_store_n(&active[id].gen, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&active[id].mm, mm, __ATOMIC_RELAXED);
		if (old)	/* relaxed: a stale bit only costs its holder a spurious IPI */
			atomic_fetch_and_explicit(&old->cpumask, ~(1UL << id), memory_order_relaxed);
		/*
		 * seq_cst, then the generation: either a shooter that bumped it
		 * sees our bit (and waits for our flush), or we read its bump.
		 */
		atomic_fetch_or(&mm->cpumask, 1UL << id);
		uint64_t gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
		csr_write(satp, MAKE_SATP(VA2PA(mm->pgd), mm->asid));
		sfence_vma_asid(mm->asid);
		/* release: the flush before a shooter reads that we are current */
		__atomic_store_n(&active[id].gen, gen, __ATOMIC_RELEASE);
		mm_put(old);
	} else if (active[id].gen != mm->tlb_gen) {
		/* another hart removed mappings: drop our stale translations */
		mm_flush_stale();
	}
}

/* Is mm in this hart's satp, with no flush owed (mm_activate would do nothing)? */
__hotpath int mm_is_active(struct mm *mm)
{
	struct active *a = &active[mycpu()->id];
	return a->mm == mm && a->gen == mm->tlb_gen;
}

void mm_deactivate(struct mm *mm)
{
	int id = mycpu()->id;
	if (active[id].mm != mm)
		return;
	csr_write(satp, kernel_satp);
	sfence_vma_all();
	__atomic_store_n(&active[id].mm, NULL, __ATOMIC_RELEASE);
	atomic_fetch_and_explicit(&mm->cpumask, ~(1UL << id), memory_order_relaxed);
	mm_put(mm);
}

/*
 * This hart's mm changed under it (IPI_TLB, or found on the way to user
 * mode): flush its ASID, then say which generation we are now at.
 */
void mm_flush_stale(void)
{
	int id = mycpu()->id;
	struct mm *mm = active[id].mm;
	if (!mm)
		return;
	uint64_t gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_ACQUIRE);
	if (gen == active[id].gen)
		return;
	sfence_vma_asid(mm->asid);
	/* release: the flush happens-before the shooter's acquire of our generation */
	__atomic_store_n(&active[id].gen, gen, __ATOMIC_RELEASE);
}

/*
 * After a mapping of mm was removed or narrowed (tlb_gen bumped, mm->lock
 * released): every other hart with mm in its satp flushes before we
 * return, so a thread there faults on its next access.  While we wait we
 * answer a shootdown aimed at us, so two shooters cannot wait on each other.
 */
void mm_shootdown(struct mm *mm)
{
	int self = mycpu()->id;
	uint64_t gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
	/* seq_cst: our bump before the mask read, the pair of mm_activate's */
	atomic_thread_fence(memory_order_seq_cst);
	uint64_t mask = atomic_load(&mm->cpumask) & ~(1UL << self);
	if (!mask)
		return;
	for (int c = 0; c < NCPU; c++)
		if (mask >> c & 1)
			ipi_send(c, IPI_TLB);
	for (int c = 0; c < NCPU; c++) {
		if (!(mask >> c & 1))
			continue;
		/* acquire: pairs with the release of the target's new generation */
		while (__atomic_load_n(&active[c].mm, __ATOMIC_ACQUIRE) == mm &&
		       __atomic_load_n(&active[c].gen, __ATOMIC_ACQUIRE) < gen)
			mm_flush_stale();
	}
}

/* ---- uaccess=satp: copies through the caller's table with SUM set ---- */

enum uaccess_mode uaccess_mode __read_mostly = UACCESS_WALK;
long uaccess_copy(void *dst, const void *src, size_t n);	/* arch/riscv/uaccess.S */
extern char uaccess_copy_start[], uaccess_copy_end[], uaccess_copy_fault[];

/* Can this hart touch mm's user addresses directly? */
static int direct_ok(struct mm *mm)
{
	return uaccess_mode == UACCESS_SATP && active[mycpu()->id].mm == mm;
}

/*
 * kernel_trap: a page fault inside uaccess_copy.  Grow the stack or break
 * copy-on-write and retry, else resume at the -EFAULT exit.
 */
int uaccess_fault(uint64_t sepc, uint64_t scause, uint64_t stval, uint64_t *resume)
{
	if (sepc < (uint64_t)uaccess_copy_start || sepc >= (uint64_t)uaccess_copy_end)
		return 0;
	struct mm *mm = active[mycpu()->id].mm;
	int access = scause == EXC_STORE_PAGE ? UVM_WRITE : UVM_READ;
	if (mm && (scause == EXC_LOAD_PAGE || scause == EXC_STORE_PAGE) && stval < USER_VA_END &&
	    uvm_fault(mm, stval, access) == 0) {
		__asm__ volatile("sfence.vma %0, zero" :: "r"(stval) : "memory");
		*resume = sepc;
	} else {
		*resume = (uint64_t)uaccess_copy_fault;
	}
	return 1;
}

/* Walk-and-copy, one page at a time, under mm->lock. */
static long user_copy(struct mm *mm, uint64_t uaddr, void *kbuf, size_t n, int to_user)
{
	if (uaddr + n < uaddr || uaddr + n > USER_VA_END)
		return -EFAULT;
	size_t done = 0;
	spin_lock(&mm->lock);
	uint64_t gen = mm->tlb_gen;
	while (done < n) {
		uint64_t va = uaddr + done;
		char *k = utc_lookup(&mm->utc, mm->tlb_gen, va, to_user);
		if (!k) {
			int oom;
			pte_t *pte = resolve(mm, va, to_user ? UVM_WRITE : UVM_READ, &oom);
			if (!pte) {
				gen = mm->tlb_gen != gen;
				spin_unlock(&mm->lock);
				if (gen)
					mm_shootdown(mm);
				return -EFAULT;
			}
			char *page = (char *)PA2VA(PTE2PA(*pte));
			utc_fill(&mm->utc, mm->tlb_gen, va, page,
				 (*pte & PTE_W) && (!(*pte & PTE_COW) || PTE_IS_SHARED(*pte)));
			k = page + (va & (PGSIZE - 1));
		}
		size_t chunk = PGSIZE - (va & (PGSIZE - 1));
		if (chunk > n - done)
			chunk = n - done;
		if (to_user)
			memcpy(k, (char *)kbuf + done, chunk);
		else
			memcpy((char *)kbuf + done, k, chunk);
		done += chunk;
	}
	gen = mm->tlb_gen != gen;
	spin_unlock(&mm->lock);
	if (gen)
		mm_shootdown(mm);	/* a copy-on-write break moved a page */
	return 0;
}

long copy_to_user(struct mm *mm, uint64_t dst, const void *src, size_t n)
{
	if (direct_ok(mm))
		return dst + n < dst || dst + n > USER_VA_END ? -EFAULT
			: uaccess_copy((void *)dst, src, n);
	return user_copy(mm, dst, (void *)src, n, 1);
}

long copy_from_user(struct mm *mm, void *dst, uint64_t src, size_t n)
{
	if (direct_ok(mm))
		return src + n < src || src + n > USER_VA_END ? -EFAULT
			: uaccess_copy(dst, (const void *)src, n);
	return user_copy(mm, src, dst, n, 0);
}

long clear_user(struct mm *mm, uint64_t dst, size_t n)
{
	static const char zeros[256];
	for (size_t off = 0; off < n; off += sizeof zeros) {
		size_t c = n - off < sizeof zeros ? n - off : sizeof zeros;
		if (copy_to_user(mm, dst + off, zeros, c))
			return -EFAULT;
	}
	return 0;
}

/* A chunk at a time, never past the end of the page holding the string's tail. */
long strncpy_from_user(struct mm *mm, char *dst, uint64_t src, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t chunk = PGSIZE - ((src + i) & (PGSIZE - 1));
		if (chunk > n - i)
			chunk = n - i;
		if (chunk > 256)
			chunk = 256;	/* paths are short: don't copy a page for each */
		if (copy_from_user(mm, dst + i, src + i, chunk))
			return -EFAULT;
		char *nul = memchr(dst + i, '\0', chunk);
		if (nul)
			return (long)(nul - dst);
		i += chunk;
	}
	return -ENAMETOOLONG;
}

/*
 * Compare-and-swap of an aligned user u32 through the direct map (futex
 * WAKE_OP, robust lists): atomic against the user's own atomics on any
 * hart, which address the same physical word.  *old gets the value found.
 */
long user_cmpxchg_u32(struct mm *mm, uint64_t uaddr, uint32_t expect, uint32_t desired, uint32_t *old)
{
	if (uaddr & 3)
		return -EINVAL;
	spin_lock(&mm->lock);
	uint64_t gen = mm->tlb_gen;
	int oom;
	pte_t *pte = resolve(mm, uaddr, UVM_WRITE, &oom);
	if (!pte) {
		spin_unlock(&mm->lock);
		return -EFAULT;
	}
	_Atomic uint32_t *k = (_Atomic uint32_t *)(PA2VA(PTE2PA(*pte)) + (uaddr & (PGSIZE - 1)));
	/* seq_cst: ordered as the user's lr/sc.aqrl and amo*.aqrl on the same word */
	atomic_compare_exchange_strong(k, &expect, desired);
	*old = expect;
	gen = mm->tlb_gen != gen;
	spin_unlock(&mm->lock);
	if (gen)
		mm_shootdown(mm);
	return 0;
}
