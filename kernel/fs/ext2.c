/*
 * ext2 on a block device, through the block cache (kernel/fs/bcache.h).
 *
 * Layout (the ext2 documentation, "The Second Extended File System"): a
 * superblock at byte 1024, block groups each with a block bitmap, an inode
 * bitmap and an inode table, described by the group descriptor table in
 * the block after the superblock's.  A file's blocks are found through 12
 * direct pointers and single, double and triple indirect blocks; a hole
 * (pointer 0) reads as zeros.  Directories are lists of variable-length
 * entries that never cross a block.
 *
 * In memory: a mounted filesystem (struct ext2_fs) and its inodes in use
 * (struct e2inode, which starts with the VFS inode).  An inode is looked up
 * once and shared while referenced; chmod, chown, utimensat, write and
 * truncate change the VFS fields, which go back into the inode table when
 * the inode is released and at every sync.  An inode whose last link and
 * last reference are gone is freed with its blocks on release.
 *
 * Concurrency: every call runs on the syscall cpu, but a thread parks in
 * the middle of one while the disk works, so each filesystem has a
 * sleeping lock taken by every entry point (recursive: release runs inside
 * other calls).  Metadata reaches the disk only through the cache:
 * sync/fsync/umount/power-off.
 *
 * Bad images: every block number, inode number and directory entry read
 * from the disk is checked before use; a bad one fails the call with
 * -EUCLEAN and one log line naming what was wrong.
 */
#include "kernel/fs/ext2.h"
#include "kernel/fs/bcache.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "sched/thread.h"
#include <string.h>

#define EXT2_MAGIC		0xef53
#define EXT2_ROOT_INO		2
#define EXT2_NDIR		12
#define EXT2_IND		12
#define EXT2_DIND		13
#define EXT2_TIND		14
#define EXT2_INDEX_FL		0x1000	/* hashed directory: we clear it when we change one */
#define INCOMPAT_FILETYPE	0x0002
#define RO_COMPAT_SPARSE_SUPER	0x0001
#define RO_COMPAT_LARGE_FILE	0x0002
#define INCOMPAT_RECOVER	0x0004	/* the journal needs replaying */
#define INCOMPAT_EXTENTS	0x0040
#define INCOMPAT_64BIT		0x0080
#define INCOMPAT_FLEX_BG	0x0200
#define INCOMPAT_CSUM_SEED	0x2000
#define INCOMPAT_SUPPORTED	INCOMPAT_FILETYPE
/* ext4 images: read (extents, 64-byte group descriptors), never written */
#define INCOMPAT_READ_ONLY	(INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | INCOMPAT_CSUM_SEED)
#define EXT4_EXTENTS_FL		0x80000
#define EXT4_EXT_MAGIC		0xf30a
#define RO_COMPAT_SUPPORTED	(RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE)
#define EXT2_VALID_FS		1
#define FAST_SYMLINK_MAX	60	/* bytes that fit in i_block */

/* on-disk structures, little-endian (RISC-V is too) */
struct ext2_super {
	uint32_t inodes_count, blocks_count, r_blocks_count, free_blocks_count;
	uint32_t free_inodes_count, first_data_block, log_block_size, log_frag_size;
	uint32_t blocks_per_group, frags_per_group, inodes_per_group;
	uint32_t mtime, wtime;
	uint16_t mnt_count, max_mnt_count, magic, state, errors, minor_rev_level;
	uint32_t lastcheck, checkinterval, creator_os, rev_level;
	uint16_t def_resuid, def_resgid;
	uint32_t first_ino;
	uint16_t inode_size, block_group_nr;
	uint32_t feature_compat, feature_incompat, feature_ro_compat;
};

struct ext2_gd {
	uint32_t block_bitmap, inode_bitmap, inode_table;
	uint16_t free_blocks_count, free_inodes_count, used_dirs_count, pad;
	uint32_t reserved[3];
};
_Static_assert(sizeof(struct ext2_gd) == 32, "ext2 group descriptor");

struct ext2_dinode {
	uint16_t mode, uid;
	uint32_t size, atime, ctime, mtime, dtime;
	uint16_t gid, links_count;
	uint32_t blocks, flags, osd1;
	uint32_t block[15];
	uint32_t generation, file_acl, size_high, faddr;
	uint8_t frag, fsize;
	uint16_t pad1, uid_high, gid_high;
	uint32_t reserved2;
};
_Static_assert(sizeof(struct ext2_dinode) == 128, "ext2 inode");

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len, file_type;
	char name[];
};

struct e2inode;
struct dindex;
#define DX_STASH 4	/* indexes of directories no longer in memory, kept for reuse */
struct ext2_fs {
	struct blkdev *dev;
	uint32_t bsize, apb;		/* block size, block addresses per block */
	uint32_t blocks_count, inodes_count, first_data_block;
	uint32_t blocks_per_group, inodes_per_group, first_ino, inode_size, ngroups;
	uint32_t free_blocks, free_inodes;
	uint32_t gd_block, desc_size;
	int filetype, readonly;
	struct e2inode *inodes;		/* in use */
	struct inode *root;
	struct thread *owner;		/* the sleeping lock */
	int depth;
	struct waitq lockq;
	struct { uint32_t ino; struct dindex *dx; } dx_stash[DX_STASH];
	unsigned dx_stash_next;
};

struct e2inode {
	struct inode v;			/* first: the VFS sees this */
	struct ext2_fs *fs;
	uint32_t block[15];
	uint32_t flags, blocks, dtime, generation, file_acl;
	struct e2inode *next;
	struct dindex *dx;		/* a directory's name index, NULL until needed */
	uint32_t add_from;		/* a directory's first block worth trying for a new entry */
};

static const struct inode_ops ext2_ops;

static struct e2inode *E(struct inode *ip) { return (struct e2inode *)ip; }
static struct ext2_fs *FS(struct inode *ip) { return E(ip)->fs; }

/* ---- the lock ---- */

static char boot_owner;	/* the owner while mounting the root at boot */

static void fs_lock(struct ext2_fs *fs)
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

static void fs_unlock(struct ext2_fs *fs)
{
	if (--fs->depth == 0) {
		fs->owner = NULL;
		waitq_wake_all(&fs->lockq);
	}
}

static int corrupt(struct ext2_fs *fs, const char *what, uint64_t n)
{
	pr_err("ext2 %s: corrupted filesystem: %s %lu\n", fs->dev->name, what, n);
	return -EUCLEAN;
}

/* ---- blocks through the cache ---- */

struct blk { struct buf *b; uint8_t *p; };

static int blk_ok(struct ext2_fs *fs, uint32_t n)
{
	return n >= fs->first_data_block && n < fs->blocks_count;
}

/* Block n of the filesystem, held in *r.  fresh: the caller overwrites it all. */
static int blk_get(struct ext2_fs *fs, uint32_t n, struct blk *r, int fresh)
{
	if (!blk_ok(fs, n) && n != 0)
		return corrupt(fs, "block number", n);
	uint64_t off = (uint64_t)n * fs->bsize;
	int err = 0;
	r->b = fresh && fs->bsize == BCACHE_BLOCK
	     ? bcache_get_noread(fs->dev, off / BCACHE_BLOCK, &err)
	     : bcache_read(fs->dev, off / BCACHE_BLOCK, &err);
	if (!r->b)
		return err;
	r->p = r->b->data + off % BCACHE_BLOCK;
	return 0;
}

static void blk_put(struct blk *r, int dirty)
{
	if (dirty)
		bcache_dirty(r->b);
	bcache_put(r->b);
}

static int gd_get(struct ext2_fs *fs, uint32_t g, struct blk *r, struct ext2_gd **gd)
{
	uint32_t per = fs->bsize / fs->desc_size;
	int err = blk_get(fs, fs->gd_block + g / per, r, 0);
	if (!err)
		*gd = (struct ext2_gd *)(r->p + g % per * fs->desc_size);
	return err;
}

/* ---- bitmaps: allocation of blocks and inodes ---- */

/* First clear bit below n in bitmap p, set it; -1 if none. */
static int bit_take(uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!(p[i / 8] & (1 << (i % 8)))) {
			p[i / 8] |= (uint8_t)(1 << (i % 8));
			return (int)i;
		}
	return -1;
}

static uint32_t group_blocks(struct ext2_fs *fs, uint32_t g)
{
	uint32_t left = fs->blocks_count - fs->first_data_block - g * fs->blocks_per_group;
	return left < fs->blocks_per_group ? left : fs->blocks_per_group;
}

