/* msync, madvise, mremap (docs/DYNAMIC.md). */
#include "syscall/sys.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/fs/filemap.h"

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MADV_NORMAL 0
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

static uint64_t page_up(uint64_t x) { return (x + PGSIZE - 1) & ~(PGSIZE - 1); }

/* Linux: every page of the range must be mapped, or ENOMEM. */
static int range_all_mapped(struct mm *mm, uint64_t va, uint64_t len)
{
	for (uint64_t a = va; a < va + len; a += PGSIZE)
		if (!uvm_range_mapped(mm, a, PGSIZE))
			return 0;
	return 1;
}

static int range_bad(uint64_t va, uint64_t len)
{
	return (va & (PGSIZE - 1)) || va + len < va || va + len > USER_VA_END;
}

SYSCALL(msync)
{
	uint64_t va = a[0], len = page_up(a[1]), flags = a[2];
	if (range_bad(va, len) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (!range_all_mapped(curmm(), va, len))
		return -ENOMEM;
	/* MS_INVALIDATE: every mapping already shows the file's one copy, nothing to drop */
	int err = filemap_sync(curmm(), va, len);
	if (!err && (flags & MS_SYNC))
		err = filemap_sync_disk(curmm(), va, len);
	return err;
}

/*
 * MADV_DONTNEED (and MADV_FREE, which may behave the same): anonymous and
 * private pages read back as zeros; a shared file mapping's pages are
 * written back first and keep the file's bytes (what a re-read gives).
 * The hints that only steer paging are accepted and change nothing here.
 */
SYSCALL(madvise)
{
	uint64_t va = a[0], len = page_up(a[1]);
	if (range_bad(va, len))
		return -EINVAL;
	switch (a[2]) {
	case MADV_DONTNEED: case MADV_FREE:
		if (!range_all_mapped(curmm(), va, len))
			return -ENOMEM;
		if (filemap_covers(curmm(), va, len))
			return filemap_sync(curmm(), va, len);
		return uvm_zap(curmm(), va, len);
	case MADV_NORMAL: case 1: case 2: case 3:	/* RANDOM, SEQUENTIAL, WILLNEED */
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Shrink in place; grow in place when the pages after are free, else
 * (MREMAP_MAYMOVE) move the page table entries to a new range.  Grown
 * pages are zero-filled (anonymous memory; a file mapping grown past its
 * old length also reads zeros, not the file: docs/DYNAMIC.md), demand-zero.
 */
SYSCALL(mremap)
{
	struct mm *mm = curmm();
	uint64_t old = a[0], old_len = page_up(a[1]), new_len = page_up(a[2]), flags = a[3];
	if (new_len > (1UL << 36))
		return -ENOMEM;		/* as mmap's limit */
	if (range_bad(old, old_len) || !new_len || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	if (flags & MREMAP_FIXED)
		return -EINVAL;		/* not supported: a deliberate EINVAL (docs/DYNAMIC.md) */
	if (!old_len || !range_all_mapped(mm, old, old_len))
		return -EFAULT;
	if (new_len <= old_len) {
		filemap_remove(mm, old + new_len, old_len - new_len);
		uvm_unmap(mm, old + new_len, old_len - new_len);
		return (long)old;
	}
	uint64_t grow = new_len - old_len, dst = old;
	if (old + new_len > USER_MMAP_TOP || uvm_range_mapped(mm, old + old_len, grow)) {
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		if (filemap_covers(mm, old, old_len))
			return -EINVAL;		/* moving a shared file mapping: not supported */
		dst = mmap_pick(mm, new_len);
		if (!dst)
			return -ENOMEM;
		if (uvm_move(mm, old, dst, old_len))
			return -ENOMEM;
	}
	if (uvm_map_lazy(mm, dst + old_len, grow, PTE_R | PTE_W)) {
		uvm_unmap(mm, dst + old_len, grow);
		return -ENOMEM;
	}
	return (long)dst;
}
