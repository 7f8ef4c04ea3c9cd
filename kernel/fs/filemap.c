/*
 * Shared file mappings (MAP_SHARED of a regular file).  Every mapping of a
 * file maps the same pages, one set per inode (struct fshared): two
 * processes see each other's stores at once, and read()/write() see and
 * change the same bytes (kernel/fs/ramfs.c calls filemap_overlay and
 * filemap_absorb).  The pages are the newest copy of the bytes they hold;
 * msync, munmap, exit and exec write them back to the file (ramfs or
 * ext2), and MS_SYNC flushes the disk too.  Bytes past the file's end are
 * never written: a mapping does not grow its file, as on Linux.  A list
 * per mm remembers which ranges map which file, for that write-back.
 */
#include "kernel/fs/filemap.h"
#include "kernel/uvm.h"
#include "kernel/fs/vfs.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/fs/pagecache.h"
#include "kernel/fs/mount.h"
#include <string.h>

/* The pages of one file that shared mappings map, while any maps it. */
struct fshared {
	uint64_t npages;	/* the table's length (the file may be shorter now) */
	int maps;		/* filemap records naming this inode */
	void *pages[];		/* user pages (reference-counted), NULL until mapped */
};

static uint64_t table_pages(uint64_t npages)
{
	return (sizeof(struct fshared) + npages * sizeof(void *) + PGSIZE - 1) / PGSIZE;
}

/* ip's table, grown to at least n pages; NULL if out of memory. */
static struct fshared *fshared_table(struct inode *ip, uint64_t n)
{
	struct fshared *old = ip->fshared;
	if (old && old->npages >= n)
		return old;
	struct fshared *fs = page_alloc_n(table_pages(n));	/* zeroed */
	if (!fs)
		return NULL;
	fs->npages = n;
	if (old) {
		fs->maps = old->maps;
		memcpy(fs->pages, old->pages, old->npages * sizeof(void *));
		page_free_n(old, table_pages(old->npages));
	}
	ip->fshared = fs;
	return fs;
}

/* The shared page of file bytes [index*PGSIZE, +PGSIZE), read in on first use. */
static void *fshared_page(struct inode *ip, uint64_t index)
{
	struct fshared *fs = ip->fshared;
	if (!fs->pages[index]) {
		void *pg = upage_alloc();	/* zeroed: bytes past the end read 0 */
		if (!pg)
			return NULL;
		if (inode_read_file(ip, index * PGSIZE, pg, PGSIZE) < 0) {
			upage_put(pg);
			return NULL;
		}
		fs->pages[index] = pg;
	}
	return fs->pages[index];
}

/* The last mapping of ip went (its pages written back): the table goes. */
static void fshared_unref(struct inode *ip)
{
	struct fshared *fs = ip->fshared;
	if (!fs || --fs->maps > 0)
		return;
	for (uint64_t i = 0; i < fs->npages; i++)
		if (fs->pages[i])
			upage_put(fs->pages[i]);	/* each process still mapping one holds its own */
	page_free_n(fs, table_pages(fs->npages));
	ip->fshared = NULL;
}

/* Copy between buf and the present shared pages under file bytes [off, off+n). */
static void copy_shared(struct inode *ip, uint64_t off, char *buf, uint64_t n, int to_pages)
{
	struct fshared *fs = ip->fshared;
	for (uint64_t done = 0, len; done < n; done += len) {
		uint64_t pos = off + done, in = pos & (PGSIZE - 1);
		len = PGSIZE - in < n - done ? PGSIZE - in : n - done;
		char *pg = pos / PGSIZE < fs->npages ? fs->pages[pos / PGSIZE] : NULL;
		if (pg && to_pages)
			memcpy(pg + in, buf + done, len);
		else if (pg)
			memcpy(buf + done, pg + in, len);
	}
}

void filemap_overlay(struct inode *ip, uint64_t off, void *buf, uint64_t n)
{
	copy_shared(ip, off, buf, n, 0);
}

void filemap_absorb(struct inode *ip, uint64_t off, const void *buf, uint64_t n)
{
	copy_shared(ip, off, (char *)buf, n, 1);
}

void filemap_truncated(struct inode *ip, uint64_t size)
{
	struct fshared *fs = ip->fshared;
	for (uint64_t i = size / PGSIZE; i < fs->npages; i++) {
		if (!fs->pages[i])
			continue;
		uint64_t from = i == size / PGSIZE ? size & (PGSIZE - 1) : 0;
		memset((char *)fs->pages[i] + from, 0, PGSIZE - from);
	}
}

int filemap_map_shared(struct mm *mm, struct inode *ip, uint64_t va, uint64_t len, uint64_t off,
		       uint64_t perm)
{
	uint64_t fpages = (ip->size + PGSIZE - 1) / PGSIZE, first = off / PGSIZE, n = len / PGSIZE;
	uint64_t in_file = first >= fpages ? 0 : fpages - first < n ? fpages - first : n;
	/* a table even when no page is in the file: every record counts in its maps */
	if (!fshared_table(ip, in_file ? first + in_file : 1))
		return -ENOMEM;
	int err = 0;
	for (uint64_t i = 0; i < in_file && !err; i++) {
		void *pg = fshared_page(ip, first + i);
		/* PROT_NONE: mapped readable, then hidden below (a valid PTE needs R, W or X) */
		err = pg ? uvm_map_page(mm, va + i * PGSIZE, pg, (perm ? perm : PTE_R) | PTE_SHARED)
			 : -ENOMEM;
	}
	if (!err && in_file < n)	/* whole pages past the end of the file: SIGBUS, as on Linux */
		err = uvm_map_sigbus(mm, va + in_file * PGSIZE, sigbus_len(len - in_file * PGSIZE));
	if (!err && !perm && in_file)
		err = uvm_protect(mm, va, in_file * PGSIZE, 0);
	if (err)
		uvm_unmap(mm, va, len);
	return err;
}

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
	if (ip->fshared)
		ip->fshared->maps++;
	m->next = mm->filemaps;
	mm->filemaps = m;
	return 0;
}

/* Write the shared pages under [va, va+len) of m back to its file. */
static int write_back(struct mm *mm, struct filemap *m, uint64_t va, uint64_t len)
{
	(void)mm;
	struct fshared *fs = m->ip->fshared;
	if (m->writable != FILEMAP_WRITABLE || !fs)
		return 0;	/* never PROT_WRITE here: any stores came through another mapping */
	int err = 0;
	for (uint64_t a = va & ~(PGSIZE - 1); a < va + len && !err; a += PGSIZE) {
		uint64_t off = m->off + (a - m->va), index = off / PGSIZE;
		if (off >= m->ip->size || index >= fs->npages)
			break;
		if (!fs->pages[index])
			continue;
		uint64_t n = m->ip->size - off < PGSIZE ? m->ip->size - off : PGSIZE;
		if (inode_write_file(m->ip, off, fs->pages[index], n) != (long)n)
			err = -EIO;
	}
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
			fshared_unref(m->ip);
			inode_put(m->ip);
			kfree(m);
			continue;
		}
		pm = &m->next;
	}
}

int filemap_sync_disk(struct mm *mm, uint64_t va, uint64_t len)
{
	int err = 0;
	for (struct filemap *m = mm->filemaps; m; m = m->next) {
		uint64_t lo, hi;
		overlap(m, va, len, &lo, &hi);
		if (lo < hi && !err && m->writable == FILEMAP_WRITABLE)
			err = disk_sync_inode(m->ip);	/* ext2: blocks written, disk flushed; ramfs: 0 */
	}
	return err;
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
		fshared_unref(m->ip);
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