/* A zeroed new block, preferring group `goal`: *out, or -ENOSPC. */
static int balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *out)
{
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (goal + k) % fs->ngroups;
		struct blk gb, bb;
		struct ext2_gd *gd;
		int err = gd_get(fs, g, &gb, &gd);
		if (err)
			return err;
		if (gd->free_blocks_count == 0) {
			blk_put(&gb, 0);
			continue;
		}
		if ((err = blk_get(fs, gd->block_bitmap, &bb, 0)) != 0) {
			blk_put(&gb, 0);
			return err;
		}
		int bit = bit_take(bb.p, group_blocks(fs, g));
		blk_put(&bb, bit >= 0);
		if (bit < 0) {
			blk_put(&gb, 0);
			return corrupt(fs, "free block count of group", g);
		}
		gd->free_blocks_count--;
		blk_put(&gb, 1);
		fs->free_blocks--;
		uint32_t n = fs->first_data_block + g * fs->blocks_per_group + (uint32_t)bit;
		struct blk z;
		if ((err = blk_get(fs, n, &z, 1)) != 0)
			return err;
		memset(z.p, 0, fs->bsize);
		blk_put(&z, 1);
		*out = n;
		return 0;
	}
	return -ENOSPC;
}

static void bfree(struct ext2_fs *fs, uint32_t n)
{
	if (!blk_ok(fs, n)) {
		corrupt(fs, "freeing block", n);
		return;
	}
	uint32_t g = (n - fs->first_data_block) / fs->blocks_per_group;
	uint32_t bit = (n - fs->first_data_block) % fs->blocks_per_group;
	struct blk gb, bb;
	struct ext2_gd *gd;
	if (gd_get(fs, g, &gb, &gd))
		return;
	if (blk_get(fs, gd->block_bitmap, &bb, 0) == 0) {
		if (bb.p[bit / 8] & (1 << (bit % 8))) {
			bb.p[bit / 8] &= (uint8_t)~(1 << (bit % 8));
			gd->free_blocks_count++;
			fs->free_blocks++;
		}
		blk_put(&bb, 1);
	}
	blk_put(&gb, 1);
}

static int ialloc(struct ext2_fs *fs, uint32_t goal, int dir, uint32_t *out)
{
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (goal + k) % fs->ngroups;
		struct blk gb, ib;
		struct ext2_gd *gd;
		int err = gd_get(fs, g, &gb, &gd);
		if (err)
			return err;
		if (gd->free_inodes_count == 0) {
			blk_put(&gb, 0);
			continue;
		}
		if ((err = blk_get(fs, gd->inode_bitmap, &ib, 0)) != 0) {
			blk_put(&gb, 0);
			return err;
		}
		int bit;
		do
			bit = bit_take(ib.p, fs->inodes_per_group);
		while (bit >= 0 && g * fs->inodes_per_group + (uint32_t)bit + 1 < fs->first_ino);
		blk_put(&ib, bit >= 0);
		if (bit < 0) {
			blk_put(&gb, 0);
			return corrupt(fs, "free inode count of group", g);
		}
		gd->free_inodes_count--;
		if (dir)
			gd->used_dirs_count++;
		blk_put(&gb, 1);
		fs->free_inodes--;
		*out = g * fs->inodes_per_group + (uint32_t)bit + 1;
		return 0;
	}
	return -ENOSPC;
}

static void ifree(struct ext2_fs *fs, uint32_t ino, int dir)
{
	uint32_t g = (ino - 1) / fs->inodes_per_group, bit = (ino - 1) % fs->inodes_per_group;
	struct blk gb, ib;
	struct ext2_gd *gd;
	if (gd_get(fs, g, &gb, &gd))
		return;
	if (blk_get(fs, gd->inode_bitmap, &ib, 0) == 0) {
		if (ib.p[bit / 8] & (1 << (bit % 8))) {
			ib.p[bit / 8] &= (uint8_t)~(1 << (bit % 8));
			gd->free_inodes_count++;
			if (dir && gd->used_dirs_count)
				gd->used_dirs_count--;
			fs->free_inodes++;
		}
		blk_put(&ib, 1);
	}
	blk_put(&gb, 1);
}

/* ---- inodes ---- */

static int dinode_get(struct ext2_fs *fs, uint32_t ino, struct blk *r, struct ext2_dinode **di)
{
	if (ino < 1 || ino > fs->inodes_count)
		return corrupt(fs, "inode number", ino);
	uint32_t g = (ino - 1) / fs->inodes_per_group, idx = (ino - 1) % fs->inodes_per_group;
	struct blk gb;
	struct ext2_gd *gd;
	int err = gd_get(fs, g, &gb, &gd);
	if (err)
		return err;
	uint64_t byte = (uint64_t)idx * fs->inode_size;
	uint32_t table = gd->inode_table;
	blk_put(&gb, 0);
	if ((err = blk_get(fs, table + (uint32_t)(byte / fs->bsize), r, 0)) != 0)
		return err;
	*di = (struct ext2_dinode *)(r->p + byte % fs->bsize);
	return 0;
}

static void vtime(struct vfs_time *t, uint32_t s) { t->sec = s; t->nsec = 0; }

static void now(struct vfs_time *t) { vfs_now(&t->sec, &t->nsec); }

/* The VFS and private fields back into the inode table (cache only). */
static int iupdate(struct e2inode *e)
{
	struct ext2_fs *fs = e->fs;
	struct blk r;
	struct ext2_dinode *di;
	int err = dinode_get(fs, e->v.ino, &r, &di);
	if (err)
		return err;
	di->mode = (uint16_t)e->v.mode;
	di->uid = (uint16_t)e->v.uid;
	di->uid_high = (uint16_t)(e->v.uid >> 16);
	di->gid = (uint16_t)e->v.gid;
	di->gid_high = (uint16_t)(e->v.gid >> 16);
	di->size = (uint32_t)e->v.size;
	if (S_ISREG(e->v.mode))
		di->size_high = (uint32_t)(e->v.size >> 32);
	di->atime = (uint32_t)e->v.atime.sec;
	di->mtime = (uint32_t)e->v.mtime.sec;
	di->ctime = (uint32_t)e->v.ctime.sec;
	di->dtime = e->dtime;
	di->links_count = (uint16_t)(S_ISDIR(e->v.mode) && e->v.nlink == 0 ? 0 : e->v.nlink);
	di->blocks = e->blocks;
	di->flags = e->flags;
	di->generation = e->generation;
	memcpy(di->block, e->block, sizeof di->block);
	if ((S_ISCHR(e->v.mode) || S_ISBLK(e->v.mode))) {
		memset(di->block, 0, sizeof di->block);
		di->block[1] = e->v.rdev;	/* new_encode_dev, what Linux reads too */
	}
	blk_put(&r, 1);
	return 0;
}

static struct e2inode *incore(struct ext2_fs *fs, uint32_t ino)
{
	for (struct e2inode *e = fs->inodes; e; e = e->next)
		if (e->v.ino == ino)
			return e;
	return NULL;
}

static long e2_read_locked(struct e2inode *e, uint64_t off, void *buf, size_t n);

/* A symlink's target in v.data, where the path walk reads it. */
static int load_symlink(struct e2inode *e)
{
	uint64_t len = e->v.size;
	if (len == 0 || len >= PATH_MAX)
		return corrupt(e->fs, "symlink length of inode", e->v.ino);
	if (!(e->v.data = kmalloc(len + 1)))
		return -ENOMEM;
	e->v.cap = len + 1;
	if (e->blocks == 0 || len < FAST_SYMLINK_MAX) {
		if (len >= FAST_SYMLINK_MAX)
			return corrupt(e->fs, "symlink length of inode", e->v.ino);
		memcpy(e->v.data, e->block, len);
		return 0;
	}
	long r = e2_read_locked(e, 0, e->v.data, len);
	return r == (long)len ? 0 : (r < 0 ? (int)r : -EIO);
}

static void dx_put_away(struct e2inode *e);

