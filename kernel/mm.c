/*
 * Physical memory and the kernel address space (map in kernel/memlayout.h).
 * The page pool spans the DTB's memory; the kernel image, the pool's own
 * bitmap, the DTB, the initrd and every reserved region stay allocated.
 */
#include "kernel/vm.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/kmalloc.h"
#include "kernel/platform.h"
#include "kernel/printk.h"
#include "kernel/param.h"
#include <string.h>

uint64_t kernel_pa_base;		/* set by head.S before .bss is used */
extern char _image_start[], _image_end[];
extern pte_t boot_pgd[];

struct page_pool kpool;
static struct kmem kmem;
pagetable_t kernel_pgd;
uint64_t kernel_satp __read_mostly;
static uint64_t ram_lo, ram_hi;
/*
 * Sharers of each user page (fork's copy-on-write).  Only the syscall cpu
 * and, for a write fault, the client change them, always under the owning
 * mm's lock; a page shared by two processes is changed under either
 * lock, hence the atomics.
 */
static uint32_t *page_refs;

static _Atomic uint32_t *ref_of(void *va)
{
	return (_Atomic uint32_t *)&page_refs[((uintptr_t)va - kpool.base) / PGSIZE];
}

void *upage_alloc(void)
{
	void *p = page_alloc();
	if (p)
		atomic_store(ref_of(p), 1);
	return p;
}

void upage_share(void *va) { atomic_fetch_add(ref_of(va), 1); }
unsigned upage_refs(void *va) { return atomic_load(ref_of(va)); }

void upage_put(void *va)
{
	if (atomic_fetch_sub(ref_of(va), 1) == 1)
		page_free(va);
}

#define ROUND_UP(x, a)   (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

void *page_alloc(void)
{
	void *p = pool_alloc(&kpool, 1);
	if (p)
		memset(p, 0, PGSIZE);
	return p;
}

void *page_alloc_n(size_t n)
{
	void *p = pool_alloc(&kpool, n);
	if (p)
		memset(p, 0, n * PGSIZE);
	return p;
}

void page_free(void *va) { pool_free(&kpool, va, 1); }
void page_free_n(void *va, size_t n) { pool_free(&kpool, va, n); }
void *kmalloc(size_t size) { return kmem_alloc(&kmem, size); }
void kfree(void *obj) { kmem_free(&kmem, obj); }
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}
uint64_t mem_total_bytes(void) { return kpool.npages * PGSIZE; }

static void reserve(uint64_t pa_lo, uint64_t pa_hi)
{
	pa_lo = ROUND_DOWN(pa_lo, PGSIZE);
	pa_hi = ROUND_UP(pa_hi, PGSIZE);
	for (uint64_t pa = pa_lo; pa < pa_hi; pa += PGSIZE)
		if (pa >= ram_lo && pa < ram_hi)
			pool_alloc_at(&kpool, (uintptr_t)PA2VA(pa));
}

static void pool_setup(void)
{
	ram_lo = ~0UL;
	ram_hi = 0;
	for (int i = 0; i < plat.nmem; i++) {
		if (plat.mem[i].base < ram_lo)
			ram_lo = plat.mem[i].base;
		if (plat.mem[i].base + plat.mem[i].size > ram_hi)
			ram_hi = plat.mem[i].base + plat.mem[i].size;
	}
	if (ram_hi > ram_lo + DIRECT_MAP_SIZE)
		ram_hi = ram_lo + DIRECT_MAP_SIZE;
	size_t npages = (ram_hi - ram_lo) / PGSIZE;
	/* the bitmap lives right after the kernel image */
	uint64_t kend_pa = VA2PA(_image_end);
	uint64_t bm_pa = ROUND_UP(kend_pa, PGSIZE);
	uint64_t bm_bytes = ROUND_UP((npages + 63) / 64 * 8 + npages * sizeof(uint32_t), PGSIZE);
	pool_init(&kpool, (uintptr_t)PA2VA(ram_lo), npages, PA2VA(bm_pa));
	page_refs = (uint32_t *)((char *)PA2VA(bm_pa) + (npages + 63) / 64 * 8);
	memset(page_refs, 0, npages * sizeof(uint32_t));
	for (int i = 0; i < plat.nmem; i++)
		pool_release_range(&kpool, (uintptr_t)PA2VA(plat.mem[i].base),
				   (uintptr_t)PA2VA(plat.mem[i].base + plat.mem[i].size));
	reserve(ram_lo, bm_pa + bm_bytes);	/* firmware, kernel image, bitmap */
	reserve(plat.dtb_pa, plat.dtb_pa + plat.dtb_size);
	if (plat.initrd_end > plat.initrd_start)
		reserve(plat.initrd_start, plat.initrd_end);
	for (int i = 0; i < plat.nresv; i++)
		reserve(plat.resv[i].base, plat.resv[i].base + plat.resv[i].size);
	kmem_init(&kmem, &kpool);
}

