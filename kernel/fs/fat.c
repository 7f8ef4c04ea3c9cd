/*
 * FAT32 and FAT16 with VFAT long names (contract in kernel/fs/fat.h).
 *
 * Layout: a boot sector (BPB), reserved sectors (FSInfo), nfats copies of
 * the FAT (one 32-bit entry per cluster: next cluster, 0 free, >= 0x0ffffff8
 * end of chain), then the clusters.  A directory is a chain of 32-byte
 * entries; a long name is a run of LFN entries (13 UCS-2 characters each,
 * last one first, each carrying the checksum of the 8.3 entry that follows).
 *
 * An inode is named by where its 8.3 entry sits on the disk (byte offset /
 * 32), which is unique; rename moves the entry and renumbers the in-memory
 * inode.  The first cluster and size live in the inode and are written to
 * the entry at sync and release.  Every FAT write goes to every copy.
 *
 * Bad images: every cluster number read from the FAT or an entry is checked
 * against the cluster count and chain walks stop after that many steps, so
 * a loop is -EUCLEAN with one log line, never a hang.
 */
#include "kernel/fs/fat.h"
#include "kernel/fs/bcache.h"
#include "kernel/calendar.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "sched/thread.h"
#include <string.h>

#define FAT_EOC		0x0ffffff8u
#define FAT_MASK	0x0fffffffu
#define ATTR_RO		0x01
#define ATTR_VOLUME	0x08
#define ATTR_DIR	0x10
#define ATTR_ARCHIVE	0x20
#define ATTR_LFN	0x0f
#define DIR_MAX		(65536u * 32)	/* the spec's limit on a directory */

struct fat_dirent {
	uint8_t name[11], attr, ntres, ctime_tenth;
	uint16_t ctime, cdate, adate, clus_hi, mtime, mdate, clus_lo;
	uint32_t size;
};	/* every field naturally aligned: 32 bytes, no packing needed */
_Static_assert(sizeof(struct fat_dirent) == 32, "FAT directory entry");

struct fat_fs {
	struct blkdev *dev;
	int readonly;
	uint32_t bps, clus_size, nfats, root_clus, nclusters, free, next_free;
	uint64_t fat_off, fat_bytes, data_off, fsinfo_off;
	int fat16;		/* 16-bit FAT entries and a fixed root directory region */
	uint64_t root_off, root_bytes;	/* FAT16's root directory */
	int warned;		/* the corruption line was logged (once per mount) */
	uint32_t uid, gid, dmask, fmask;	/* what every inode shows (mount options) */
	/*
	 * A copy of the FAT block read last: chain walks do not touch the
	 * cache between data blocks, so its sequential read-ahead sees a
	 * file's data as the sequence it is.
	 */
	uint64_t fat_blk;	/* byte offset of the copy, or ~0 */
	uint8_t *fat_copy;	/* one page */
	struct finode *inodes;
	struct inode *root;
	struct thread *owner;
	int depth;
	struct waitq lockq;
};

struct finode {
	struct inode v;		/* first: the VFS's view */
	struct fat_fs *fs;
	struct finode *next;
	uint32_t first;		/* first cluster, 0: none */
	uint64_t dent;		/* byte offset of the 8.3 entry on the disk (0: root) */
	uint32_t cur_idx, cur_clus;	/* last cluster looked up: sequential I/O stays linear */
};

static const struct inode_ops fat_ops;
static struct finode *F(struct inode *ip) { return (struct finode *)ip; }
static struct fat_fs *FS(struct inode *ip) { return F(ip)->fs; }

int fat_fs_type(const char *type)
{
	return !strcmp(type, "vfat") || !strcmp(type, "fat32") || !strcmp(type, "fat") ||
	       !strcmp(type, "msdos");
}

/* ---- the lock (as ext2: a thread may park inside while the disk works) ---- */

static char boot_owner;

static void fs_lock(struct fat_fs *fs)
{
	struct thread *me = current() ? current() : (struct thread *)&boot_owner;
	if (fs->owner == me) {
		fs->depth++;
		return;
	}
	wait_event(&fs->lockq, fs->owner == NULL, 0);
	fs->owner = me;
	fs->depth = 1;
}

static void fs_unlock(struct fat_fs *fs)
{
	if (--fs->depth == 0) {
		fs->owner = NULL;
		waitq_wake_all(&fs->lockq);
	}
}

static int corrupt(struct fat_fs *fs, const char *what, uint64_t n)
{
	if (!fs->warned++)	/* one line, not one per read of a bad file */
		pr_err("fat %s: corrupted filesystem: %s %lu\n", fs->dev->name, what, n);
	return -EUCLEAN;
}

/* ---- bytes of the disk through the cache ---- */

static int disk_io(struct fat_fs *fs, uint64_t off, void *buf, size_t n, int write)
{
	uint8_t *p = buf;
	while (n) {
		int err = 0;
		struct buf *b = bcache_read(fs->dev, off / BCACHE_BLOCK, &err);
		if (!b)
			return err;
		size_t in = off % BCACHE_BLOCK, k = BCACHE_BLOCK - in;
		if (k > n)
			k = n;
		if (write) {
			memcpy(b->data + in, p, k);
			bcache_dirty(b);
		} else {
			memcpy(p, b->data + in, k);
		}
		bcache_put(b);
		off += k, p += k, n -= k;
	}
	return 0;
}

static uint64_t clus_off(struct fat_fs *fs, uint32_t c)
{
	return fs->data_off + (uint64_t)(c - 2) * fs->clus_size;
}

static int clus_ok(struct fat_fs *fs, uint32_t c)
{
	return c >= 2 && c < fs->nclusters + 2;
}

/* ---- the FAT ---- */

static uint32_t entry_size(struct fat_fs *fs) { return fs->fat16 ? 2 : 4; }