static void e2_free(struct e2inode *e)
{
	struct ext2_fs *fs = e->fs;
	dx_put_away(e);
	for (struct e2inode **p = &fs->inodes; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	if (e->v.data)
		kfree(e->v.data);
	kfree(e);
}

static void dx_take_back(struct e2inode *e);

/* Inode ino, referenced; parent (a directory, or NULL) becomes a directory's "..". */
static int iget(struct ext2_fs *fs, uint32_t ino, struct inode *parent, struct inode **out)
{
	struct e2inode *e = incore(fs, ino);
	if (e) {
		inode_get(&e->v);
		*out = &e->v;
		return 0;
	}
	struct blk r;
	struct ext2_dinode *di;
	int err = dinode_get(fs, ino, &r, &di);
	if (err)
		return err;
	if (di->links_count == 0 || di->mode == 0) {
		blk_put(&r, 0);
		return corrupt(fs, "directory entry names free inode", ino);
	}
	if (!(e = kzalloc(sizeof *e))) {
		blk_put(&r, 0);
		return -ENOMEM;
	}
	e->fs = fs;
	e->v.ino = ino;
	e->v.mode = di->mode;
	e->v.uid = di->uid | (uint32_t)di->uid_high << 16;
	e->v.gid = di->gid | (uint32_t)di->gid_high << 16;
	e->v.nlink = di->links_count;
	e->v.size = di->size | (S_ISREG(di->mode) ? (uint64_t)di->size_high << 32 : 0);
	vtime(&e->v.atime, di->atime);
	vtime(&e->v.mtime, di->mtime);
	vtime(&e->v.ctime, di->ctime);
	e->v.ops = &ext2_ops;
	memcpy(e->block, di->block, sizeof e->block);
	e->flags = di->flags;
	e->blocks = di->blocks;
	e->generation = di->generation;
	e->file_acl = di->file_acl;
	if (S_ISCHR(di->mode) || S_ISBLK(di->mode))
		e->v.rdev = di->block[0] ? di->block[0] : di->block[1];
	blk_put(&r, 0);
	e->v.refs = 1;
	e->next = fs->inodes;
	fs->inodes = e;
	if (S_ISLNK(e->v.mode) && (err = load_symlink(e)) != 0) {
		e2_free(e);
		return err;
	}
	if (S_ISDIR(e->v.mode)) {
		dx_take_back(e);
		e->v.parent = parent ? parent : &e->v;
		if (parent)
			inode_get(parent);
	}
	*out = &e->v;
	return 0;
}

/* ---- block map ---- */

/*
 * Physical block of logical block lblk of e; 0 for a hole.  alloc: fill
 * holes (and missing indirect blocks) with new zeroed blocks.
 */
/* ext4 extent tree (read only): the block of lblk, 0 for a hole or an unwritten extent. */
static int extent_map(struct e2inode *e, uint64_t lblk, uint32_t *out)
{
	struct ext2_fs *fs = e->fs;
	const uint8_t *node = (const uint8_t *)e->block;
	uint32_t room = sizeof e->block;
	struct blk held = { 0 };
	int err = 0;
	*out = 0;
	for (int level = 0;; level++) {
		uint16_t magic = *(const uint16_t *)node, n = *(const uint16_t *)(node + 2);
		uint16_t depth = *(const uint16_t *)(node + 6);
		if (magic != EXT4_EXT_MAGIC || 12u + 12u * n > room || depth > 5 || level > 5) {
			err = corrupt(fs, "extent header in inode", e->v.ino);
			break;
		}
		const uint8_t *ent = NULL;	/* the last entry starting at or before lblk */
		for (uint16_t i = 0; i < n; i++)
			if (*(const uint32_t *)(node + 12 + 12 * i) <= lblk)
				ent = node + 12 + 12 * i;
		if (!ent)
			break;	/* before the first extent: a hole */
		if (depth == 0) {
			uint32_t first = *(const uint32_t *)ent;
			uint16_t len = *(const uint16_t *)(ent + 4);
			uint64_t start = (uint64_t)*(const uint16_t *)(ent + 6) << 32 | *(const uint32_t *)(ent + 8);
			if (len <= 32768 && lblk < (uint64_t)first + len) {	/* > 32768: unwritten */
				uint64_t b = start + (lblk - first);
				if (b >= fs->blocks_count)
					err = corrupt(fs, "extent in inode", e->v.ino);
				else
					*out = (uint32_t)b;
			}
			break;
		}
		uint64_t child = (uint64_t)*(const uint16_t *)(ent + 8) << 32 | *(const uint32_t *)(ent + 4);
		if (held.b)
			blk_put(&held, 0);
		held.b = NULL;
		if (child >= fs->blocks_count || !blk_ok(fs, (uint32_t)child)) {
			err = corrupt(fs, "extent index in inode", e->v.ino);
			break;
		}
		if ((err = blk_get(fs, (uint32_t)child, &held, 0)) != 0)
			break;
		node = held.p;
		room = fs->bsize;
	}
	if (held.b)
		blk_put(&held, 0);
	return err;
}

static int bmap(struct e2inode *e, uint64_t lblk, int alloc, uint32_t *out)
{
	struct ext2_fs *fs = e->fs;
	if (e->flags & EXT4_EXTENTS_FL)
		return alloc ? -EROFS : extent_map(e, lblk, out);
	uint32_t apb = fs->apb, idx[4];
	int depth;
	uint32_t *slot;
	if (lblk < EXT2_NDIR) {
		slot = &e->block[lblk];
		depth = 0;
	} else if ((lblk -= EXT2_NDIR) < apb) {
		slot = &e->block[EXT2_IND];
		depth = 1;
		idx[0] = (uint32_t)lblk;
	} else if ((lblk -= apb) < (uint64_t)apb * apb) {
		slot = &e->block[EXT2_DIND];
		depth = 2;
		idx[0] = (uint32_t)(lblk / apb);
		idx[1] = (uint32_t)(lblk % apb);
	} else if ((lblk -= (uint64_t)apb * apb) < (uint64_t)apb * apb * apb) {
		slot = &e->block[EXT2_TIND];
		depth = 3;
		idx[0] = (uint32_t)(lblk / ((uint64_t)apb * apb));
		idx[1] = (uint32_t)(lblk / apb % apb);
		idx[2] = (uint32_t)(lblk % apb);
	} else {
		return -EFBIG;
	}
	struct blk held = { 0 };
	int err = 0;
	for (int level = 0;; level++) {
		if (*slot == 0 && alloc) {
			uint32_t n;
			uint32_t goal = (e->v.ino - 1) / fs->inodes_per_group;
			if ((err = balloc(fs, goal, &n)) != 0)
				break;
			*slot = n;
			e->blocks += fs->bsize / 512;
			if (held.b)
				bcache_dirty(held.b);
		}
		uint32_t n = *slot;
		if (held.b)
			blk_put(&held, 0);
		held.b = NULL;
		if (n && !blk_ok(fs, n)) {
			err = corrupt(fs, "block pointer in inode", e->v.ino);
			break;
		}
		if (level == depth || n == 0) {
			*out = n;
			break;
		}
		if ((err = blk_get(fs, n, &held, 0)) != 0)
			break;
		slot = (uint32_t *)held.p + idx[level];
	}
	if (held.b)
		blk_put(&held, 0);
	return err;
}

/* Free the data blocks at logical index >= start in the tree under *slot (depth levels of indirection). */
static void trunc_tree(struct e2inode *e, uint32_t *slot, int depth, uint64_t start)
{
	struct ext2_fs *fs = e->fs;
	if (*slot == 0)
		return;
	if (depth > 0) {
		uint64_t span = 1;
		for (int i = 1; i < depth; i++)
			span *= fs->apb;
		struct blk r;
		if (blk_get(fs, *slot, &r, 0) != 0)
			return;
		uint32_t *a = (uint32_t *)r.p;
		for (uint64_t i = start / span; i < fs->apb; i++)
			trunc_tree(e, &a[i], depth - 1, i == start / span ? start % span : 0);
		blk_put(&r, 1);
	}
	if (start == 0) {
		bfree(fs, *slot);
		*slot = 0;
		e->blocks -= fs->bsize / 512;
	}
}

/* Drop the blocks past size and zero the tail of the last one. */
static int trunc_blocks(struct e2inode *e, uint64_t size)
{
	struct ext2_fs *fs = e->fs;
	uint64_t keep = (size + fs->bsize - 1) / fs->bsize, apb = fs->apb;
	if (S_ISLNK(e->v.mode) && e->blocks == 0)
		return 0;	/* a fast symlink: no blocks */
	for (uint64_t i = keep; i < EXT2_NDIR; i++)
		trunc_tree(e, &e->block[i], 0, 0);
	uint64_t base = EXT2_NDIR, span = apb;
	for (int d = 1; d <= 3; d++) {
		if (keep < base + span)
			trunc_tree(e, &e->block[EXT2_IND + d - 1], d, keep > base ? keep - base : 0);
		base += span;
		span *= apb;
	}
	if (size % fs->bsize) {
		uint32_t n;
		if (bmap(e, size / fs->bsize, 0, &n) == 0 && n) {
			struct blk r;
			if (blk_get(fs, n, &r, 0) == 0) {
				memset(r.p + size % fs->bsize, 0, fs->bsize - size % fs->bsize);
				blk_put(&r, 1);
			}
		}
	}
	return 0;
}

/* ---- file data ---- */

static long e2_read_locked(struct e2inode *e, uint64_t off, void *buf, size_t n)
{
	struct ext2_fs *fs = e->fs;
	if (off >= e->v.size)
		return 0;
	if (n > e->v.size - off)
		n = e->v.size - off;
	size_t done = 0;
	while (done < n) {
		uint64_t lb = (off + done) / fs->bsize, o = (off + done) % fs->bsize;
		size_t c = fs->bsize - o < n - done ? fs->bsize - o : n - done;
		uint32_t pb;
		int err = bmap(e, lb, 0, &pb);
		if (err)
			return done ? (long)done : err;
		if (pb == 0) {
			memset((char *)buf + done, 0, c);	/* a hole */
		} else {
			struct blk r;
			if ((err = blk_get(fs, pb, &r, 0)) != 0)
				return done ? (long)done : err;
			memcpy((char *)buf + done, r.p + o, c);
			blk_put(&r, 0);
		}
		done += c;
	}
	return (long)done;
}

static long e2_write_locked(struct e2inode *e, uint64_t off, const void *buf, size_t n)
{
	struct ext2_fs *fs = e->fs;
	if (fs->readonly)
		return -EROFS;
	size_t done = 0;
	int err = 0;
	while (done < n) {
		uint64_t lb = (off + done) / fs->bsize, o = (off + done) % fs->bsize;
		size_t c = fs->bsize - o < n - done ? fs->bsize - o : n - done;
		uint32_t pb;
		if ((err = bmap(e, lb, 1, &pb)) != 0)
			break;
		struct blk r;
		if ((err = blk_get(fs, pb, &r, c == fs->bsize)) != 0)
			break;
		memcpy(r.p + o, (const char *)buf + done, c);
		blk_put(&r, 1);
		done += c;
		if (off + done > e->v.size)
			e->v.size = off + done;
	}
	if (done) {
		now(&e->v.mtime);
		e->v.ctime = e->v.mtime;
	}
	return done ? (long)done : err;
}

static long e2_read(struct inode *ip, uint64_t off, void *buf, size_t n)
{
	fs_lock(FS(ip));
	long r = e2_read_locked(E(ip), off, buf, n);
	fs_unlock(FS(ip));
	return r;
}

static long e2_write(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
	fs_lock(FS(ip));
	long r = e2_write_locked(E(ip), off, buf, n);
	fs_unlock(FS(ip));
	return r;
}

static int e2_truncate(struct inode *ip, uint64_t size)
{
	struct ext2_fs *fs = FS(ip);
	if (fs->readonly)
		return -EROFS;
	fs_lock(fs);
	if (size < ip->size)
		trunc_blocks(E(ip), size);
	ip->size = size;	/* growing leaves a hole */
	now(&ip->mtime);
	ip->ctime = ip->mtime;
	fs_unlock(fs);
	return 0;
}

/* ---- directories ---- */

static uint32_t rec_size(uint32_t name_len) { return (8 + name_len + 3) & ~3u; }

/* Entry at offset o of a directory block: checked, or NULL. */
static struct ext2_dirent *dirent_at(struct e2inode *d, uint8_t *blk, uint32_t o, int *err)
{
	struct ext2_fs *fs = d->fs;
	struct ext2_dirent *de = (struct ext2_dirent *)(blk + o);
	if (o + 8 > fs->bsize || de->rec_len < 8 || de->rec_len % 4 ||
	    o + de->rec_len > fs->bsize || (de->inode && rec_size(de->name_len) > de->rec_len)) {
		*err = corrupt(fs, "directory entry in inode", d->v.ino);
		return NULL;
	}
	return de;
}

/*
 * Visit the entries of directory d from byte offset *pos: fn returns
 * non-zero to stop (then *pos is that entry's offset).  0, or an error.
 */
typedef int (*dir_fn)(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		      struct ext2_dirent *prev);

/*
 * The entries of block lb of d; fn is called for those at offset >= from.
 * 0: fn stopped (*at = that entry's offset), 1: ran off the block, or -errno.
 */
static int walk_block(struct e2inode *d, uint64_t lb, uint32_t from, dir_fn fn, void *ctx,
		      uint32_t *at)
{
	struct ext2_fs *fs = d->fs;
	uint32_t pb;
	int err = bmap(d, lb, 0, &pb);
	if (err)
		return err;
	if (pb == 0)
		return corrupt(fs, "hole in directory inode", d->v.ino);
	struct blk r;
	if ((err = blk_get(fs, pb, &r, 0)) != 0)
		return err;
	struct ext2_dirent *prev = NULL;
	for (uint32_t o = 0; o < fs->bsize;) {
		struct ext2_dirent *de = dirent_at(d, r.p, o, &err);
		if (!de) {
			blk_put(&r, 0);
			return err;
		}
		if (o >= from) {
			int stop = fn(ctx, de, &r, o, prev);
			if (stop) {
				if (at)
					*at = o;
				blk_put(&r, 0);	/* fn dirtied it if it changed it */
				return stop < 0 ? stop : 0;
			}
		}
		prev = de;
		o += de->rec_len;
	}
	blk_put(&r, 0);
	return 1;
}

static int dir_walk(struct e2inode *d, uint64_t *pos, dir_fn fn, void *ctx)
{
	struct ext2_fs *fs = d->fs;
	uint64_t start = pos ? *pos : 0;
	for (uint64_t lb = start / fs->bsize; lb * fs->bsize < d->v.size; lb++) {
		uint32_t from = lb == start / fs->bsize ? (uint32_t)(start % fs->bsize) : 0, at;
		int r = walk_block(d, lb, from, fn, ctx, &at);
		if (r <= 0) {
			if (r == 0 && pos)
				*pos = lb * fs->bsize + at;
			return r;
		}
	}
	if (pos)
		*pos = d->v.size;
	return 1;	/* ran off the end */
}

/*
 * The name index of a large directory (in memory only).  A linear scan per
 * lookup makes creating n files O(n^2) block visits: 10 000 files took
 * minutes.  The index maps a hash of each name to the directory block that
 * holds it; a lookup, unlink or rename reads only the blocks of its hash's
 * candidates.  It is built from the blocks on the first named operation in
 * a directory of DX_MIN_BLOCKS or more, then kept in step by dir_add and
 * dir_del (entries never move between blocks: add fills slack or a new
 * block, delete merges into the previous entry of the same block).  All of
 * it runs under the filesystem's lock.  When the directory leaves memory
 * its index waits in a small per-filesystem stash: every change to a
 * directory goes through its in-memory inode, which takes the index back at
 * iget, so a stashed index is never stale.  Out of memory: the index is
 * dropped and lookups are linear again, never wrong.
 */
#define DX_MIN_BLOCKS 4

#define DX_MAX_BUCKETS 8192	/* 64 KiB of heads: 10 000 names average 1.2 a chain */

struct dxent { uint32_t hash, lblk; struct dxent *next; };
struct dindex { uint32_t nbuckets, count; struct dxent **b; };

/* Bucket heads, zeroed: kmalloc stops at KMALLOC_MAX, larger tables take pages. */
static struct dxent **buckets_alloc(uint32_t nb)
{
	size_t bytes = nb * sizeof(struct dxent *);
	if (bytes <= KMALLOC_MAX)
		return kzalloc(bytes);
	void *p = page_alloc_n(bytes / 4096);
	if (p)
		memset(p, 0, bytes);
	return p;
}

static void buckets_free(struct dxent **b, uint32_t nb)
{
	size_t bytes = nb * sizeof(struct dxent *);
	if (bytes <= KMALLOC_MAX)
		kfree(b);
	else
		page_free_n(b, bytes / 4096);
}

static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static void dx_free(struct dindex *x)
{
	if (!x)
		return;
	for (uint32_t i = 0; i < x->nbuckets; i++)
		for (struct dxent *n = x->b[i], *next; n; n = next) {
			next = n->next;
			kfree(n);
		}
	if (x->b)
		buckets_free(x->b, x->nbuckets);
	kfree(x);
}

static void dx_drop(struct e2inode *d)
{
	dx_free(d->dx);
	d->dx = NULL;
}

/* Twice the buckets once chains average two: lookups stay O(1). */
static void dx_grow(struct dindex *x)
{
	uint32_t nb = x->nbuckets * 2;
	struct dxent **b = nb <= DX_MAX_BUCKETS ? buckets_alloc(nb) : NULL;
	if (!b)
		return;		/* longer chains, still right */
	for (uint32_t i = 0; i < x->nbuckets; i++)
		for (struct dxent *n = x->b[i], *next; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	buckets_free(x->b, x->nbuckets);
	x->b = b;
	x->nbuckets = nb;
}

static int dx_add(struct dindex *x, uint32_t hash, uint32_t lblk)
{
	struct dxent *n = kmalloc(sizeof *n);
	if (!n)
		return -ENOMEM;
	*n = (struct dxent){ hash, lblk, x->b[hash & (x->nbuckets - 1)] };
	x->b[hash & (x->nbuckets - 1)] = n;
	if (++x->count > 2 * x->nbuckets)
		dx_grow(x);
	return 0;
}

static void dx_insert(struct e2inode *d, const char *name, size_t len, uint32_t lblk)
{
	if (d->dx && dx_add(d->dx, name_hash(name, len), lblk))
		dx_drop(d);
}

static void dx_remove(struct e2inode *d, const char *name, size_t len, uint32_t lblk)
{
	if (!d->dx)
		return;
	uint32_t h = name_hash(name, len);
	for (struct dxent **p = &d->dx->b[h & (d->dx->nbuckets - 1)]; *p; p = &(*p)->next)
		if ((*p)->hash == h && (*p)->lblk == lblk) {
			struct dxent *n = *p;
			*p = n->next;
			kfree(n);
			d->dx->count--;
			return;
		}
}

struct dxbuild { struct dindex *x; uint32_t lblk; };

static int build_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		    struct ext2_dirent *prev)
{
	struct dxbuild *c = ctx;
	(void)r, (void)o, (void)prev;
	if (!de->inode)
		return 0;
	return dx_add(c->x, name_hash(de->name, de->name_len), c->lblk);
}

/* Build d's index if it is large enough and has none: 0, or -errno (I/O, corruption). */
static int dx_build(struct e2inode *d)
{
	struct ext2_fs *fs = d->fs;
	uint64_t nblk = d->v.size / fs->bsize;
	if (d->dx || nblk < DX_MIN_BLOCKS)
		return 0;
	struct dindex *x = kzalloc(sizeof *x);
	if (x) {
		x->nbuckets = 64;
		while (x->nbuckets < nblk * 4 && x->nbuckets < DX_MAX_BUCKETS)
			x->nbuckets *= 2;
		x->b = buckets_alloc(x->nbuckets);
	}
	if (!x || !x->b) {
		kfree(x);
		return 0;	/* no memory: linear */
	}
	struct dxbuild c = { x, 0 };
	for (; c.lblk < nblk; c.lblk++) {
		int r = walk_block(d, c.lblk, 0, build_fn, &c, NULL);
		if (r < 0) {
			dx_free(x);
			return r == -ENOMEM ? 0 : r;
		}
	}
	d->dx = x;
	if (x->count >= 1000)
		pr_info("ext2 %s: directory inode %u indexed: %u names in %lu blocks\n",
			fs->dev->name, d->v.ino, x->count, nblk);
	return 0;
}

/* The directory left memory: keep its index for its next iget (oldest out). */
static void dx_put_away(struct e2inode *e)
{
	struct ext2_fs *fs = e->fs;
	if (!e->dx)
		return;
	if (e->v.nlink == 0 || !S_ISDIR(e->v.mode)) {
		dx_drop(e);
		return;
	}
	unsigned i = fs->dx_stash_next++ % DX_STASH;
	dx_free(fs->dx_stash[i].dx);
	fs->dx_stash[i].ino = e->v.ino;
	fs->dx_stash[i].dx = e->dx;
	e->dx = NULL;
}

static void dx_take_back(struct e2inode *e)
{
	struct ext2_fs *fs = e->fs;
	for (unsigned i = 0; i < DX_STASH; i++)
		if (fs->dx_stash[i].dx && fs->dx_stash[i].ino == e->v.ino) {
			e->dx = fs->dx_stash[i].dx;
			fs->dx_stash[i].dx = NULL;
			return;
		}
}

/*
 * Run fn on the entry called name in d (fn decides it is the one and
 * returns non-zero): through the index when d has one, else a scan.
 * 0 with *lblk = the entry's block, 1 if no entry stopped fn, or -errno.
 */
static int dir_named(struct e2inode *d, const char *name, size_t len, dir_fn fn, void *ctx,
		     uint32_t *lblk)
{
	int err = dx_build(d);
	if (err)
		return err;
	if (!d->dx) {
		uint64_t pos = 0;
		err = dir_walk(d, &pos, fn, ctx);
		if (err == 0)
			*lblk = (uint32_t)(pos / d->fs->bsize);
		return err;
	}
	uint32_t h = name_hash(name, len);
	for (struct dxent *n = d->dx->b[h & (d->dx->nbuckets - 1)]; n; n = n->next)
		if (n->hash == h && (err = walk_block(d, n->lblk, 0, fn, ctx, NULL)) <= 0) {
			if (err == 0)
				*lblk = n->lblk;
			return err;
		}
	return 1;
}

struct find { const char *name; size_t len; uint32_t ino; uint8_t type; };

static int find_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		   struct ext2_dirent *prev)
{
	struct find *f = ctx;
	(void)r, (void)o, (void)prev;
	if (de->inode && de->name_len == f->len && !memcmp(de->name, f->name, f->len)) {
		f->ino = de->inode;
		f->type = de->file_type;
		return 1;
	}
	return 0;
}

