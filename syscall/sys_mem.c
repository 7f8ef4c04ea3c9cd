/*
 * brk, mmap (anonymous, demand-zero when private; files: private ones from
 * the page cache or copied, shared ones the file's shared pages of
 * kernel/fs/filemap.c), munmap, mprotect.  msync, madvise and mremap
 * are in syscall/sys_mmap.c.
 */
#include "syscall/sys.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/page_alloc.h"
#include "kernel/fs/filemap.h"
#include "kernel/fs/pagecache.h"

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define BRK_MAX (1UL << 30)

/*
 * Linux's default overcommit (vm.overcommit_memory=0, "heuristic"): memory
 * is handed out lazily, and only a single private writable request larger
 * than all of RAM (plus swap, none here) is refused with ENOMEM; PROT_NONE
 * and MAP_NORESERVE ones are never counted.  Many requests may together
 * promise more than RAM: a fault that then finds no page kills the
 * process (kernel/usertrap.c), as the OOM killer would (docs/DYNAMIC.md).
 */
static int overcommit_refuses(uint64_t len)
{
	return len > mem_total_bytes();
}

static uint64_t prot_perm(uint64_t prot)
{
	return ((prot & PROT_READ) ? PTE_R : 0) | ((prot & PROT_WRITE) ? PTE_R | PTE_W : 0) |
	       ((prot & PROT_EXEC) ? PTE_X : 0);
}

static uint64_t page_up(uint64_t x) { return (x + PGSIZE - 1) & ~(PGSIZE - 1); }

SYSCALL(brk)
{
	struct mm *mm = curmm();
	uint64_t want = a[0];
	if (want < mm->brk_start || want > mm->brk_start + BRK_MAX ||
	    (want > mm->brk && want - mm->brk_start > rlimit_cur(curproc(), RLIMIT_DATA)))
		return (long)mm->brk;		/* Linux: failure returns the old break */
	uint64_t old_end = page_up(mm->brk), new_end = page_up(want);
	if (new_end > old_end && (overcommit_refuses(new_end - old_end) ||
				  uvm_range_mapped(mm, old_end, new_end - old_end)))
		return (long)mm->brk;	/* too much at once, or a mapping in the way */
	/* demand-zero: the heap's pages come at their first touch */
	if (new_end > old_end && uvm_map_lazy(mm, old_end, new_end - old_end, PTE_R | PTE_W)) {
		uvm_unmap(mm, old_end, new_end - old_end);
		return (long)mm->brk;
	}
	if (new_end < old_end)
		uvm_unmap(mm, new_end, old_end - new_end);
	mm->brk = want;
	return (long)want;
}

static int map_file_copy(struct mm *mm, struct inode *ip, uint64_t addr, uint64_t len, uint64_t off)
{
	char *buf = page_alloc();
	if (!buf)
		return -ENOMEM;
	int err = 0;
	for (uint64_t done = 0; done < len && !err; done += PGSIZE) {
		long r = inode_read(ip, off + done, buf, PGSIZE);
		if (r <= 0)
			break;
		err = (int)copy_to_user(mm, addr + done, buf, (size_t)r);
	}
	page_free(buf);
	return err;
}

/*
 * Where a mapping without MAP_FIXED goes: below the last one (the hint
 * grows down), else the highest hole that fits, so that address space
 * munmap gave back is used again (libc-test's vmfill maps all of it,
 * down to the heap).
 */
uint64_t mmap_pick(struct mm *mm, uint64_t len)
{
	uint64_t addr = mm->mmap_next - len;
	if (mm->mmap_next - len < USER_MMAP_BOTTOM || mm->mmap_next < len ||
	    uvm_range_mapped(mm, addr, len))
		addr = uvm_find_hole(mm, len, USER_MMAP_BOTTOM, USER_MMAP_TOP);
	/* then, as on Linux, whatever lies above the heap: brk fails once it is taken */
	if (!addr)
		addr = uvm_find_hole(mm, len, page_up(mm->brk), USER_MMAP_BOTTOM);
	if (addr)
		mm->mmap_next = addr;
	return addr;
}

/* A shared file mapping is remembered for write-back (kernel/fs/filemap.c). */
static long map_done(struct mm *mm, struct file *f, uint64_t flags, uint64_t prot, uint64_t addr,
		     uint64_t len, uint64_t off)
{
	if (f && (flags & MAP_SHARED) && filemap_add(mm, addr, len, f->ip, off,
		    (prot & PROT_WRITE) ? FILEMAP_WRITABLE :
		    (f->flags & 3) == 2 ? FILEMAP_NOT_YET : FILEMAP_READ_ONLY_FD)) {
		uvm_unmap(mm, addr, len);
		return -ENOMEM;
	}
	return (long)addr;
}