/* The entry of cluster c: the next cluster, FAT_EOC for the end, 0 if free. */
static int fat_get(struct fat_fs *fs, uint32_t c, uint32_t *out)
{
	if (!clus_ok(fs, c))
		return corrupt(fs, "cluster number", c);
	uint32_t v = 0;
	uint64_t off = fs->fat_off + (uint64_t)c * entry_size(fs);
	uint64_t blk = off / BCACHE_BLOCK * BCACHE_BLOCK;
	if (fs->fat_blk != blk) {
		int err = disk_io(fs, blk, fs->fat_copy, BCACHE_BLOCK, 0);
		if (err) {
			fs->fat_blk = ~0ull;
			return err;
		}
		fs->fat_blk = blk;
	}
	memcpy(&v, fs->fat_copy + (off - blk), entry_size(fs));
	v &= FAT_MASK;
	if (v >= (fs->fat16 ? 0xfff8u : FAT_EOC))
		v = FAT_EOC;
	else if (v != 0 && !clus_ok(fs, v))
		return corrupt(fs, "FAT entry out of range at cluster", c);
	*out = v;
	return 0;
}

/* Set the entry of cluster c in every copy of the FAT (the top 4 bits are kept). */
static int fat_set(struct fat_fs *fs, uint32_t c, uint32_t v)
{
	for (uint32_t i = 0; i < fs->nfats; i++) {
		uint32_t w = entry_size(fs);
		uint64_t off = fs->fat_off + i * fs->fat_bytes + (uint64_t)c * w;
		uint32_t old = 0;
		int err = disk_io(fs, off, &old, w, 0);
		if (!err) {
			old = w == 2 ? (v & 0xffff) : (old & ~FAT_MASK) | (v & FAT_MASK);
			err = disk_io(fs, off, &old, w, 1);
		}
		if (off / BCACHE_BLOCK * BCACHE_BLOCK == fs->fat_blk)
			memcpy(fs->fat_copy + off % BCACHE_BLOCK, &old, w);	/* keep the copy current */
		if (err)
			return err;
	}
	return 0;
}

/* A zeroed free cluster marked end of chain, linked after prev (0: none). */
static int clus_alloc(struct fat_fs *fs, uint32_t prev, uint32_t *out)
{
	static uint8_t zero[512];
	uint32_t c = fs->next_free;
	for (uint32_t i = 0; i < fs->nclusters; i++, c++) {
		if (!clus_ok(fs, c))
			c = 2;
		uint32_t v;
		int err = fat_get(fs, c, &v);
		if (err)
			return err;
		if (v != 0)
			continue;
		if ((err = fat_set(fs, c, FAT_EOC)) != 0)
			return err;
		if (prev && (err = fat_set(fs, prev, c)) != 0)
			return err;
		for (uint32_t o = 0; o < fs->clus_size; o += sizeof zero)
			if ((err = disk_io(fs, clus_off(fs, c) + o, zero, sizeof zero, 1)) != 0)
				return err;
		if (fs->free)
			fs->free--;
		fs->next_free = c + 1;
		*out = c;
		return 0;
	}
	return -ENOSPC;
}

/* Free the chain starting at c (bounded: a loop is corruption). */
static int chain_free(struct fat_fs *fs, uint32_t c)
{
	for (uint32_t n = 0; c && c != FAT_EOC; n++) {
		if (n > fs->nclusters)
			return corrupt(fs, "cluster chain loops at", c);
		uint32_t next;
		int err = fat_get(fs, c, &next);
		if (!err)
			err = fat_set(fs, c, 0);
		if (err)
			return err;
		fs->free++;
		c = next;
	}
	return 0;
}

/*
 * Cluster number idx of e's chain in *out; past the end: 0, or with alloc a
 * new cluster linked on.
 */
static int clus_of(struct finode *e, uint32_t idx, int alloc, uint32_t *out)
{
	struct fat_fs *fs = e->fs;
	if (!e->first) {
		if (!alloc) {
			*out = 0;
			return 0;
		}
		int err = clus_alloc(fs, 0, &e->first);
		if (err)
			return err;
		e->cur_idx = 0, e->cur_clus = e->first;
	}
	uint32_t i = 0, c = e->first;
	if (e->cur_clus && e->cur_idx <= idx)
		i = e->cur_idx, c = e->cur_clus;
	if (!clus_ok(fs, c))
		return corrupt(fs, "first cluster of entry", c);
	for (; i < idx; i++) {
		if (i > fs->nclusters)
			return corrupt(fs, "cluster chain loops at", c);
		uint32_t next;
		int err = fat_get(fs, c, &next);
		if (err)
			return err;
		if (next == 0)
			return corrupt(fs, "chain runs into a free cluster at", c);
		if (next == FAT_EOC) {
			if (!alloc) {
				*out = 0;
				return 0;
			}
			if ((err = clus_alloc(fs, c, &next)) != 0)
				return err;
		}
		c = next;
	}
	e->cur_idx = idx, e->cur_clus = c;
	*out = c;
	return 0;
}

/* FAT16's root directory: a fixed region after the FATs, never grown. */
static int fixed_root(struct finode *e)
{
	return e->fs->fat16 && e->dent == 0;
}

static long root_io(struct finode *e, uint64_t off, void *buf, size_t n, int write)
{
	struct fat_fs *fs = e->fs;
	if (off >= fs->root_bytes)
		return 0;
	if (n > fs->root_bytes - off)
		n = (size_t)(fs->root_bytes - off);
	int err = disk_io(fs, fs->root_off + off, buf, n, write);
	return err ? err : (long)n;
}

/* Bytes of e's chain (no size check): the count done, short at the chain's end. */
static long chain_io(struct finode *e, uint64_t off, void *buf, size_t n, int write)
{
	struct fat_fs *fs = e->fs;
	size_t done = 0;
	if (fixed_root(e))
		return root_io(e, off, buf, n, write);
	while (done < n) {
		uint32_t c;
		int err = clus_of(e, (uint32_t)(off / fs->clus_size), write, &c);
		if (err)
			return done ? (long)done : err;
		if (!c)
			break;
		size_t in = off % fs->clus_size, k = fs->clus_size - in;
		if (k > n - done)
			k = n - done;
		if ((err = disk_io(fs, clus_off(fs, c) + in, (uint8_t *)buf + done, k, write)) != 0)
			return done ? (long)done : err;
		done += k, off += k;
	}
	return (long)done;
}

/* ---- times: DOS local time, kept as UTC like Linux's default tz=UTC ---- */

static void dos_to_vfs(uint16_t date, uint16_t time, struct vfs_time *t)
{
	struct rtc_time tm = {
		.tm_year = 80 + (date >> 9), .tm_mon = ((date >> 5) & 15) - 1, .tm_mday = date & 31,
		.tm_hour = time >> 11, .tm_min = (time >> 5) & 63, .tm_sec = (time & 31) * 2,
	};
	if (tm.tm_mon < 0 || tm.tm_mday == 0)
		tm.tm_mon = 0, tm.tm_mday = 1;
	t->sec = calendar_to_secs(&tm);
	t->nsec = 0;
}