/* Inode number of name in d: 0 if absent, or -errno. */
static long dir_find(struct e2inode *d, const char *name, size_t len)
{
	struct find f = { name, len, 0, 0 };
	uint32_t lblk;
	int err = dir_named(d, name, len, find_fn, &f, &lblk);
	return err < 0 ? (long)err : (long)f.ino;
}

static uint8_t ftype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return 1;
	case S_IFDIR: return 2;
	case S_IFCHR: return 3;
	case S_IFBLK: return 4;
	case S_IFIFO: return 5;
	case S_IFSOCK: return 6;
	case S_IFLNK: return 7;
	default: return 0;
	}
}

struct add { const char *name; size_t len; uint32_t ino; uint8_t type; int done; };

static int add_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		  struct ext2_dirent *prev)
{
	struct add *a = ctx;
	(void)o, (void)prev;
	uint32_t need = rec_size((uint32_t)a->len);
	uint32_t used = de->inode ? rec_size(de->name_len) : 0;
	if (de->rec_len < used + need)
		return 0;
	struct ext2_dirent *n = de;
	if (de->inode) {	/* split: the new entry takes the slack */
		n = (struct ext2_dirent *)((uint8_t *)de + used);
		n->rec_len = (uint16_t)(de->rec_len - used);
		de->rec_len = (uint16_t)used;
	}
	n->inode = a->ino;
	n->name_len = (uint8_t)a->len;
	n->file_type = a->type;
	memcpy(n->name, a->name, a->len);
	bcache_dirty(r->b);
	a->done = 1;
	return 1;
}

