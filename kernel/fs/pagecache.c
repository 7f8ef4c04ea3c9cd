/*
 * Per-file page cache for exec (kernel/fs/pagecache.h).  The cache owns one
 * reference on each page; every process mapping a page holds its own, so
 * dropping the cache (the file was written, truncated or freed) leaves
 * running programs their pages: what they map is the file as it was at
 * their exec, as with a private mapping.  Since the cache's reference
 * keeps every mapped page shared (count > 1), a write fault always copies
 * (kernel/uvm.c cow_break) and the cached bytes never change.
 *
 * Why a cache at all: copying a program at each exec costs its size in
 * copies, and under QEMU fresh physical pages also mean translating the
 * program's code again; mapping the same pages makes exec cost a few page
 * table entries (docs/DYNAMIC.md has the figures).
 */
#include "kernel/fs/pagecache.h"
#include "kernel/fs/vfs.h"
#include "kernel/vm.h"
#include "kernel/param.h"
#include "kernel/page_alloc.h"
#include "kernel/uvm.h"
#include "kernel/errno.h"
#include "kernel/fs/bcache.h"

struct pcache {
	struct pcache *next, **pprev;	/* every cache, for reclaim */
	uint64_t npages;
	void *pages[];
};

static struct pcache *caches;
extern uint64_t pcache_reads;
static size_t pcache_reclaim(void);	/* syscall cpu only, as the rest of the cache */

/* Files above this are not cached (exec copies them as before). */
#define PCACHE_MAX_PAGES ((64UL << 20) / PGSIZE)

/* The table's size in pages (it outgrows kmalloc for files above 1 MiB). */
static uint64_t table_pages(uint64_t npages)
{
	return (sizeof(struct pcache) + npages * sizeof(void *) + PGSIZE - 1) / PGSIZE;
}

static struct pcache *pcache_of(struct inode *ip)
{
	if (ip->pcache)
		return ip->pcache;
	uint64_t n = (ip->size + PGSIZE - 1) / PGSIZE;
	if (n == 0 || n > PCACHE_MAX_PAGES)
		return NULL;
	struct pcache *pc = page_alloc_n(table_pages(n));	/* zeroed */
	if (!pc)
		return NULL;
	pc->npages = n;
	pc->next = caches;
	pc->pprev = &caches;
	if (caches)
		caches->pprev = &pc->next;
	caches = pc;
	ip->pcache = pc;
	return pc;
}

void *pcache_page(struct inode *ip, uint64_t index)
{
	struct pcache *pc = pcache_of(ip);
	if (!pc || index >= pc->npages)
		return NULL;
	if (!pc->pages[index]) {
		void *pg = upage_alloc();	/* zeroed: the bytes past the end stay 0 */
		if (!pg) {
			/*
			 * Out of pages: the caches give back what no one maps.  Safe
			 * here: every caller maps a page it got before asking for the
			 * next, so no page handed out is still unreferenced.
			 */
			mem_reclaim();
			pg = upage_alloc();
		}
		if (!pg)
			return NULL;
		if (inode_read(ip, index * PGSIZE, pg, PGSIZE) < 0) {
			upage_put(pg);
			return NULL;
		}
		pcache_reads++;
		pc->pages[index] = pg;
	}
	return pc->pages[index];
}

void pcache_drop(struct inode *ip)
{
	struct pcache *pc = ip->pcache;
	if (!pc)
		return;
	for (uint64_t i = 0; i < pc->npages; i++)
		if (pc->pages[i])
			upage_put(pc->pages[i]);
	*pc->pprev = pc->next;
	if (pc->next)
		pc->next->pprev = pc->pprev;
	page_free_n(pc, table_pages(pc->npages));
	ip->pcache = NULL;
}

/*
 * SIGBUS pages cost page tables: only the first 16 MiB past the end of a
 * file get them (beyond, an access is SIGSEGV; docs/DYNAMIC.md).
 */
uint64_t sigbus_len(uint64_t len)
{
	return len < (16UL << 20) ? len : (16UL << 20);
}

int pcache_map(struct mm *mm, struct inode *ip, uint64_t va, uint64_t len, uint64_t off, uint64_t perm)
{
	if (!perm || (off & (PGSIZE - 1)) || !pcache_of(ip))
		return -EINVAL;
	uint64_t shared = (perm & PTE_W) ? (perm & ~PTE_W) | PTE_COW : perm;
	uint64_t npages = ip->pcache->npages;
	int err = 0;
	for (uint64_t done = 0; done < len && !err; done += PGSIZE) {
		uint64_t index = (off + done) / PGSIZE;
		if (index >= npages) {	/* wholly past the end of the file */
			err = uvm_map_sigbus(mm, va + done, sigbus_len(len - done));
			break;
		}
		void *pg = pcache_page(ip, index);
		err = pg ? uvm_map_page(mm, va + done, pg, shared) : -ENOMEM;
	}
	if (err)
		uvm_unmap(mm, va, len);
	return err;
}

void *pcache_peek(struct inode *ip, uint64_t index)
{
	struct pcache *pc = ip->pcache;
	return pc && index < pc->npages ? pc->pages[index] : NULL;
}

/*
 * Memory is short: every cached page no process maps (the cache's is the
 * only reference) goes; the next exec or mmap reads it again.  Called
 * between system calls (mem_reclaim), never while a caller of
 * pcache_page still has to take its own reference on the page it got.
 */
static size_t pcache_reclaim(void)
{
	size_t freed = 0;
	for (struct pcache *pc = caches; pc; pc = pc->next)
		for (uint64_t i = 0; i < pc->npages; i++)
			if (pc->pages[i] && upage_refs(pc->pages[i]) == 1) {
				upage_put(pc->pages[i]);
				pc->pages[i] = NULL;
				freed++;
			}
	return freed;
}

/*
 * Low-memory reclaim, the page cache's and the block cache's clean pages
 * and then, if that was not enough, the dirty blocks written back and
 * dropped too.  A syscall thread on the cpu that owns the filesystem runs
 * it at the start of a system call once free pages fall under 1/32 of RAM
 * (syscall/table.c): there nothing is half-way through a cache and
 * writing back may park.  A fault on a client hart cannot reclaim; the
 * next system call on the server does.
 */
uint64_t reclaim_stats[2];
uint64_t pcache_reads;	/* pages freed from the page cache, from the block cache */

void mem_reclaim(void)
{
	size_t low = kpool.npages / 32;
	reclaim_stats[0] += pcache_reclaim();
	if (pool_free_pages(&kpool) >= low)
		return;
	reclaim_stats[1] += bcache_shrink();
	if (pool_free_pages(&kpool) >= low)
		return;
	bcache_sync(NULL);	/* dirty blocks to their disks (parks), then they are clean */
	reclaim_stats[1] += bcache_shrink();
}

int mem_low(void)
{
	return pool_free_pages(&kpool) < kpool.npages / 32;
}