static void vfs_to_dos(const struct vfs_time *t, uint16_t *date, uint16_t *time)
{
	struct rtc_time tm;
	calendar_from_secs(t->sec < 315532800 ? 315532800 : t->sec, &tm);
	if (tm.tm_year > 80 + 127)
		tm.tm_year = 80 + 127;
	*date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
	*time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
}

/* ---- inodes ---- */

static struct finode *incore(struct fat_fs *fs, uint32_t ino)
{
	/* an unlinked inode still open no longer owns its slot, which may be reused */
	for (struct finode *e = fs->inodes; e; e = e->next)
		if (e->v.ino == ino && e->v.nlink)
			return e;
	return NULL;
}

static uint32_t dirent_clus(const struct fat_dirent *de)
{
	return (uint32_t)de->clus_hi << 16 | de->clus_lo;
}

/* Write e's first cluster, size and mtime into its 8.3 entry. */
static int iupdate(struct finode *e)
{
	struct fat_fs *fs = e->fs;
	if (fs->readonly || !e->dent || e->v.nlink == 0)
		return 0;
	struct fat_dirent de;
	int err = disk_io(fs, e->dent, &de, sizeof de, 0);
	if (err)
		return err;
	de.clus_hi = (uint16_t)(e->first >> 16);
	de.clus_lo = (uint16_t)e->first;
	de.size = S_ISDIR(e->v.mode) ? 0 : (uint32_t)e->v.size;
	vfs_to_dos(&e->v.mtime, &de.mdate, &de.mtime);
	de.adate = de.mdate;
	return disk_io(fs, e->dent, &de, sizeof de, 1);
}

static void f_free(struct finode *e)
{
	struct fat_fs *fs = e->fs;
	for (struct finode **p = &fs->inodes; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	kfree(e);
}

/* The inode of the 8.3 entry de found at disk offset dent in dir, referenced. */
static int iget(struct fat_fs *fs, const struct fat_dirent *de, uint64_t dent,
		struct inode *dir, struct inode **out)
{
	uint32_t ino = dent ? (uint32_t)(dent / 32) : 1;
	struct finode *e = incore(fs, ino);
	if (e) {
		inode_get(&e->v);
		*out = &e->v;
		return 0;
	}
	uint32_t first = de ? dirent_clus(de) : fs->root_clus;
	if (first && !clus_ok(fs, first))
		return corrupt(fs, "first cluster of entry", first);
	if (!(e = kzalloc(sizeof *e)))
		return -ENOMEM;
	e->fs = fs;
	e->first = first;
	e->dent = dent;
	e->v.ino = ino;
	e->v.ops = &fat_ops;
	int isdir = !de || (de->attr & ATTR_DIR);
	e->v.mode = isdir ? S_IFDIR | (0777 & ~fs->dmask) : S_IFREG | (0777 & ~fs->fmask);
	e->v.uid = fs->uid, e->v.gid = fs->gid;
	if (de && (de->attr & ATTR_RO))
		e->v.mode &= ~0222u;
	e->v.nlink = isdir ? 2 : 1;
	e->v.size = isdir ? 0 : de->size;
	if (de) {
		dos_to_vfs(de->mdate, de->mtime, &e->v.mtime);
		dos_to_vfs(de->cdate, de->ctime, &e->v.ctime);
		dos_to_vfs(de->adate, 0, &e->v.atime);
	}
	if (isdir) {
		e->v.size = fs->clus_size;	/* what stat shows; the chain is read to its end */
		e->v.parent = dir ? dir : &e->v;
		if (dir)
			inode_get(dir);
	}
	e->v.refs = 1;
	e->next = fs->inodes;
	fs->inodes = e;
	*out = &e->v;
	return 0;
}

/* ---- directories ---- */

struct slot {
	struct fat_dirent de;	/* the 8.3 entry */
	uint64_t pos;		/* its byte offset in the directory */
	uint64_t first_pos;	/* offset of its first LFN entry (== pos without one) */
	char name[NAME_MAX + 1];
	size_t len;
};

static uint8_t lfn_sum(const uint8_t *name11)
{
	uint8_t s = 0;
	for (int i = 0; i < 11; i++)
		s = (uint8_t)(((s & 1) << 7) + (s >> 1) + name11[i]);
	return s;
}

/* Offsets of the 13 UCS-2 characters inside an LFN entry. */
static const uint8_t lfn_at[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

static size_t short_name(const struct fat_dirent *de, char *out)
{
	size_t n = 0;
	for (int i = 0; i < 8 && de->name[i] != ' '; i++) {
		char c = (char)de->name[i];
		if (i == 0 && (uint8_t)c == 0x05)
			c = (char)0xe5;
		out[n++] = (de->ntres & 0x08) && c >= 'A' && c <= 'Z' ? c + 32 : c;
	}
	if (de->name[8] != ' ') {
		out[n++] = '.';
		for (int i = 8; i < 11 && de->name[i] != ' '; i++) {
			char c = (char)de->name[i];
			out[n++] = (de->ntres & 0x10) && c >= 'A' && c <= 'Z' ? c + 32 : c;
		}
	}
	out[n] = 0;
	return n;
}

/*
 * The next name of dir from byte *pos on into s, *pos moved past it:
 * 1 found, 0 at the end, or an error.  Volume labels and "."/".." skipped.
 */
static int dir_next(struct finode *dir, uint64_t *pos, struct slot *s)
{
	uint16_t lfn[20 * 13 + 1];
	int want = 0, nparts = 0;
	uint8_t sum = 0;
	for (; *pos < DIR_MAX; *pos += 32) {
		uint8_t raw[32] __attribute__((aligned(8)));
		long r = chain_io(dir, *pos, raw, 32, 0);
		if (r < 0)
			return (int)r;
		if (r < 32 || raw[0] == 0)
			return 0;
		struct fat_dirent *de = (struct fat_dirent *)raw;
		if (raw[0] == 0xe5) {
			want = 0;
			continue;
		}
		if (de->attr == ATTR_LFN) {
			int ord = raw[0] & 0x1f;
			if (raw[0] & 0x40) {
				if (ord == 0 || ord > 20) {
					want = 0;
					continue;
				}
				nparts = ord, sum = raw[13], s->first_pos = *pos;
				memset(lfn, 0xff, sizeof lfn);
				lfn[ord * 13] = 0;
			} else if (ord == 0 || want != ord || raw[13] != sum) {
				want = 0;
				continue;
			}
			for (int i = 0; i < 13; i++)
				lfn[(ord - 1) * 13 + i] = (uint16_t)(raw[lfn_at[i]] | raw[lfn_at[i] + 1] << 8);
			want = ord - 1;
			continue;
		}
		int have_lfn = nparts && want == 0 && lfn_sum(de->name) == sum;
		if (!have_lfn)
			s->first_pos = *pos;
		nparts = 0;
		if (de->attr & ATTR_VOLUME)
			continue;
		if (de->name[0] == '.' && (de->name[1] == ' ' || (de->name[1] == '.' && de->name[2] == ' ')))
			continue;
		s->de = *de;
		s->pos = *pos;
		*pos += 32;
		if (have_lfn) {
			size_t n = 0;
			while (n < 255 && lfn[n] && lfn[n] != 0xffff) {
				s->name[n] = lfn[n] < 0x80 ? (char)lfn[n] : '?';
				n++;
			}
			s->name[n] = 0;
			s->len = n;
			if (n)
				return 1;
		}
		s->len = short_name(de, s->name);
		return 1;
	}
	/* 2 MiB without an end marker: a cluster loop (the chain walk cannot see it) */
	return corrupt(dir->fs, "directory without an end, first cluster", dir->first);
}

static int name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];
		if (x >= 'a' && x <= 'z')
			x -= 32;
		if (y >= 'a' && y <= 'z')
			y -= 32;
		if (x != y)
			return 0;
	}
	return 1;
}