static void dir_changed(struct e2inode *d)
{
	now(&d->v.mtime);
	d->v.ctime = d->v.mtime;
	d->flags &= ~EXT2_INDEX_FL;	/* a hash index we do not maintain is stale now */
}

static int dir_add(struct e2inode *d, const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	struct ext2_fs *fs = d->fs;
	struct add a = { name, len, ino, fs->filetype ? ftype(mode) : 0, 0 };
	/* from the block where the last entry went (or an earlier one freed
	 * since): the blocks before it are full enough to skip; a gap left
	 * there costs space, never correctness */
	uint64_t pos = (uint64_t)d->add_from * fs->bsize;
	if (pos >= d->v.size)
		pos = 0;
	int err = dir_walk(d, &pos, add_fn, &a);
	if (err < 0)
		return err;
	uint32_t lblk = (uint32_t)(pos / fs->bsize);
	if (!a.done) {	/* a new block at the end */
		uint32_t pb;
		lblk = (uint32_t)(d->v.size / fs->bsize);
		if ((err = bmap(d, lblk, 1, &pb)) != 0)
			return err;
		struct blk r;
		if ((err = blk_get(fs, pb, &r, 0)) != 0)
			return err;
		struct ext2_dirent *de = (struct ext2_dirent *)r.p;
		de->inode = ino;
		de->rec_len = (uint16_t)fs->bsize;
		de->name_len = (uint8_t)len;
		de->file_type = a.type;
		memcpy(de->name, name, len);
		blk_put(&r, 1);
		d->v.size += fs->bsize;
	}
	d->add_from = lblk;
	dx_insert(d, name, len, lblk);
	dir_changed(d);
	return 0;
}