/*
 * A demand-zero entry above the leaves (a whole 2 MiB or 1 GiB range) that
 * a walk must go through becomes a table of 512 such entries, one level down.
 */
static pagetable_t split_lazy(pte_t *pte)
{
	pagetable_t next = page_alloc();
	if (!next)
		return NULL;
	for (int i = 0; i < 512; i++)
		next[i] = *pte;
	*pte = PA2PTE(VA2PA(next)) | PTE_V;
	return next;
}

pte_t *vm_walk_level(pagetable_t pt, uint64_t va, int stop, int alloc)
{
	for (int level = 2; level > stop; level--) {
		pte_t *pte = &pt[PX(level, va)];
		if (*pte & PTE_V) {
			if (*pte & (PTE_R | PTE_W | PTE_X))
				return pte;	/* a huge leaf */
			pt = PA2VA(PTE2PA(*pte));
		} else {
			if (!alloc)
				return NULL;
			pagetable_t next = PTE_IS_LAZY(*pte) ? split_lazy(pte) : page_alloc();
			if (!next)
				return NULL;
			*pte = PA2PTE(VA2PA(next)) | PTE_V;
			pt = next;
		}
	}
	return &pt[PX(stop, va)];
}

pte_t *vm_walk(pagetable_t pt, uint64_t va, int alloc)
{
	return vm_walk_level(pt, va, 0, alloc);
}

int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm)
{
	for (uint64_t off = 0; off < size; off += PGSIZE) {
		pte_t *pte = vm_walk(pt, va + off, 1);
		if (!pte)
			return -12;	/* -ENOMEM */
		*pte = PA2PTE(pa + off) | perm | PTE_V | PTE_A | PTE_D;
	}
	return 0;
}

/*
 * The image in 4 KiB pages, W^X: text read+execute, rodata (with the
 * symbol table) read-only, data and bss read+write.  Its head, from the
 * gigapage's base to the image, is left unmapped.
 */
static int map_image_wx(pagetable_t pt)
{
	extern char _rodata_start[], _data_start[];
	const uint64_t g = PTE_G;
	struct { char *lo, *hi; uint64_t perm; } seg[] = {
		{ _image_start, _rodata_start, PTE_R | PTE_X | g },
		{ _rodata_start, _data_start, PTE_R | g },
		{ _data_start, _image_end, PTE_R | PTE_W | g },
	};
	for (unsigned i = 0; i < sizeof seg / sizeof seg[0]; i++) {
		uint64_t lo = (uint64_t)seg[i].lo, hi = ROUND_UP((uint64_t)seg[i].hi, PGSIZE);
		if (vm_map(pt, lo, VA2PA(lo), hi - lo, seg[i].perm) != 0)
			return -1;
	}
	return 0;
}

/*
 * The kernel table, all kernel-only (no PTE_U) and global:
 *  - identity gigapage of the image (secondary harts turn the MMU on there)
 *  - direct map of [0, ram_hi) in gigapages, devices below RAM included
 *  - the image at KERNEL_VA_BASE, W^X in 4 KiB pages
 *  - a shared level-1 table for kernel stacks, so every process root that
 *    copies entries 256..511 sees stacks mapped later
 */
static void kernel_table_build(void)
{
	const uint64_t rwx = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;
	kernel_pgd = page_alloc();
	BUG_ON(!kernel_pgd);
	kernel_pgd[kernel_pa_base >> 30] = PA2PTE(kernel_pa_base) | rwx;
	for (uint64_t pa = 0; pa < ram_hi; pa += 1UL << 30)
		kernel_pgd[PX(2, DIRECT_MAP_BASE + pa)] = PA2PTE(pa) | (rwx & ~PTE_X);
	if (map_image_wx(kernel_pgd) != 0)
		panic("no memory for the kernel image's page tables");
	pagetable_t stacks = page_alloc();
	BUG_ON(!stacks);
	kernel_pgd[PX(2, KSTACK_VA_BASE)] = PA2PTE(VA2PA(stacks)) | PTE_V | PTE_G;
	kernel_satp = MAKE_SATP(VA2PA(kernel_pgd), 0);
}