/* Find name (case-insensitive, long or 8.3) in dir: 1 and *s, 0, or an error. */
static int dir_find(struct finode *dir, const char *name, size_t len, struct slot *s)
{
	uint64_t pos = 0;
	int r;
	char sn[13];
	while ((r = dir_next(dir, &pos, s)) == 1) {
		if (name_eq(s->name, s->len, name, len))
			return 1;
		size_t sl = short_name(&s->de, sn);
		if (name_eq(sn, sl, name, len))
			return 1;
	}
	return r;
}

static uint64_t dent_of(struct finode *dir, uint64_t pos)
{
	uint32_t c;
	if (fixed_root(dir))
		return pos < dir->fs->root_bytes ? dir->fs->root_off + pos : 0;
	if (clus_of(dir, (uint32_t)(pos / dir->fs->clus_size), 0, &c) || !c)
		return 0;
	return clus_off(dir->fs, c) + pos % dir->fs->clus_size;
}

static int short_ok_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("$%'-_@~`!(){}^#&", c);
}

/* Is name a plain upper-case 8.3 name?  Then it needs no LFN entries. */
static int plain_83(const char *name, size_t len, uint8_t *out)
{
	memset(out, ' ', 11);
	size_t i = 0, j = 0;
	for (; i < len && name[i] != '.'; i++, j++)
		if (j >= 8 || !short_ok_char(name[i]))
			return 0;
	if (j == 0)
		return 0;
	memcpy(out, name, j);
	if (i == len)
		return 1;
	i++;
	for (j = 0; i < len; i++, j++)
		if (j >= 3 || !short_ok_char(name[i]))
			return 0;
	if (j == 0)
		return 0;
	memcpy(out + 8, name + len - j, j);
	return 1;
}

/* Does dir hold an 8.3 entry named n11? */
static int short_taken(struct finode *dir, const uint8_t *n11)
{
	struct slot s;
	uint64_t pos = 0;
	int r;
	while ((r = dir_next(dir, &pos, &s)) == 1)
		if (!memcmp(s.de.name, n11, 11))
			return 1;
	return r < 0 ? r : 0;
}

/* A unique 8.3 alias "BASIS~N.EXT" for a long name, as Windows and Linux make. */
static int short_alias(struct finode *dir, const char *name, size_t len, uint8_t *out)
{
	uint8_t base[8], ext[3];
	size_t nb = 0, ne = 0;
	const char *dot = NULL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			dot = name + i;
	if (dot == name)
		dot = NULL;
	for (const char *p = name; p < (dot ? dot : name + len) && nb < 6; p++) {
		char c = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
		if (c == ' ' || c == '.')
			continue;
		base[nb++] = short_ok_char(c) ? (uint8_t)c : '_';
	}
	for (const char *p = dot ? dot + 1 : name + len; p < name + len && ne < 3; p++) {
		char c = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
		if (c == ' ' || c == '.')
			continue;
		ext[ne++] = short_ok_char(c) ? (uint8_t)c : '_';
	}
	if (nb == 0)
		base[nb++] = '_';
	for (uint32_t n = 1; n < 1000000; n++) {
		char num[8];
		int nd = 0;
		for (uint32_t v = n; v; v /= 10)
			nd++;
		size_t keep = nb + 1 + (size_t)nd > 8 ? 7 - (size_t)nd : nb;
		memset(out, ' ', 11);
		memcpy(out, base, keep);
		out[keep] = '~';
		for (int i = nd - 1, v = (int)n; i >= 0; i--, v /= 10)
			num[i] = (char)('0' + v % 10);
		memcpy(out + keep + 1, num, nd);
		memcpy(out + 8, ext, ne);
		int r = short_taken(dir, out);
		if (r < 0)
			return r;
		if (!r)
			return 0;
	}
	return -EEXIST;
}

/*
 * Add name to dir as the 8.3 entry *de (its name filled in here), after
 * its LFN entries: nslots free slots in a row, the directory grown if
 * needed.  *dent gets the disk offset of the 8.3 entry.
 */