struct del { const char *name; size_t len; uint32_t ino; };

static int del_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		  struct ext2_dirent *prev)
{
	struct del *x = ctx;
	(void)o;
	if (!de->inode || de->name_len != x->len || memcmp(de->name, x->name, x->len))
		return 0;
	x->ino = de->inode;
	if (prev)
		prev->rec_len = (uint16_t)(prev->rec_len + de->rec_len);
	else
		de->inode = 0;
	bcache_dirty(r->b);
	return 1;
}

static int dir_del(struct e2inode *d, const char *name, size_t len)
{
	struct del x = { name, len, 0 };
	uint32_t lblk;
	int err = dir_named(d, name, len, del_fn, &x, &lblk);
	if (err < 0)
		return err;
	if (!x.ino)
		return -ENOENT;
	dx_remove(d, name, len, lblk);
	if (lblk < d->add_from)
		d->add_from = lblk;
	dir_changed(d);
	return 0;
}

/* Point entry name of d at ino (rename over an existing name, "..") */
struct set { const char *name; size_t len; uint32_t ino; uint8_t type; };

static int set_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		  struct ext2_dirent *prev)
{
	struct set *s = ctx;
	(void)o, (void)prev;
	if (!de->inode || de->name_len != s->len || memcmp(de->name, s->name, s->len))
		return 0;
	de->inode = s->ino;
	de->file_type = s->type;
	bcache_dirty(r->b);
	return 1;
}

static int dir_set(struct e2inode *d, const char *name, uint32_t ino, uint32_t mode)
{
	struct set s = { name, strlen(name), ino, d->fs->filetype ? ftype(mode) : 0 };
	uint32_t lblk;
	int err = dir_named(d, name, s.len, set_fn, &s, &lblk);
	return err < 0 ? err : 0;
}

static int empty_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		    struct ext2_dirent *prev)
{
	(void)ctx, (void)r, (void)o, (void)prev;
	if (!de->inode)
		return 0;
	if ((de->name_len == 1 && de->name[0] == '.') ||
	    (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	return 1;
}

static int dir_empty(struct e2inode *d)
{
	int r = dir_walk(d, NULL, empty_fn, NULL);
	return r == 1;	/* ran off the end: nothing but . and .. */
}

/* ---- inode_ops ---- */

static int e2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_fs *fs = FS(dir);
	fs_lock(fs);
	long ino = dir_find(E(dir), name, len);
	int err = ino < 0 ? (int)ino : ino == 0 ? -ENOENT : iget(fs, (uint32_t)ino, dir, out);
	fs_unlock(fs);
	return err;
}

struct rd { vfs_emit_fn emit; void *ctx; };

static int readdir_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		      struct ext2_dirent *prev)
{
	struct rd *x = ctx;
	(void)r, (void)o, (void)prev;
	if (!de->inode)
		return 0;
	static const uint8_t dt[8] = { DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK };
	return x->emit(x->ctx, de->name, de->name_len, de->inode, dt[de->file_type & 7]) ? 1 : 0;
}

static int e2_readdir(struct inode *dir, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	struct ext2_fs *fs = FS(dir);
	if (dir->nlink == 0)
		return -ENOENT;
	struct rd x = { emit, ctx };
	fs_lock(fs);
	int err = dir_walk(E(dir), pos, readdir_fn, &x);
	fs_unlock(fs);
	return err < 0 ? err : 0;
}

struct nm { uint32_t ino; char *buf; int len; };

static int name_fn(void *ctx, struct ext2_dirent *de, struct blk *r, uint32_t o,
		   struct ext2_dirent *prev)
{
	struct nm *x = ctx;
	(void)r, (void)o, (void)prev;
	if (de->inode != x->ino || (de->name_len <= 2 && de->name[0] == '.' &&
				     (de->name_len == 1 || de->name[1] == '.')))
		return 0;
	memcpy(x->buf, de->name, de->name_len);
	x->len = de->name_len;
	return 1;
}

static int e2_name(struct inode *ip, char *buf)
{
	struct ext2_fs *fs = FS(ip);
	struct nm x = { ip->ino, buf, -ENOENT };
	fs_lock(fs);
	int err = dir_walk(E(ip->parent), NULL, name_fn, &x);
	fs_unlock(fs);
	return err < 0 ? err : x.len;
}

/* Linux's checks for a new name in dir, before anything changes. */
static int name_ok(struct inode *dir, const char *name, size_t *len)
{
	*len = strnlen(name, NAME_MAX + 1);
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (*len == 0 || dir->nlink == 0)
		return -ENOENT;
	if (*len > NAME_MAX)
		return -ENAMETOOLONG;
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "/"))
		return -EEXIST;
	if (memchr(name, '/', *len))
		return -EINVAL;
	if (FS(dir)->readonly)
		return -EROFS;
	long ino = dir_find(E(dir), name, *len);
	return ino < 0 ? (int)ino : ino ? -EEXIST : 0;
}

/* A new inode of mode in dir (not yet named): referenced in *out. */
static int inode_new(struct e2inode *dir, uint32_t mode, uint32_t rdev, struct inode **out)
{
	struct ext2_fs *fs = dir->fs;
	uint32_t ino;
	int err = ialloc(fs, (dir->v.ino - 1) / fs->inodes_per_group, S_ISDIR(mode), &ino);
	if (err)
		return err;
	struct e2inode *e = kzalloc(sizeof *e);
	if (!e) {
		ifree(fs, ino, S_ISDIR(mode));
		return -ENOMEM;
	}
	e->fs = fs;
	e->v.ino = ino;
	e->v.mode = mode;
	e->v.nlink = 1;
	e->v.refs = 1;
	e->v.ops = &ext2_ops;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		e->v.rdev = rdev;
	now(&e->v.mtime);
	e->v.atime = e->v.ctime = e->v.mtime;
	e->generation = (uint32_t)e->v.mtime.nsec ^ ino;
	e->next = fs->inodes;
	fs->inodes = e;
	if (S_ISDIR(mode)) {
		e->v.parent = &dir->v;
		inode_get(&dir->v);
	}
	vfs_new_owner(&dir->v, &e->v);	/* the caller's fsuid/fsgid, or the set-group-ID dir's group */
	*out = &e->v;
	return iupdate(e);
}

/* "." and ".." in the first block of new directory e, under parent p. */
static int dir_init(struct e2inode *e, struct e2inode *p)
{
	struct ext2_fs *fs = e->fs;
	uint32_t pb;
	int err = bmap(e, 0, 1, &pb);
	if (err)
		return err;
	struct blk r;
	if ((err = blk_get(fs, pb, &r, 0)) != 0)
		return err;
	struct ext2_dirent *dot = (struct ext2_dirent *)r.p;
	*dot = (struct ext2_dirent){ e->v.ino, 12, 1, fs->filetype ? 2 : 0 };
	dot->name[0] = '.';
	struct ext2_dirent *dd = (struct ext2_dirent *)(r.p + 12);
	*dd = (struct ext2_dirent){ p->v.ino, (uint16_t)(fs->bsize - 12), 2, fs->filetype ? 2 : 0 };
	dd->name[0] = dd->name[1] = '.';
	blk_put(&r, 1);
	e->v.size = fs->bsize;
	e->v.nlink = 2;
	return 0;
}

