/*
 * Shared file mappings: a list per mm of the ranges mapped MAP_SHARED from
 * a regular file.  The mapping itself is made like a private one (the
 * file's bytes copied into fresh pages, kernel/../syscall/sys_mem.c); this
 * file remembers where those bytes came from so that msync, munmap, exit
 * and exec write them back.  Bytes past the file's end are never written:
 * a mapping does not grow its file, as on Linux.
 */
#include "kernel/fs/filemap.h"
#include "kernel/uvm.h"
#include "kernel/fs/vfs.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/fs/pagecache.h"

struct filemap {
	struct filemap *next;
	uint64_t va, len, off;
	struct inode *ip;
	int writable;		/* FILEMAP_* */
};

int filemap_add(struct mm *mm, uint64_t va, uint64_t len, struct inode *ip, uint64_t off,
		int writable)
{
	struct filemap *m = kzalloc(sizeof *m);
	if (!m)
		return -ENOMEM;
	m->va = va;
	m->len = len;
	m->off = off;
	m->ip = ip;
	m->writable = writable;
	inode_get(ip);
	m->next = mm->filemaps;
	mm->filemaps = m;
	return 0;
}

/* Copy [va, va+len) of m back into its file, a page at a time. */
static int write_back(struct mm *mm, struct filemap *m, uint64_t va, uint64_t len)
{
	if (m->writable != FILEMAP_WRITABLE)
		return 0;	/* never PROT_WRITE: nothing to write */
	char *buf = page_alloc();
	if (!buf)
		return -ENOMEM;
	int err = 0;
	for (uint64_t a = va; a < va + len && !err; a += PGSIZE) {
		uint64_t off = m->off + (a - m->va), n = va + len - a < PGSIZE ? va + len - a : PGSIZE;
		if (off >= m->ip->size)
			break;
		if (n > m->ip->size - off)
			n = m->ip->size - off;
		/*
		 * A page still copy-on-write was never stored to since it was
		 * mapped from the page cache (or since a fork, which wrote
		 * everything back first): writing it back would only undo
		 * write()s made to the file since.
		 */
		if (!uvm_page_maybe_stored(mm, a))
			continue;
		if (copy_from_user(mm, buf, a, n))
			break;	/* unmapped since (munmap of part, PROT_NONE): nothing to keep */
		if (inode_write(m->ip, off, buf, n) != (long)n)
			err = -EIO;
	}
	page_free(buf);
	return err;
}

/* The overlap of m with [va, va+len), empty if lo >= hi. */
static void overlap(struct filemap *m, uint64_t va, uint64_t len, uint64_t *lo, uint64_t *hi)
{
	*lo = m->va > va ? m->va : va;
	*hi = m->va + m->len < va + len ? m->va + m->len : va + len;
}

int filemap_sync(struct mm *mm, uint64_t va, uint64_t len)
{
	int err = 0;
	for (struct filemap *m = mm->filemaps; m; m = m->next) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo < hi && !err)
			err = write_back(mm, m, lo, hi - lo);
	}
	return err;
}

void filemap_remove(struct mm *mm, uint64_t va, uint64_t len)
{
	for (struct filemap **pm = &mm->filemaps, *m; (m = *pm) != NULL; ) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo >= hi) {
			pm = &m->next;
			continue;
		}
		write_back(mm, m, lo, hi - lo);
		if (lo > m->va && hi < m->va + m->len) {
			/*
			 * A hole in the middle: the tail becomes a record of its own,
			 * at the head of the list (before m, so the walk skips it;
			 * it does not overlap the range anyway).
			 */
			filemap_add(mm, hi, m->va + m->len - hi, m->ip, m->off + (hi - m->va), m->writable);
			m->len = lo - m->va;
		} else if (lo > m->va) {
			m->len = lo - m->va;
		} else if (hi < m->va + m->len) {
			m->off += hi - m->va;
			m->len -= hi - m->va;
			m->va = hi;
		} else {
			*pm = m->next;
			inode_put(m->ip);
			kfree(m);
			continue;
		}
		pm = &m->next;
	}
}

int filemap_clone(struct mm *dst, struct mm *src)
{
	for (struct filemap *m = src->filemaps; m; m = m->next)
		if (filemap_add(dst, m->va, m->len, m->ip, m->off, m->writable))
			return -ENOMEM;
	return 0;
}

void filemap_release(struct mm *mm)
{
	while (mm->filemaps) {
		struct filemap *m = mm->filemaps;
		write_back(mm, m, m->va, m->len);
		mm->filemaps = m->next;
		inode_put(m->ip);
		kfree(m);
	}
}

int filemap_covers(struct mm *mm, uint64_t va, uint64_t len)
{
	for (struct filemap *m = mm->filemaps; m; m = m->next) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo < hi)
			return 1;
	}
	return 0;
}

int filemap_set_writable(struct mm *mm, uint64_t va, uint64_t len)
{
	for (struct filemap *m = mm->filemaps; m; m = m->next) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo < hi && m->writable == FILEMAP_READ_ONLY_FD)
			return -EACCES;		/* as Linux: the fd was not opened for writing */
	}
	for (struct filemap *m = mm->filemaps; m; m = m->next) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo < hi)
			m->writable = FILEMAP_WRITABLE;
	}
	return 0;
}