static int dir_add(struct finode *dir, const char *name, size_t len, struct fat_dirent *de,
		   uint64_t *dent)
{
	int err;
	int nlfn = 0;
	de->ntres &= ~0x18;	/* the old name's lower-case flags do not fit the new 8.3 name */
	if (!plain_83(name, len, de->name)) {
		if ((err = short_alias(dir, name, len, de->name)) != 0)
			return err;
		nlfn = (int)((len + 12) / 13);
	}
	uint64_t pos = 0, start = 0;
	int run = 0;
	for (; pos < DIR_MAX && run < nlfn + 1; pos += 32) {
		uint8_t b0 = 0;
		long r = chain_io(dir, pos, &b0, 1, 0);
		if (r < 0)
			return (int)r;
		if (r == 0 || b0 == 0) {	/* the end: everything from here on is free */
			if (!run)
				start = pos;
			run = nlfn + 1;
			break;
		}
		if (b0 == 0xe5) {
			if (!run++)
				start = pos;
		} else {
			run = 0;
		}
	}
	if (run < nlfn + 1)
		return -ENOSPC;
	if (start + (uint64_t)(nlfn + 1) * 32 > (fixed_root(dir) ? dir->fs->root_bytes : DIR_MAX))
		return -ENOSPC;	/* FAT16's root cannot grow */
	uint8_t sum = lfn_sum(de->name);
	for (int k = nlfn; k >= 1; k--) {
		uint8_t raw[32];
		memset(raw, 0, sizeof raw);
		raw[0] = (uint8_t)(k | (k == nlfn ? 0x40 : 0));
		raw[11] = ATTR_LFN;
		raw[13] = sum;
		for (int i = 0; i < 13; i++) {
			size_t at = (size_t)(k - 1) * 13 + i;
			uint16_t ch = at < len ? (uint8_t)name[at] : at == len ? 0 : 0xffff;
			raw[lfn_at[i]] = (uint8_t)ch;
			raw[lfn_at[i] + 1] = (uint8_t)(ch >> 8);
		}
		long r = chain_io(dir, start + (uint64_t)(nlfn - k) * 32, raw, 32, 1);
		if (r != 32)
			return r < 0 ? (int)r : -EIO;
	}
	uint64_t at = start + (uint64_t)nlfn * 32;
	long r = chain_io(dir, at, de, 32, 1);
	if (r != 32)
		return r < 0 ? (int)r : -EIO;
	*dent = dent_of(dir, at);
	return *dent ? 0 : -EIO;
}

/* Mark the entries of s (its LFN run and its 8.3 entry) free. */
static int dir_del(struct finode *dir, const struct slot *s)
{
	for (uint64_t p = s->first_pos; p <= s->pos; p += 32) {
		uint8_t e5 = 0xe5;
		long r = chain_io(dir, p, &e5, 1, 1);
		if (r != 1)
			return r < 0 ? (int)r : -EIO;
	}
	return 0;
}

static int dir_empty(struct finode *dir)
{
	struct slot s;
	uint64_t pos = 0;
	int r = dir_next(dir, &pos, &s);
	return r < 0 ? r : !r;
}

/* ---- inode_ops ---- */

static int f_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct fat_fs *fs = FS(dir);
	struct slot s;
	fs_lock(fs);
	int r = dir_find(F(dir), name, len, &s);
	int err = r < 0 ? r : r == 0 ? -ENOENT : iget(fs, &s.de, dent_of(F(dir), s.pos), dir, out);
	fs_unlock(fs);
	return err;
}

static int f_readdir(struct inode *dir, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	struct fat_fs *fs = FS(dir);
	if (dir->nlink == 0)
		return -ENOENT;
	int err = 0;
	fs_lock(fs);
	while (*pos < 2) {
		if (emit(ctx, "..", *pos + 1, *pos ? dir->parent->ino : dir->ino, DT_DIR))
			goto out;
		++*pos;
	}
	for (;;) {
		struct slot s;
		uint64_t p = *pos - 2;
		int r = dir_next(F(dir), &p, &s);
		if (r <= 0) {
			err = r;
			break;
		}
		uint64_t d = dent_of(F(dir), s.pos);
		if (emit(ctx, s.name, s.len, d ? d / 32 : 0, s.de.attr & ATTR_DIR ? DT_DIR : DT_REG))
			break;
		*pos = p + 2;
	}
out:
	fs_unlock(fs);
	return err;
}

static int f_name(struct inode *ip, char *buf)
{
	struct fat_fs *fs = FS(ip);
	struct slot s;
	uint64_t pos = 0;
	int r, len = -ENOENT;
	fs_lock(fs);
	while ((r = dir_next(F(ip->parent), &pos, &s)) == 1)
		if (dent_of(F(ip->parent), s.pos) == F(ip)->dent) {
			memcpy(buf, s.name, s.len + 1);
			len = (int)s.len;
			break;
		}
	fs_unlock(fs);
	return r < 0 ? r : len;
}

static int name_ok(struct fat_fs *fs, const char *name, size_t *len)
{
	if (fs->readonly)
		return -EROFS;
	*len = strnlen(name, NAME_MAX + 1);
	if (*len > NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < *len; i++)
		if ((uint8_t)name[i] < 0x20 || strchr("\"*/:<>?\\|", name[i]))
			return -EINVAL;
	return 0;
}

static void entry_init(struct fat_dirent *de, uint32_t mode, uint32_t first)
{
	struct vfs_time t;
	vfs_now(&t.sec, &t.nsec);
	memset(de, 0, sizeof *de);
	de->attr = S_ISDIR(mode) ? ATTR_DIR : ATTR_ARCHIVE;
	de->clus_hi = (uint16_t)(first >> 16);
	de->clus_lo = (uint16_t)first;
	vfs_to_dos(&t, &de->cdate, &de->ctime);
	de->mdate = de->adate = de->cdate;
	de->mtime = de->ctime;
}

/* A new directory's cluster: "." and "..", the rest zero. */
static int dir_init(struct fat_fs *fs, struct finode *parent, uint32_t *out)
{
	int err = clus_alloc(fs, 0, out);
	if (err)
		return err;
	struct fat_dirent d[2];
	entry_init(&d[0], S_IFDIR, *out);
	entry_init(&d[1], S_IFDIR, parent->dent ? parent->first : 0);
	memset(d[0].name, ' ', 11);
	memset(d[1].name, ' ', 11);
	d[0].name[0] = d[1].name[0] = d[1].name[1] = '.';
	return disk_io(fs, clus_off(fs, *out), d, sizeof d, 1);
}