static int e2_create(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
		     struct inode **out)
{
	struct ext2_fs *fs = FS(dir);
	size_t len;
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	fs_lock(fs);
	struct inode *ip = NULL;
	int err = name_ok(dir, name, &len);
	if (!err && S_ISDIR(mode) && dir->nlink >= VFS_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = inode_new(E(dir), mode & (S_IFMT | 07777), rdev, &ip);
	if (!err && S_ISDIR(mode))
		err = dir_init(E(ip), E(dir));
	if (!err)
		err = dir_add(E(dir), name, len, ip->ino, mode);
	if (err && ip) {
		ip->nlink = 0;	/* never named: freed by the put below */
	} else if (!err && S_ISDIR(mode)) {
		dir->nlink++;
	}
	if (ip && (err || !out))
		inode_put(ip);
	else if (ip)
		*out = ip;
	fs_unlock(fs);
	return err;
}

static int e2_unlink(struct inode *dir, const char *name, int rmdir)
{
	struct ext2_fs *fs = FS(dir);
	size_t len = strnlen(name, NAME_MAX + 1);
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (fs->readonly)
		return -EROFS;
	fs_lock(fs);
	struct inode *ip = NULL;
	long ino = dir_find(E(dir), name, len);
	int err = ino < 0 ? (int)ino : ino == 0 ? -ENOENT : iget(fs, (uint32_t)ino, dir, &ip);
	if (!err) {
		if (rmdir && !S_ISDIR(ip->mode))
			err = -ENOTDIR;
		else if (!rmdir && S_ISDIR(ip->mode))
			err = -EISDIR;
		else if (rmdir && (ip->mounted || ip == fs->root))
			err = -EBUSY;
		else if (rmdir && !dir_empty(E(ip)))
			err = -ENOTEMPTY;
	}
	if (!err)
		err = dir_del(E(dir), name, len);
	if (!err) {
		now(&ip->ctime);
		if (rmdir) {
			ip->nlink = 0;
			dir->nlink--;
		} else {
			ip->nlink--;
		}
	}
	if (ip)
		inode_put(ip);	/* the last reference frees an unlinked inode */
	fs_unlock(fs);
	return err;
}

static int e2_link(struct inode *target, struct inode *dir, const char *name)
{
	struct ext2_fs *fs = FS(dir);
	if (target->ops != &ext2_ops || FS(target) != fs)
		return -EXDEV;
	size_t len;
	fs_lock(fs);
	int err = name_ok(dir, name, &len);
	if (!err && target->nlink == 0)
		err = -ENOENT;
	if (!err && target->nlink >= VFS_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = dir_add(E(dir), name, len, target->ino, target->mode);
	if (!err) {
		target->nlink++;
		now(&target->ctime);
	}
	fs_unlock(fs);
	return err;
}

static int e2_symlink(struct inode *dir, const char *name, const char *target)
{
	struct ext2_fs *fs = FS(dir);
	size_t tlen = strlen(target);
	struct inode *ip;
	fs_lock(fs);
	int err = e2_create(dir, name, S_IFLNK | 0777, 0, &ip);
	if (!err) {
		struct e2inode *e = E(ip);
		if (tlen < FAST_SYMLINK_MAX) {
			memcpy(e->block, target, tlen);
			ip->size = tlen;
		} else if (e2_write_locked(e, 0, target, tlen) != (long)tlen) {
			err = -ENOSPC;
		}
		if (!err && (ip->data = kmalloc(tlen + 1)) != NULL) {
			memcpy(ip->data, target, tlen);
			ip->cap = tlen + 1;
		} else if (!err) {
			err = -ENOMEM;
		}
		inode_put(ip);
		if (err)
			e2_unlink(dir, name, 0);
	}
	fs_unlock(fs);
	return err;
}

static int in_subtree(struct inode *d, struct inode *top)
{
	for (;;) {
		if (d == top)
			return 1;
		if (!d->parent || d->parent == d || d->ops != &ext2_ops)
			return 0;
		d = d->parent;
	}
}

static int rename_locked(struct inode *od, const char *oname, struct inode *nd, const char *nname,
			 unsigned flags)
{
	struct ext2_fs *fs = FS(od);
	size_t olen = strnlen(oname, NAME_MAX + 1), nlen = strnlen(nname, NAME_MAX + 1);
	if (olen > NAME_MAX || nlen > NAME_MAX)
		return -ENAMETOOLONG;
	if (nlen == 0 || nd->nlink == 0)
		return -ENOENT;
	if (memchr(nname, '/', nlen))
		return -EINVAL;
	long oino = dir_find(E(od), oname, olen);
	if (oino <= 0)
		return oino ? (int)oino : -ENOENT;
	long vino = dir_find(E(nd), nname, nlen);
	if (vino < 0)
		return (int)vino;
	if (vino == oino)
		return 0;	/* the same inode: nothing happens */
	if (vino && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	struct inode *ip, *victim = NULL;
	int err = iget(fs, (uint32_t)oino, od, &ip);
	if (err)
		return err;
	if (vino && (err = iget(fs, (uint32_t)vino, nd, &victim)) != 0)
		goto out;
	if (S_ISDIR(ip->mode) && in_subtree(nd, ip))
		err = -EINVAL;
	else if (victim && S_ISDIR(ip->mode) && !S_ISDIR(victim->mode))
		err = -ENOTDIR;
	else if (victim && !S_ISDIR(ip->mode) && S_ISDIR(victim->mode))
		err = -EISDIR;
	else if (victim && S_ISDIR(victim->mode) && (victim->mounted || victim == fs->root))
		err = -EBUSY;
	else if (victim && S_ISDIR(victim->mode) && !dir_empty(E(victim)))
		err = -ENOTEMPTY;
	if (err)
		goto out;
	err = victim ? dir_set(E(nd), nname, ip->ino, ip->mode)
		     : dir_add(E(nd), nname, nlen, ip->ino, ip->mode);
	if (!err)
		err = dir_del(E(od), oname, olen);
	if (err)
		goto out;
	if (victim) {
		if (S_ISDIR(victim->mode)) {
			victim->nlink = 0;
			nd->nlink--;
		} else {
			victim->nlink--;
		}
		now(&victim->ctime);
	}
	if (S_ISDIR(ip->mode) && od != nd) {
		dir_set(E(ip), "..", nd->ino, S_IFDIR);
		od->nlink--;
		nd->nlink++;
		inode_get(nd);
		inode_put(ip->parent);
		ip->parent = nd;
	}
	now(&ip->ctime);
	dir_changed(E(nd));
out:
	if (victim)
		inode_put(victim);
	inode_put(ip);
	return err;
}

static int e2_rename(struct inode *od, const char *oname, struct inode *nd, const char *nname,
		     unsigned flags)
{
	if (nd->ops != &ext2_ops || FS(nd) != FS(od))
		return -EXDEV;
	if (FS(od)->readonly)
		return -EROFS;
	fs_lock(FS(od));
	int err = rename_locked(od, oname, nd, nname, flags);
	fs_unlock(FS(od));
	return err;
}

/* Last reference: write the inode back; an unlinked one is freed with its blocks. */
static void e2_release(struct inode *ip)
{
	struct e2inode *e = E(ip);
	struct ext2_fs *fs = e->fs;
	fs_lock(fs);
	if (ip->nlink == 0 && !fs->readonly) {
		if (!S_ISLNK(ip->mode) || e->blocks)
			trunc_blocks(e, 0);
		ip->size = 0;
		e->dtime = (uint32_t)ip->ctime.sec ? (uint32_t)ip->ctime.sec : 1;
		iupdate(e);
		ifree(fs, ip->ino, S_ISDIR(ip->mode));
	} else if (!fs->readonly) {
		iupdate(e);
	}
	struct inode *parent = S_ISDIR(ip->mode) && ip->parent != ip ? ip->parent : NULL;
	e2_free(e);
	if (parent)
		inode_put(parent);
	fs_unlock(fs);
}

static const struct inode_ops ext2_ops = {
	.lookup = e2_lookup, .readdir = e2_readdir, .name = e2_name, .release = e2_release,
	.create = e2_create, .unlink = e2_unlink, .link = e2_link, .symlink = e2_symlink,
	.rename = e2_rename, .read = e2_read, .write = e2_write, .truncate = e2_truncate,
};

/* ---- mount, sync ---- */

static int super_write(struct ext2_fs *fs, int clean)
{
	struct buf *b;
	int err = 0;
	if (!(b = bcache_read(fs->dev, 0, &err)))
		return err;
	struct ext2_super *sb = (struct ext2_super *)(b->data + 1024);
	sb->free_blocks_count = fs->free_blocks;
	sb->free_inodes_count = fs->free_inodes;
	int64_t s, ns;
	vfs_now(&s, &ns);
	sb->wtime = (uint32_t)s;
	sb->state = clean ? EXT2_VALID_FS : 0;
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

static int sync_locked(struct ext2_fs *fs)
{
	if (fs->readonly)
		return 0;
	for (struct e2inode *e = fs->inodes; e; e = e->next)
		iupdate(e);
	super_write(fs, 1);
	return bcache_sync(fs->dev);
}

int ext2_sync(struct inode *any)
{
	struct ext2_fs *fs = FS(any);
	fs_lock(fs);
	int err = sync_locked(fs);
	fs_unlock(fs);
	return err;
}

int ext2_is_ext2(struct inode *ip)
{
	return ip && ip->ops == &ext2_ops;
}

struct blkdev *ext2_dev(struct inode *ip)
{
	return FS(ip)->dev;
}

void ext2_statfs(struct inode *ip, struct ext2_statfs *st)
{
	struct ext2_fs *fs = FS(ip);
	*st = (struct ext2_statfs){ fs->bsize, fs->blocks_count, fs->free_blocks,
				    fs->free_blocks, fs->inodes_count, fs->free_inodes };
}

static int super_check(struct ext2_fs *fs, const struct ext2_super *sb)
{
	if (sb->magic != EXT2_MAGIC)
		return -EINVAL;
	if (sb->log_block_size > 2 || !sb->blocks_per_group || !sb->inodes_per_group ||
	    sb->blocks_per_group > 8 * (1024u << sb->log_block_size) ||
	    sb->inodes_per_group > 8 * (1024u << sb->log_block_size) ||
	    sb->first_data_block >= sb->blocks_count ||
	    (uint64_t)sb->blocks_count * (1024u << sb->log_block_size) >
		    fs->dev->nsectors * SECTOR_SIZE)
		return corrupt(fs, "superblock, blocks", sb->blocks_count);
	if (sb->rev_level >= 1 && ((sb->inode_size & (sb->inode_size - 1)) || sb->inode_size < 128 ||
				   sb->inode_size > (1024u << sb->log_block_size)))
		return corrupt(fs, "superblock, inode size", sb->inode_size);
	if (sb->rev_level >= 1 && (sb->feature_incompat & INCOMPAT_RECOVER)) {
		pr_warn("ext2 %s: the journal needs replaying: not mounted\n", fs->dev->name);
		return -EOPNOTSUPP;
	}
	if (sb->rev_level >= 1 && (sb->feature_incompat & ~(INCOMPAT_SUPPORTED | INCOMPAT_READ_ONLY))) {
		pr_warn("ext2 %s: unsupported features %#x (a journal or extents: ext3/ext4?)\n",
			fs->dev->name, sb->feature_incompat & ~(INCOMPAT_SUPPORTED | INCOMPAT_READ_ONLY));
		return -EOPNOTSUPP;
	}
	return 0;
}

static int super_read(struct ext2_fs *fs)
{
	struct buf *b;
	int err = 0;
	if (!(b = bcache_read(fs->dev, 0, &err)))
		return err;
	struct ext2_super sb = *(struct ext2_super *)(b->data + 1024);
	uint16_t desc_size = *(uint16_t *)(b->data + 1024 + 0xfe);	/* s_desc_size (64bit) */
	bcache_put(b);
	fs->bsize = 1024u << (sb.log_block_size <= 2 ? sb.log_block_size : 0);
	if ((err = super_check(fs, &sb)) != 0)
		return err;
	fs->apb = fs->bsize / 4;
	fs->blocks_count = sb.blocks_count;
	fs->inodes_count = sb.inodes_count;
	fs->first_data_block = sb.first_data_block;
	fs->blocks_per_group = sb.blocks_per_group;
	fs->inodes_per_group = sb.inodes_per_group;
	fs->first_ino = sb.rev_level >= 1 ? sb.first_ino : 11;
	fs->inode_size = sb.rev_level >= 1 ? sb.inode_size : 128;
	fs->free_blocks = sb.free_blocks_count;
	fs->free_inodes = sb.free_inodes_count;
	fs->ngroups = (sb.blocks_count - sb.first_data_block + sb.blocks_per_group - 1) /
		      sb.blocks_per_group;
	fs->gd_block = sb.first_data_block + 1;
	fs->filetype = sb.rev_level >= 1 && (sb.feature_incompat & INCOMPAT_FILETYPE);
	fs->desc_size = 32;
	if (sb.rev_level >= 1 && (sb.feature_incompat & INCOMPAT_64BIT)) {
		if (desc_size < 32 || desc_size > 1024 || (desc_size & (desc_size - 1)))
			return corrupt(fs, "superblock, group descriptor size", desc_size);
		fs->desc_size = desc_size;
	}
	if (sb.rev_level >= 1 && (sb.feature_incompat & INCOMPAT_READ_ONLY) && !fs->readonly) {
		pr_warn("ext2 %s: ext4 features %#x: mounting read-only\n", fs->dev->name,
			sb.feature_incompat & INCOMPAT_READ_ONLY);
		fs->readonly = 1;
	}
	if ((uint64_t)fs->ngroups * fs->inodes_per_group < fs->inodes_count ||
	    fs->free_blocks > fs->blocks_count || fs->free_inodes > fs->inodes_count)
		return corrupt(fs, "superblock, inodes", fs->inodes_count);
	if (sb.rev_level >= 1 && (sb.feature_ro_compat & ~RO_COMPAT_SUPPORTED) && !fs->readonly) {
		pr_warn("ext2 %s: read-only features %#x: mounting read-only\n", fs->dev->name,
			sb.feature_ro_compat & ~RO_COMPAT_SUPPORTED);
		fs->readonly = 1;
	}
	return 0;
}

/* Every group descriptor points inside its filesystem. */
static int groups_check(struct ext2_fs *fs)
{
	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct blk r;
		struct ext2_gd *gd;
		int err = gd_get(fs, g, &r, &gd);
		if (err)
			return err;
		uint32_t itb = (fs->inodes_per_group * fs->inode_size + fs->bsize - 1) / fs->bsize;
		int bad = !blk_ok(fs, gd->block_bitmap) || !blk_ok(fs, gd->inode_bitmap) ||
			  !blk_ok(fs, gd->inode_table) || gd->inode_table + itb > fs->blocks_count;
		blk_put(&r, 0);
		if (bad)
			return corrupt(fs, "group descriptor", g);
	}
	return 0;
}

int ext2_mount(struct blkdev *d, int readonly, struct inode **root)
{
	struct ext2_fs *fs = kzalloc(sizeof *fs);
	if (!fs)
		return -ENOMEM;
	fs->dev = d;
	fs->readonly = readonly || d->readonly;
	waitq_init(&fs->lockq);
	fs_lock(fs);
	int err = super_read(fs);
	if (!err)
		err = groups_check(fs);
	if (!err)
		err = iget(fs, EXT2_ROOT_INO, NULL, &fs->root);
	if (!err && !S_ISDIR(fs->root->mode)) {
		inode_put(fs->root);
		err = corrupt(fs, "root inode is not a directory, mode", fs->root->mode);
	}
	if (!err && !fs->readonly)
		err = super_write(fs, 0);	/* not clean while mounted */
	fs_unlock(fs);
	if (err) {
		kfree(fs);
		return err;
	}
	pr_info("ext2 %s: %u blocks of %u bytes, %u inodes, %u groups%s\n", d->name,
		fs->blocks_count, fs->bsize, fs->inodes_count, fs->ngroups,
		fs->readonly ? ", read-only" : "");
	*root = fs->root;
	return 0;
}

int ext2_umount(struct inode *root)
{
	struct ext2_fs *fs = FS(root);
	fs_lock(fs);
	for (struct e2inode *e = fs->inodes; e; e = e->next)
		if (&e->v != root ? e->v.refs > 0 : e->v.refs > 1) {
			fs_unlock(fs);
			return -EBUSY;
		}
	int err = 0;
	if (!fs->readonly) {
		iupdate(E(root));
		super_write(fs, 1);
		err = bcache_sync(fs->dev);
	}
	if (root->parent && root->parent != root)
		inode_put(root->parent);
	e2_free(E(root));
	for (unsigned i = 0; i < DX_STASH; i++)
		dx_free(fs->dx_stash[i].dx);
	fs_unlock(fs);
	bcache_invalidate(fs->dev);
	kfree(fs);
	return err;
}