SYSCALL(mmap)
{
	struct mm *mm = curmm();
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3];
	if (len == 0 || (addr & (PGSIZE - 1)) || (a[5] & (PGSIZE - 1)))
		return -EINVAL;
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -EINVAL;
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(curproc(), (int)a[4]);
		if (!f)
			return -EBADF;
		if (!f->ip || !S_ISREG(f->ip->mode))
			return -ENODEV;
		if ((f->flags & 3) == 1 || ((flags & MAP_SHARED) && (prot & PROT_WRITE) && (f->flags & 3) != 2))
			return -EACCES;	/* read access always, write too for a shared writable one */
	}
	len = page_up(len);
	if (len == 0 || len > (1UL << 36))
		return -ENOMEM;
	int lazy = !f && !(flags & MAP_SHARED);	/* private anonymous: demand-zero */
	if ((prot & PROT_WRITE) && !(flags & MAP_NORESERVE) && !(flags & MAP_SHARED) &&
	    overcommit_refuses(len))
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr + len > USER_MMAP_TOP || addr + len < addr || addr < PGSIZE)
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && uvm_range_mapped(mm, addr, len))
			return -EEXIST;
		filemap_remove(mm, addr, len);
		uvm_unmap(mm, addr, len);
	} else {
		addr = mmap_pick(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	/* a shared one maps the file's shared pages: one copy for every process */
	if (f && (flags & MAP_SHARED)) {
		int err = filemap_map_shared(mm, f->ip, addr, len, a[5], prot_perm(prot));
		return err ? err : map_done(mm, f, flags, prot, addr, len, a[5]);
	}
	/* a private one the page cache's pages, with their final permissions */
	if (f && exec_cache && pcache_map(mm, f->ip, addr, len, a[5], prot_perm(prot)) == 0)
		return map_done(mm, f, flags, prot, addr, len, a[5]);
	if (lazy) {
		if (uvm_map_lazy(mm, addr, len, prot_perm(prot))) {
			uvm_unmap(mm, addr, len);
			return -ENOMEM;
		}
		return (long)addr;
	}
	if (uvm_map_zero(mm, addr, len, prot_perm(prot) | PTE_R | PTE_W)) {
		uvm_unmap(mm, addr, len);
		return -ENOMEM;
	}
	/* file mappings are private copies: read the bytes in */
	if (f && map_file_copy(mm, f->ip, addr, len, a[5])) {
		uvm_unmap(mm, addr, len);
		return -ENOMEM;
	}
	/* whole pages past the end of the file: SIGBUS, as on Linux */
	uint64_t file_end = f ? page_up(f->ip->size) : 0;
	if (f && a[5] + len > file_end) {
		uint64_t first = a[5] >= file_end ? addr : addr + (file_end - a[5]);
		uvm_unmap(mm, first, addr + len - first);
		uvm_map_sigbus(mm, first, sigbus_len(addr + len - first));
	}
	if (!f && (flags & MAP_SHARED))
		uvm_mark_shared(mm, addr, len);
	if (!(prot & PROT_WRITE) && (prot & (PROT_READ | PROT_EXEC)))
		uvm_protect(mm, addr, len, prot_perm(prot) | PTE_R);
	/* PROT_NONE: mapped but inaccessible */
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		uvm_protect(mm, addr, len, 0);
	return map_done(mm, f, flags, prot, addr, len, a[5]);
}

SYSCALL(munmap)
{
	if ((a[0] & (PGSIZE - 1)) || a[1] == 0 || a[0] + a[1] < a[0] || a[0] + a[1] > USER_VA_END)
		return -EINVAL;
	filemap_remove(curmm(), a[0], page_up(a[1]));
	uvm_unmap(curmm(), a[0], page_up(a[1]));
	return 0;
}

SYSCALL(mprotect)
{
	if (a[0] & (PGSIZE - 1))
		return -EINVAL;
	if (a[2] & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (a[1] == 0)
		return 0;
	if ((a[2] & PROT_WRITE) && filemap_set_writable(curmm(), a[0], page_up(a[1])))
		return -EACCES;
	return uvm_protect(curmm(), a[0], page_up(a[1]), prot_perm(a[2]));
}