static int f_create(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
		    struct inode **out)
{
	struct fat_fs *fs = FS(dir);
	(void)rdev;
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	if (!S_ISREG(mode) && !S_ISDIR(mode))
		return -EPERM;	/* FAT has no device nodes, fifos or sockets (as Linux) */
	size_t len;
	int err = name_ok(fs, name, &len);
	if (err)
		return err;
	fs_lock(fs);
	struct slot s;
	int r = dir_find(F(dir), name, len, &s);
	uint32_t first = 0;
	uint64_t dent = 0;
	struct fat_dirent de;
	err = r < 0 ? r : r ? -EEXIST : 0;
	if (!err && S_ISDIR(mode))
		err = dir_init(fs, F(dir), &first);
	if (!err) {
		entry_init(&de, mode, first);
		err = dir_add(F(dir), name, len, &de, &dent);
		if (err && first)
			chain_free(fs, first);
	}
	struct inode *ip = NULL;
	if (!err)
		err = iget(fs, &de, dent, dir, &ip);
	if (!err && out)
		*out = ip;
	else if (ip)
		inode_put(ip);
	fs_unlock(fs);
	return err;
}

static int f_unlink(struct inode *dir, const char *name, int rmdir)
{
	struct fat_fs *fs = FS(dir);
	size_t len;
	int err = name_ok(fs, name, &len);
	if (err)
		return err;
	fs_lock(fs);
	struct slot s;
	struct inode *ip = NULL;
	int r = dir_find(F(dir), name, len, &s);
	err = r < 0 ? r : r == 0 ? -ENOENT : iget(fs, &s.de, dent_of(F(dir), s.pos), dir, &ip);
	if (!err) {
		if (rmdir && !S_ISDIR(ip->mode))
			err = -ENOTDIR;
		else if (!rmdir && S_ISDIR(ip->mode))
			err = -EISDIR;
		else if (rmdir && (ip->mounted || ip == fs->root))
			err = -EBUSY;
		else if (rmdir && (r = dir_empty(F(ip))) != 1)
			err = r < 0 ? r : -ENOTEMPTY;
	}
	if (!err)
		err = dir_del(F(dir), &s);
	if (!err) {
		vfs_now(&ip->ctime.sec, &ip->ctime.nsec);
		ip->nlink = 0;	/* the chain is freed with the last reference */
	}
	if (ip)
		inode_put(ip);
	fs_unlock(fs);
	return err;
}

static int f_link(struct inode *target, struct inode *dir, const char *name)
{
	(void)target, (void)dir, (void)name;
	return -EPERM;	/* FAT has no hard links (Linux: EPERM) */
}

static int f_symlink(struct inode *dir, const char *name, const char *target)
{
	(void)dir, (void)name, (void)target;
	return -EPERM;
}

/* Is d (a directory) inside sub's subtree (or sub itself)? */
static int inside(struct inode *d, struct inode *sub)
{
	for (int n = 0; n < 4096; n++) {
		if (d == sub)
			return 1;
		if (!d->parent || d->parent == d || d->ops != &fat_ops)
			return 0;
		d = d->parent;
	}
	return 1;
}

static int rename_locked(struct inode *od, const char *oname, size_t olen, struct inode *nd,
			 const char *nname, size_t nlen, unsigned flags)
{
	struct fat_fs *fs = FS(od);
	struct slot os, ns;
	int r = dir_find(F(od), oname, olen, &os);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	uint64_t odent = dent_of(F(od), os.pos);
	int isdir = os.de.attr & ATTR_DIR;
	struct inode *ip;
	int err = iget(fs, &os.de, odent, od, &ip);
	if (err)
		return err;
	if (isdir && inside(nd, ip)) {
		inode_put(ip);
		return -EINVAL;
	}
	r = dir_find(F(nd), nname, nlen, &ns);
	if (r < 0) {
		inode_put(ip);
		return r;
	}
	if (r == 1) {
		uint64_t ndent = dent_of(F(nd), ns.pos);
		if (ndent == odent && od == nd && olen == nlen && !memcmp(oname, nname, olen)) {
			inode_put(ip);
			return 0;
		}
		if (flags & RENAME_NOREPLACE)
			err = -EEXIST;
		else if (ndent != odent) {
			struct inode *victim;
			err = iget(fs, &ns.de, ndent, nd, &victim);
			if (!err) {
				int vdir = S_ISDIR(victim->mode);
				if (vdir && !isdir)
					err = -EISDIR;
				else if (!vdir && isdir)
					err = -ENOTDIR;
				else if (vdir && (victim->mounted || (r = dir_empty(F(victim))) != 1))
					err = victim->mounted ? -EBUSY : r < 0 ? r : -ENOTEMPTY;
				if (!err)
					err = dir_del(F(nd), &ns);
				if (!err)
					victim->nlink = 0;
				inode_put(victim);
			}
		}
	}
	if (!err) {
		/*
		 * The entry moves: the new one is written first, so a full disk
		 * (-ENOSPC) loses nothing; adding only takes free slots, so os
		 * still names the old ones.
		 */
		struct fat_dirent de = os.de;
		uint64_t dent;
		iupdate(F(ip));
		err = disk_io(fs, odent, &de, sizeof de, 0);
		if (!err)
			err = dir_add(F(nd), nname, nlen, &de, &dent);
		if (!err)
			err = dir_del(F(od), &os);
		if (!err) {
			F(ip)->dent = dent;
			ip->ino = (uint32_t)(dent / 32);
			if (isdir && nd != od) {
				/* ".." of the moved directory names its new parent */
				struct fat_dirent dd;
				uint64_t at = clus_off(fs, F(ip)->first) + 32;
				uint32_t pc = F(nd)->dent ? F(nd)->first : 0;
				if (clus_ok(fs, F(ip)->first) && !disk_io(fs, at, &dd, 32, 0)) {
					dd.clus_hi = (uint16_t)(pc >> 16), dd.clus_lo = (uint16_t)pc;
					disk_io(fs, at, &dd, 32, 1);
				}
				inode_put(ip->parent);
				ip->parent = nd;
				inode_get(nd);
			}
		}
	}
	inode_put(ip);
	return err;
}

static int f_rename(struct inode *od, const char *oname, struct inode *nd, const char *nname,
		    unsigned flags)
{
	struct fat_fs *fs = FS(od);
	if (nd->ops != &fat_ops || FS(nd) != fs)
		return -EXDEV;
	size_t olen, nlen;
	int err = name_ok(fs, oname, &olen);
	if (!err)
		err = name_ok(fs, nname, &nlen);
	if (err)
		return err;
	fs_lock(fs);
	err = rename_locked(od, oname, olen, nd, nname, nlen, flags);
	fs_unlock(fs);
	return err;
}