void vm_init_hart(void)
{
	sfence_vma_all();
	csr_write(satp, kernel_satp);
	sfence_vma_all();
}

void mm_init(void)
{
	pool_setup();
	kernel_table_build();
	vm_init_hart();
	pr_info("mm: ram %lx-%lx, %lu pages free of %lu, kernel %lx-%lx\n",
		ram_lo, ram_hi, pool_free_pages(&kpool), kpool.npages,
		VA2PA(_image_start), VA2PA(_image_end));
}

/* ---- kernel stacks: slots of (guard + KSTACK_PAGES) pages ---- */

#define KSTACK_SLOT   ((KSTACK_PAGES + 1) * PGSIZE)
#define KSTACK_SLOTS  1024
static uint64_t kstack_used[KSTACK_SLOTS / 64];
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");

/* Under kstack_lock: unmap slot's pages below top and free the slot. */
static void kstack_unmap(uint64_t slot, uint64_t top)
{
	uint64_t lo = KSTACK_VA_BASE + slot * KSTACK_SLOT + PGSIZE;
	for (uint64_t va = lo; va < top; va += PGSIZE) {
		pte_t *pte = vm_walk(kernel_pgd, va, 0);
		if (pte && (*pte & PTE_V)) {
			page_free(PA2VA(PTE2PA(*pte)));
			*pte = 0;
		}
	}
	/*
	 * This hart may have cached these translations; the other hart only
	 * if it touched the stack, which it never does (the server reaches a
	 * client task through struct task, never its kernel stack), and
	 * kstack_alloc drops whatever a hart still holds for a reused slot.
	 */
	sfence_vma_all();
	kstack_used[slot / 64] &= ~(1UL << (slot % 64));
}

/*
 * kstack_lock covers the slot bitmap and the kernel page table under the
 * stack area: both harts make stacks (tasks on the client, workers on the
 * server), and a stack that starts a new 2 MiB region needs a new leaf
 * table, which two unlocked vm_walk(..., 1) calls would each allocate, the
 * second install dropping the first one's mappings: a live stack then
 * vanished at the next TLB flush (seen as a fault in a worker's waiter).
 */
uint64_t kstack_alloc(void)
{
	spin_lock(&kstack_lock);
	int slot = -1;
	for (int i = 0; i < KSTACK_SLOTS && slot < 0; i++)
		if (!(kstack_used[i / 64] & (1UL << (i % 64)))) {
			kstack_used[i / 64] |= 1UL << (i % 64);
			slot = i;
		}
	uint64_t lo = KSTACK_VA_BASE + (uint64_t)slot * KSTACK_SLOT + PGSIZE;
	for (int i = 0; slot >= 0 && i < KSTACK_PAGES; i++) {
		void *pg = page_alloc();
		pte_t *pte = pg ? vm_walk(kernel_pgd, lo + i * PGSIZE, 1) : NULL;
		if (!pte) {
			if (pg)
				page_free(pg);
			kstack_unmap(slot, lo + (uint64_t)i * PGSIZE);	/* pages 0..i-1 */
			slot = -1;
			break;
		}
		*pte = PA2PTE(VA2PA(pg)) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G;
	}
	spin_unlock(&kstack_lock);
	if (slot < 0)
		return 0;
	/*
	 * The slot's previous stack may have been freed on another hart, which
	 * flushed only its own TLB: drop any translation this hart still has.
	 */
	for (int i = 0; i < KSTACK_PAGES; i++)
		__asm__ volatile("sfence.vma %0, zero" :: "r"(lo + i * PGSIZE) : "memory");
	return lo + KSTACK_SIZE;
}

/* `top` is what kstack_alloc returned. */
void kstack_free(uint64_t top)
{
	spin_lock(&kstack_lock);
	kstack_unmap((top - 1 - KSTACK_VA_BASE) / KSTACK_SLOT, top);
	spin_unlock(&kstack_lock);
}