static long f_read(struct inode *ip, uint64_t off, void *buf, size_t n)
{
	struct fat_fs *fs = FS(ip);
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = (size_t)(ip->size - off);
	fs_lock(fs);
	long r = chain_io(F(ip), off, buf, n, 0);
	if (r >= 0 && (size_t)r < n && r == 0)
		r = corrupt(fs, "chain shorter than the file size, entry", ip->ino);
	fs_unlock(fs);
	return r;
}

static long write_locked(struct finode *e, uint64_t off, const void *buf, size_t n)
{
	static uint8_t zero[512];
	while (e->v.size < off) {	/* a hole: FAT has none, zeros are written */
		size_t k = off - e->v.size < sizeof zero ? (size_t)(off - e->v.size) : sizeof zero;
		long r = chain_io(e, e->v.size, zero, k, 1);
		if (r <= 0)
			return r < 0 ? r : -ENOSPC;
		e->v.size += (uint64_t)r;
	}
	long r = chain_io(e, off, (void *)buf, n, 1);
	if (r > 0 && off + (uint64_t)r > e->v.size)
		e->v.size = off + (uint64_t)r;
	if (r > 0)
		vfs_now(&e->v.mtime.sec, &e->v.mtime.nsec);
	return r;
}

static long f_write(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
	struct fat_fs *fs = FS(ip);
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (fs->readonly)
		return -EROFS;
	if (off >= 0xffffffffull)
		return -EFBIG;
	if (n > 0xffffffffull - off)
		n = (size_t)(0xffffffffull - off);
	fs_lock(fs);
	long r = write_locked(F(ip), off, buf, n);
	fs_unlock(fs);
	return r;
}

/* Keep the clusters that hold size bytes, free the rest. */
static int trunc_chain(struct finode *e, uint64_t size)
{
	struct fat_fs *fs = e->fs;
	e->cur_idx = 0, e->cur_clus = 0;
	if (!e->first)
		return 0;
	if (size == 0) {
		uint32_t c = e->first;
		e->first = 0;
		return chain_free(fs, c);
	}
	uint32_t last, next;
	int err = clus_of(e, (uint32_t)((size - 1) / fs->clus_size), 0, &last);
	if (err || !last)
		return err;
	if ((err = fat_get(fs, last, &next)) != 0)
		return err;
	if (next == FAT_EOC)
		return 0;
	if ((err = fat_set(fs, last, FAT_EOC)) != 0)
		return err;
	e->cur_idx = 0, e->cur_clus = 0;
	return chain_free(fs, next);
}

static int f_truncate(struct inode *ip, uint64_t size)
{
	struct fat_fs *fs = FS(ip);
	if (fs->readonly)
		return -EROFS;
	if (size > 0xffffffffull)
		return -EFBIG;
	fs_lock(fs);
	int err = 0;
	if (size < ip->size) {
		err = trunc_chain(F(ip), size);
		if (!err)
			ip->size = size;
	} else if (size > ip->size) {
		long r = write_locked(F(ip), size, "", 0);
		err = r < 0 ? (int)r : 0;
	}
	if (!err) {
		vfs_now(&ip->mtime.sec, &ip->mtime.nsec);
		ip->ctime = ip->mtime;
		err = iupdate(F(ip));
	}
	fs_unlock(fs);
	return err;
}

static void f_release(struct inode *ip)
{
	struct finode *e = F(ip);
	struct fat_fs *fs = e->fs;
	fs_lock(fs);
	if (ip->nlink == 0 && !fs->readonly)
		chain_free(fs, e->first);
	else
		iupdate(e);
	struct inode *parent = S_ISDIR(ip->mode) && ip->parent != ip ? ip->parent : NULL;
	f_free(e);
	if (parent)
		inode_put(parent);
	fs_unlock(fs);
}

static const struct inode_ops fat_ops = {
	.lookup = f_lookup, .readdir = f_readdir, .name = f_name, .release = f_release,
	.create = f_create, .unlink = f_unlink, .link = f_link, .symlink = f_symlink,
	.rename = f_rename, .read = f_read, .write = f_write, .truncate = f_truncate,
};

/* ---- mount, sync ---- */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }

/* FSInfo's free count and next-free hint, as this driver keeps them. */
static int fsinfo_write(struct fat_fs *fs)
{
	if (!fs->fsinfo_off || fs->readonly)
		return 0;
	uint8_t v[8];
	int err = disk_io(fs, fs->fsinfo_off, v, 4, 0);
	if (err || le32(v) != 0x41615252)
		return err;
	memcpy(v, &fs->free, 4);
	memcpy(v + 4, &fs->next_free, 4);
	return disk_io(fs, fs->fsinfo_off + 488, v, 8, 1);
}

static int sync_locked(struct fat_fs *fs)
{
	if (fs->readonly)
		return 0;
	for (struct finode *e = fs->inodes; e; e = e->next)
		iupdate(e);
	fsinfo_write(fs);
	return bcache_sync(fs->dev);
}

int fat_sync(struct inode *any)
{
	struct fat_fs *fs = FS(any);
	fs_lock(fs);
	int err = sync_locked(fs);
	fs_unlock(fs);
	return err;
}

int fat_is_fat(struct inode *ip)
{
	return ip && ip->ops == &fat_ops;
}

struct blkdev *fat_dev(struct inode *ip)
{
	return FS(ip)->dev;
}

void fat_statfs(struct inode *ip, struct fat_statfs *st)
{
	struct fat_fs *fs = FS(ip);
	st->bsize = fs->clus_size;
	st->blocks = fs->nclusters;
	st->bfree = fs->free;
}

static int bpb_read(struct fat_fs *fs)
{
	uint8_t b[512];
	int err = disk_io(fs, 0, b, sizeof b, 0);
	if (err)
		return err;
	if (b[510] != 0x55 || b[511] != 0xaa || (b[0] != 0xeb && b[0] != 0xe9))
		return -EINVAL;
	uint32_t bps = le16(b + 11), spc = b[13], rsvd = le16(b + 14), nfats = b[16];
	uint32_t tot = le16(b + 19) ? le16(b + 19) : le32(b + 32);
	uint32_t fatsz = le16(b + 22);
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) || !spc || (spc & (spc - 1)) ||
	    !rsvd || !nfats || nfats > 4)
		return corrupt(fs, "boot sector geometry, bytes per sector", bps);
	uint32_t root_ents = le16(b + 17);
	fs->fat16 = fatsz != 0;	/* Linux's rule: a 16-bit FAT size means FAT12/16 */
	if (!fs->fat16)
		fatsz = le32(b + 36);
	fs->bps = bps;
	fs->clus_size = bps * spc;
	fs->nfats = nfats;
	fs->fat_off = (uint64_t)rsvd * bps;
	fs->fat_bytes = (uint64_t)fatsz * bps;
	fs->root_off = fs->fat_off + nfats * fs->fat_bytes;
	fs->root_bytes = fs->fat16 ? (uint64_t)root_ents * 32 : 0;
	uint64_t root_secs = (fs->root_bytes + bps - 1) / bps;
	fs->data_off = fs->root_off + root_secs * bps;
	uint64_t meta = rsvd + nfats * (uint64_t)fatsz + root_secs;
	uint64_t data_secs = tot > meta ? tot - meta : 0;
	uint64_t ncl = data_secs / spc;
	if (!fatsz || ncl == 0 || fs->clus_size > 65536 ||
	    (uint64_t)tot * bps > fs->dev->nsectors * SECTOR_SIZE)
		return corrupt(fs, "boot sector sizes, total sectors", tot);
	if (fs->fat16 && (ncl < 4085 || !root_ents)) {
		pr_err("fat %s: FAT12 is not supported (FAT16 and FAT32 are)\n", fs->dev->name);
		return -EINVAL;
	}
	if (ncl + 2 > fs->fat_bytes / entry_size(fs))
		ncl = fs->fat_bytes / entry_size(fs) - 2;	/* the FAT maps fewer: use those */
	fs->nclusters = (uint32_t)ncl;
	if (fs->fat16)
		return 0;	/* root: the fixed region; no FSInfo */
	fs->root_clus = le32(b + 44);
	if (!clus_ok(fs, fs->root_clus))
		return corrupt(fs, "root cluster", fs->root_clus);
	uint32_t fsinfo = le16(b + 48);
	fs->fsinfo_off = fsinfo && fsinfo < rsvd ? (uint64_t)fsinfo * bps : 0;
	return 0;
}

/* The free count, counted (the FSInfo hint may be stale after a crash). */
static int count_free(struct fat_fs *fs)
{
	fs->free = 0;
	uint32_t v[128];
	uint32_t w = entry_size(fs), per = sizeof v / w;
	for (uint32_t c = 0; c < fs->nclusters + 2; c += per) {
		int err = disk_io(fs, fs->fat_off + (uint64_t)c * w, v, sizeof v, 0);
		if (err)
			return err;
		for (uint32_t i = 0; i < per && c + i < fs->nclusters + 2; i++) {
			uint32_t e = w == 2 ? ((uint16_t *)v)[i] : v[i] & FAT_MASK;
			if (c + i >= 2 && e == 0)
				fs->free++;
		}
	}
	fs->next_free = 2;
	return 0;
}

/* The value of opt=N in opts (base 8 or 10) into *out; -EINVAL if malformed. */
static int opt_num(const char *opts, const char *opt, int base, uint32_t *out)
{
	size_t n = strlen(opt);
	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, opt, n) || p[n] != '=')
			continue;
		uint32_t v = 0;
		const char *q = p + n + 1;
		for (; *q && *q != ','; q++) {
			if (*q < '0' || *q >= '0' + base)
				return -EINVAL;
			v = v * (uint32_t)base + (uint32_t)(*q - '0');
		}
		if (q == p + n + 1)
			return -EINVAL;
		*out = v;
	}
	return 0;
}

/* Linux's vfat options for the owner and modes FAT cannot store. */
static int parse_opts(struct fat_fs *fs, const char *opts)
{
	uint32_t umask = 022;
	fs->fmask = 0133;	/* files 0644, directories 0755 */
	fs->dmask = umask;
	int err = opt_num(opts, "uid", 10, &fs->uid);
	if (!err)
		err = opt_num(opts, "gid", 10, &fs->gid);
	if (!err && opts && strstr(opts, "umask=")) {
		err = opt_num(opts, "umask", 8, &umask);
		fs->fmask = fs->dmask = umask;
	}
	if (!err)
		err = opt_num(opts, "dmask", 8, &fs->dmask);
	if (!err)
		err = opt_num(opts, "fmask", 8, &fs->fmask);
	fs->dmask &= 0777, fs->fmask &= 0777;
	return err;
}

int fat_mount(struct blkdev *d, int readonly, const char *opts, struct inode **root)
{
	struct fat_fs *fs = kzalloc(sizeof *fs);
	if (!fs)
		return -ENOMEM;
	if (parse_opts(fs, opts) || !(fs->fat_copy = page_alloc())) {
		int err = fs->fat_copy ? -EINVAL : -ENOMEM;
		if (fs->fat_copy)
			page_free(fs->fat_copy);
		kfree(fs);
		return err;
	}
	fs->dev = d;
	fs->readonly = readonly || d->readonly;
	fs->fat_blk = ~0ull;
	waitq_init(&fs->lockq);
	fs_lock(fs);
	int err = bpb_read(fs);
	if (!err)
		err = count_free(fs);
	if (!err)
		err = iget(fs, NULL, 0, NULL, &fs->root);
	fs_unlock(fs);
	if (err) {
		page_free(fs->fat_copy);
		kfree(fs);
		return err;
	}
	pr_info("fat %s: FAT%d, %u clusters of %u bytes, %u free%s\n", d->name, fs->fat16 ? 16 : 32, fs->nclusters,
		fs->clus_size, fs->free, fs->readonly ? ", read-only" : "");
	*root = fs->root;
	return 0;
}

int fat_umount(struct inode *root)
{
	struct fat_fs *fs = FS(root);
	fs_lock(fs);
	for (struct finode *e = fs->inodes; e; e = e->next)
		if (&e->v != root ? e->v.refs > 0 : e->v.refs > 1) {
			fs_unlock(fs);
			return -EBUSY;
		}
	int err = sync_locked(fs);
	if (root->parent && root->parent != root)
		inode_put(root->parent);
	f_free(F(root));
	fs_unlock(fs);
	bcache_invalidate(fs->dev);
	page_free(fs->fat_copy);
	kfree(fs);
	return err;
}
