/*
 * ramfs: the root filesystem, all in memory, and the path walk over it.
 * See kernel/fs/vfs.h for the contract (no locking: one caller at a time).
 *
 * Directories are a list of dentries in creation order, each with a readdir
 * cookie that never changes, so getdents resumes correctly across unlinks.
 * File data is one contiguous buffer: kzalloc'd up to KMALLOC_MAX, pages
 * beyond, doubling as it grows; initramfs files borrow the image instead.
 */
#include <string.h>
#include "kernel/fs/vfs.h"
#include "kernel/fs/filemap.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"
#include "kernel/fs/pagecache.h"

struct dentry {
	struct dentry *next;
	struct inode *ip;
	uint64_t pos;		/* readdir cookie, >= 2 */
	uint8_t len;		/* name is not NUL-terminated */
	char name[];
};

static struct inode *root;
static uint32_t next_ino = 1;

/* Fallback clock (all zero) so the kernel links before it provides one. */
__attribute__((weak)) void vfs_now(int64_t *sec, int64_t *nsec)
{
	*sec = 0;
	*nsec = 0;
}

/* No shared file mappings (kernel/fs/filemap.c) in a build without them. */
__attribute__((weak)) void filemap_overlay(struct inode *ip, uint64_t off, void *buf, uint64_t n)
{
	(void)ip; (void)off; (void)buf; (void)n;
}
__attribute__((weak)) void filemap_absorb(struct inode *ip, uint64_t off, const void *buf, uint64_t n)
{
	(void)ip; (void)off; (void)buf; (void)n;
}
__attribute__((weak)) void filemap_truncated(struct inode *ip, uint64_t size)
{
	(void)ip; (void)size;
}

/* No page cache (kernel/fs/pagecache.c) in a build without one: nothing to drop. */
__attribute__((weak)) void pcache_drop(struct inode *ip)
{
	(void)ip;
}

/* Fallback access hooks (vfs.h): the kernel's are in kernel/perm.c. */
__attribute__((weak)) int vfs_may_search(struct inode *dir)
{
	(void)dir;
	return 0;
}

__attribute__((weak)) void vfs_new_owner(struct inode *dir, struct inode *ip)
{
	(void)dir;
	(void)ip;
}

static void touch(struct vfs_time *t)
{
	vfs_now(&t->sec, &t->nsec);
}

/* A directory changed: its mtime and ctime move. */
static void dir_changed(struct inode *dir)
{
	touch(&dir->mtime);
	dir->ctime = dir->mtime;
}

/* ---- data buffers ---- */

static void *buf_alloc(uint64_t cap)
{
	return cap <= KMALLOC_MAX ? kzalloc(cap) : page_alloc_n(cap / PGSIZE);
}

static void buf_free(void *p, uint64_t cap)
{
	if (!cap)
		return;		/* borrowed or none */
	if (cap <= KMALLOC_MAX)
		kfree(p);
	else
		page_free_n(p, cap / PGSIZE);
}

/* Round a wanted capacity to what buf_alloc hands out. */
static uint64_t buf_round(uint64_t n)
{
	if (n > KMALLOC_MAX)
		return (n + PGSIZE - 1) & ~(PGSIZE - 1);
	uint64_t c = 64;
	while (c < n)
		c <<= 1;
	return c;
}

/*
 * Make ip own a buffer of at least need bytes holding its current contents.
 * Tries doubling first, then exactly need.  -ENOSPC if memory is short.
 */
static int data_reserve(struct inode *ip, uint64_t need)
{
	if (ip->cap >= need && ip->cap)
		return 0;
	uint64_t want = buf_round(need);
	uint64_t dbl = ip->cap * 2;
	uint8_t *nd = NULL;
	if (dbl > want && dbl <= VFS_FILE_MAX && (nd = buf_alloc(buf_round(dbl))))
		want = buf_round(dbl);
	if (!nd && !(nd = buf_alloc(want)))
		return -ENOSPC;
	if (ip->size)
		memcpy(nd, ip->data, ip->size);
	buf_free(ip->data, ip->cap);
	ip->data = nd;
	ip->cap = want;
	return 0;
}

static void data_drop(struct inode *ip)
{
	buf_free(ip->data, ip->cap);
	ip->data = NULL;
	ip->cap = 0;
}

/* ---- inodes ---- */

static struct inode *inode_alloc(uint32_t mode)
{
	struct inode *ip = kzalloc(sizeof *ip);
	if (!ip)
		return NULL;
	ip->ino = next_ino++;
	ip->mode = mode;
	ip->next_pos = 2;
	touch(&ip->mtime);
	ip->atime = ip->ctime = ip->mtime;
	return ip;
}

static void inode_free(struct inode *ip)
{
	if (S_ISDIR(ip->mode)) {
		/* a removed directory is empty; its parent may go with it */
		if (ip->parent && ip->parent != ip)
			inode_put(ip->parent);
	} else {
		pcache_drop(ip);
		data_drop(ip);
	}
	kfree(ip);
}

void inode_get(struct inode *ip)
{
	ip->refs++;
}

void inode_put(struct inode *ip)
{
	if (--ip->refs == 0 && ip->ops && ip->ops->release) {
		pcache_drop(ip);	/* its filesystem may free or reuse it */
		ip->ops->release(ip);	/* a synthetic inode: its filesystem frees it */
	}
	else if (ip->refs == 0 && ip->nlink == 0)
		inode_free(ip);
}

/* Drop one link (the entry is already gone). */
static void inode_unlinked(struct inode *ip)
{
	touch(&ip->ctime);
	if (S_ISDIR(ip->mode))
		ip->nlink = 0;	/* its "." goes too */
	else
		ip->nlink--;
	if (ip->nlink == 0 && ip->refs == 0)
		inode_free(ip);
}

void vfs_init(void)
{
	root = inode_alloc(S_IFDIR | 0755);
	root->nlink = 2;
	root->parent = root;
	root->refs = 1;		/* never freed */
}

struct inode *vfs_root(void)
{
	return root->mounted ? root->mounted : root;	/* root=: a disk filesystem on top */
}

/* ---- directories ---- */

static int is_dot(const char *n, size_t len)
{
	return (len == 1 && n[0] == '.') || (len == 2 && n[0] == '.' && n[1] == '.');
}

/* "." ".." "/": the markers vfs_lookup_parent leaves for a path with no plain last name. */
static int is_marker(const char *name)
{
	return is_dot(name, strlen(name)) || !strcmp(name, "/");
}

static struct dentry *dir_find(struct inode *dir, const char *name, size_t len, struct dentry **prev)
{
	struct dentry *p = NULL;
	for (struct dentry *d = dir->ents; d; p = d, d = d->next) {
		if (d->len == len && !memcmp(d->name, name, len)) {
			if (prev)
				*prev = p;
			return d;
		}
	}
	return NULL;
}

static struct dentry *dentry_alloc(const char *name, struct inode *ip)
{
	size_t len = strlen(name);
	struct dentry *d = kmalloc(sizeof *d + len);
	if (!d)
		return NULL;
	d->next = NULL;
	d->ip = ip;
	d->len = (uint8_t)len;
	memcpy(d->name, name, len);
	return d;
}

/* Append d to dir with a fresh cookie. */
static void dir_add(struct inode *dir, struct dentry *d)
{
	d->pos = dir->next_pos++;
	d->next = NULL;
	if (dir->ents_tail)
		dir->ents_tail->next = d;
	else
		dir->ents = d;
	dir->ents_tail = d;
	dir_changed(dir);
}

static void dir_remove(struct inode *dir, struct dentry *d, struct dentry *prev)
{
	if (prev)
		prev->next = d->next;
	else
		dir->ents = d->next;
	if (dir->ents_tail == d)
		dir->ents_tail = prev;
	dir_changed(dir);
}

/* Check a name for a new entry in dir. */
static int name_ok(struct inode *dir, const char *name)
{
	size_t len = strnlen(name, NAME_MAX + 1);
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->ops)
		return -EACCES;	/* a synthetic directory: its filesystem owns the names */
	if (len == 0)
		return -ENOENT;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (is_marker(name))
		return -EEXIST;
	if (memchr(name, '/', len))
		return -EINVAL;
	if (dir->nlink == 0)
		return -ENOENT;	/* dir was removed */
	if (dir_find(dir, name, len, NULL))
		return -EEXIST;
	return 0;
}

/* Enter ip into dir under name (already checked); directories link to their parent. */
static int dir_link(struct inode *dir, const char *name, struct inode *ip)
{
	if (S_ISDIR(ip->mode) && dir->nlink >= VFS_LINK_MAX)
		return -EMLINK;
	struct dentry *d = dentry_alloc(name, ip);
	if (!d)
		return -ENOMEM;
	dir_add(dir, d);
	if (S_ISDIR(ip->mode)) {
		ip->nlink = 2;
		ip->parent = dir;
		inode_get(dir);
		dir->nlink++;
	} else {
		ip->nlink++;
	}
	return 0;
}

static int dir_empty(struct inode *dir)
{
	return dir->ents == NULL;
}

int vfs_create(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
	       struct inode **out)
{
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	if (dir->ops && dir->ops->create)
		return dir->ops->create(dir, name, mode, rdev, out);	/* a disk filesystem */
	int err = name_ok(dir, name);
	if (err)
		return err;
	struct inode *ip = inode_alloc(mode & (S_IFMT | 07777));
	if (!ip)
		return -ENOMEM;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		ip->rdev = rdev;
	vfs_new_owner(dir, ip);
	err = dir_link(dir, name, ip);
	if (err) {
		kfree(ip);
		return err;
	}
	if (out) {
		inode_get(ip);
		*out = ip;
	}
	return 0;
}

int vfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	return vfs_create(dir, name, S_IFDIR | (mode & 07777), 0, NULL);
}

int vfs_unlink(struct inode *dir, const char *name)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->ops && dir->ops->unlink)
		return dir->ops->unlink(dir, name, 0);
	if (is_marker(name))
		return -EISDIR;
	struct dentry *prev, *d = dir_find(dir, name, strnlen(name, NAME_MAX + 1), &prev);
	if (!d)
		return -ENOENT;
	if (S_ISDIR(d->ip->mode))
		return -EISDIR;
	dir_remove(dir, d, prev);
	inode_unlinked(d->ip);
	kfree(d);
	return 0;
}

int vfs_rmdir(struct inode *dir, const char *name)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (!strcmp(name, "."))
		return -EINVAL;
	if (!strcmp(name, ".."))
		return -ENOTEMPTY;
	if (!strcmp(name, "/"))
		return -EBUSY;
	if (dir->ops && dir->ops->unlink)
		return dir->ops->unlink(dir, name, 1);
	struct dentry *prev, *d = dir_find(dir, name, strnlen(name, NAME_MAX + 1), &prev);
	if (!d)
		return -ENOENT;
	struct inode *ip = d->ip;
	if (!S_ISDIR(ip->mode))
		return -ENOTDIR;
	if (ip->mounted)
		return -EBUSY;
	if (!dir_empty(ip))
		return -ENOTEMPTY;
	dir_remove(dir, d, prev);
	kfree(d);
	dir->nlink--;
	inode_unlinked(ip);
	return 0;
}

int vfs_link(struct inode *target, struct inode *dir, const char *name)
{
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (dir->ops && dir->ops->link)
		return dir->ops->link(target, dir, name);
	if (target->ops && target->ops->link)
		return -EXDEV;	/* a disk file into ramfs */
	int err = name_ok(dir, name);
	if (err)
		return err;
	if (target->nlink == 0)
		return -ENOENT;	/* Linux: no resurrecting an unlinked file */
	if (target->nlink >= VFS_LINK_MAX)
		return -EMLINK;
	err = dir_link(dir, name, target);
	if (!err)
		touch(&target->ctime);
	return err;
}

int vfs_symlink(struct inode *dir, const char *name, const char *target)
{
	size_t tlen = strnlen(target, PATH_MAX);
	if (tlen == 0)
		return -ENOENT;
	if (tlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (dir->ops && dir->ops->symlink)
		return dir->ops->symlink(dir, name, target);
	struct inode *ip;
	int err = vfs_create(dir, name, S_IFLNK | 0777, 0, &ip);
	if (err)
		return err;
	if (data_reserve(ip, tlen)) {
		inode_put(ip);
		vfs_unlink(dir, name);
		return -ENOSPC;
	}
	memcpy(ip->data, target, tlen);
	ip->size = tlen;
	inode_put(ip);
	return 0;
}

int vfs_readlink(struct inode *ip, char *buf, size_t n)
{
	if (!S_ISLNK(ip->mode))
		return -EINVAL;
	size_t c = ip->size < n ? ip->size : n;
	memcpy(buf, ip->data, c);
	return (int)c;
}

/* Is dir inside the subtree rooted at top (or top itself)? */
static int in_subtree(struct inode *dir, struct inode *top)
{
	for (;;) {
		if (dir == top)
			return 1;
		if (dir == dir->parent || !dir->parent)
			return 0;
		dir = dir->parent;
	}
}

/* Linux's order of rename checks, before anything changes. */
static int rename_check(struct inode *newdir, struct inode *old, struct inode *victim)
{
	if (S_ISDIR(old->mode) && in_subtree(newdir, old))
		return -EINVAL;
	if (!victim)
		return 0;
	if (S_ISDIR(old->mode) && !S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (!S_ISDIR(old->mode) && S_ISDIR(victim->mode))
		return -EISDIR;
	if (S_ISDIR(victim->mode) && (victim->mounted || victim == root))
		return -EBUSY;
	if (S_ISDIR(victim->mode) && !dir_empty(victim))
		return -ENOTEMPTY;
	return 0;
}

int vfs_rename(struct inode *olddir, const char *oldname, struct inode *newdir,
	       const char *newname, unsigned flags)
{
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if (!S_ISDIR(olddir->mode) || !S_ISDIR(newdir->mode))
		return -ENOTDIR;
	if (olddir->ops && olddir->ops->rename && !is_marker(oldname) && !is_marker(newname))
		return olddir->ops->rename(olddir, oldname, newdir, newname, flags);
	if (olddir->ops || newdir->ops)
		return -EXDEV;	/* into or out of a synthetic filesystem */
	if (is_marker(oldname) || is_marker(newname))
		return -EBUSY;
	size_t nlen = strnlen(newname, NAME_MAX + 1);
	if (nlen > NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(newname, '/', nlen))
		return -EINVAL;
	struct dentry *oprev, *od = dir_find(olddir, oldname, strnlen(oldname, NAME_MAX + 1), &oprev);
	if (!od)
		return -ENOENT;
	if (nlen == 0 || newdir->nlink == 0)
		return -ENOENT;
	struct dentry *vprev, *vd = dir_find(newdir, newname, nlen, &vprev);
	struct inode *old = od->ip, *victim = vd ? vd->ip : NULL;
	if (victim && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (victim == old)
		return 0;	/* same file: POSIX says do nothing */
	int err = rename_check(newdir, old, victim);
	if (err)
		return err;
	int isdir = S_ISDIR(old->mode);
	if (isdir && !victim && newdir != olddir && newdir->nlink >= VFS_LINK_MAX)
		return -EMLINK;
	/* allocate first so nothing below can fail */
	struct dentry *nd = dentry_alloc(newname, old);
	if (!nd)
		return -ENOMEM;
	if (victim) {
		dir_remove(newdir, vd, vprev);
		kfree(vd);
		if (S_ISDIR(victim->mode))
			newdir->nlink--;
		inode_unlinked(victim);
		/* the victim's entry may have preceded od in the same list */
		dir_find(olddir, oldname, strlen(oldname), &oprev);
	}
	dir_remove(olddir, od, oprev);
	kfree(od);
	dir_add(newdir, nd);
	touch(&old->ctime);
	if (isdir && olddir != newdir) {
		olddir->nlink--;
		newdir->nlink++;
		inode_get(newdir);
		old->parent = newdir;
		inode_put(olddir);
	}
	return 0;
}

int vfs_readdir(struct inode *dir, uint64_t *pos,
		int (*emit)(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned dtype),
		void *ctx)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->ops)
		return dir->ops->readdir(dir, pos, emit, ctx);
	if (dir->nlink == 0)
		return -ENOENT;
	if (*pos == 0) {
		if (emit(ctx, ".", 1, dir->ino, DT_DIR))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		if (emit(ctx, "..", 2, dir->parent->ino, DT_DIR))
			return 0;
		*pos = 2;
	}
	for (struct dentry *d = dir->ents; d; d = d->next) {
		if (d->pos < *pos)
			continue;
		if (emit(ctx, d->name, d->len, d->ip->ino, (d->ip->mode >> 12) & 15))
			return 0;
		*pos = d->pos + 1;
	}
	*pos = dir->next_pos;	/* past the end: stays there */
	return 0;
}

struct inode *vfs_parent_of(struct inode *dir)
{
	struct inode *p = dir->parent ? dir->parent : dir;
	inode_get(p);
	return p;
}

/* The entry naming ip in its parent: ip itself, or a mount point ip is mounted on. */
static struct dentry *dir_entry_of(struct inode *dir, struct inode *ip)
{
	for (struct dentry *d = dir->ents; d; d = d->next)
		if (d->ip == ip || d->ip->mounted == ip)
			return d;
	return NULL;
}

/* ip's name in its parent; a synthetic parent has no dentries, so its filesystem says. */
static int entry_name(struct inode *ip, char *buf, const char **name, size_t *len)
{
	if (ip->parent->ops) {
		int n = ip->ops && ip->ops->name ? ip->ops->name(ip, buf) : -ENOENT;
		*name = buf;
		*len = n < 0 ? 0 : (size_t)n;
		return n < 0 ? n : 0;
	}
	struct dentry *d = dir_entry_of(ip->parent, ip);
	if (!d)
		return -ENOENT;
	*name = d->name;
	*len = d->len;
	return 0;
}

int vfs_getcwd(struct inode *cwd, char *buf, size_t n)
{
	if (!cwd)
		cwd = vfs_root();
	if (!S_ISDIR(cwd->mode))
		return -ENOTDIR;
	if (cwd->nlink == 0)
		return -ENOENT;
	if (n < 2)
		return -ERANGE;
	/* build right to left at the end of buf, then slide it down */
	size_t at = n - 1;
	buf[at] = 0;
	for (struct inode *ip = cwd; ip != vfs_root(); ip = ip->parent) {
		char nbuf[NAME_MAX + 1];
		const char *name;
		size_t len;
		int err = entry_name(ip, nbuf, &name, &len);
		if (err)
			return err;
		if (at < len + 1)
			return -ERANGE;
		at -= len;
		memcpy(buf + at, name, len);
		buf[--at] = '/';
	}
	if (at == n - 1)
		buf[--at] = '/';
	size_t len = n - 1 - at;
	memmove(buf, buf + at, len + 1);
	return (int)len;
}

/* ---- file data ---- */

/*
 * read() and write() see what shared mappings hold: the file's pages there
 * are the newest bytes until msync, munmap or exit writes them back
 * (kernel/fs/filemap.c); the _file variants reach the bytes beneath.
 */
long inode_read(struct inode *ip, uint64_t off, void *buf, size_t n)
{
	long r = inode_read_file(ip, off, buf, n);
	if (r > 0 && ip->fshared)
		filemap_overlay(ip, off, buf, (uint64_t)r);
	return r;
}

long inode_write(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
	long r = inode_write_file(ip, off, buf, n);
	if (r > 0 && ip->fshared)
		filemap_absorb(ip, off, buf, (uint64_t)r);
	return r;
}

long inode_read_file(struct inode *ip, uint64_t off, void *buf, size_t n)
{
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (!S_ISREG(ip->mode) && !S_ISLNK(ip->mode))
		return -EINVAL;
	if (ip->ops && ip->ops->read)
		return ip->ops->read(ip, off, buf, n);
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;
	memcpy(buf, ip->data + off, n);
	return (long)n;
}

/*
 * Grow or shrink ip to size bytes, new bytes zero.  Borrowed data is copied
 * only when it must grow: a shrink just shortens the borrowed view.
 */
static int data_resize(struct inode *ip, uint64_t size)
{
	if (size > VFS_FILE_MAX)
		return -EFBIG;
	pcache_drop(ip);	/* every change to a file's bytes drops its cache */
	if (size > ip->size) {
		int err = data_reserve(ip, size);
		if (err)
			return err;
		memset(ip->data + ip->size, 0, size - ip->size);
	}
	ip->size = size;
	if (size == 0)
		data_drop(ip);
	return 0;
}

long inode_write_file(struct inode *ip, uint64_t off, const void *buf, size_t n)
{
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (!S_ISREG(ip->mode))
		return -EINVAL;
	if (n == 0)
		return 0;
	if (off >= VFS_FILE_MAX || n > VFS_FILE_MAX - off)
		return -EFBIG;
	pcache_drop(ip);	/* every change to a file's bytes drops its cache */
	if (ip->ops && ip->ops->write)
		return ip->ops->write(ip, off, buf, n);
	uint64_t end = off + n;
	if (data_reserve(ip, end > ip->size ? end : ip->size)) {
		/* short of memory: fill what the current (owned) buffer holds */
		if (!ip->cap || off >= ip->cap)
			return -ENOSPC;
		end = ip->cap;
		n = end - off;
	}
	if (off > ip->size)
		memset(ip->data + ip->size, 0, off - ip->size);
	memcpy(ip->data + off, buf, n);
	if (end > ip->size)
		ip->size = end;
	touch(&ip->mtime);
	ip->ctime = ip->mtime;
	return (long)n;
}

int inode_truncate(struct inode *ip, uint64_t size)
{
	if (S_ISDIR(ip->mode))
		return -EISDIR;
	if (!S_ISREG(ip->mode))
		return -EINVAL;
	pcache_drop(ip);
	if (ip->fshared)
		filemap_truncated(ip, size);	/* mapped bytes past the new end read 0 */
	if (ip->ops && ip->ops->truncate)
		return ip->ops->truncate(ip, size);
	int err = data_resize(ip, size);
	if (err)
		return err;
	touch(&ip->mtime);
	ip->ctime = ip->mtime;
	return 0;
}

int inode_set_borrowed(struct inode *ip, const void *data, uint64_t len)
{
	if (!S_ISREG(ip->mode) && !S_ISLNK(ip->mode))
		return -EINVAL;
	pcache_drop(ip);
	data_drop(ip);
	ip->data = (uint8_t *)data;	/* never written through: cap == 0 */
	ip->size = len;
	if (len == 0)
		ip->data = NULL;
	return 0;
}

/* ---- path walk ---- */

struct walk {
	struct inode *cur;	/* referenced */
	const char *p;		/* rest of the path */
	char *buf;		/* spliced path once a symlink was followed (2 pages) */
	int links;
};

#define WALK_BUF_PAGES 2	/* target (< PATH_MAX) + rest (< PATH_MAX) */

static void walk_set(struct walk *w, struct inode *ip)
{
	inode_get(ip);
	inode_put(w->cur);
	w->cur = ip;
}

/* Replace the walked part of the path by the symlink's target: buf = target + rest. */
static int walk_splice(struct walk *w, struct inode *link)
{
	if (++w->links > SYMLOOP_MAX)
		return -ELOOP;
	if (link->size == 0)
		return -ENOENT;
	size_t tlen = link->size, rlen = strlen(w->p);
	if (tlen + rlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!w->buf && !(w->buf = page_alloc_n(WALK_BUF_PAGES)))
		return -ENOMEM;
	memmove(w->buf + tlen, w->p, rlen + 1);	/* rest may already be in buf */
	memcpy(w->buf, link->data, tlen);
	w->p = w->buf;
	if (w->buf[0] == '/')
		walk_set(w, vfs_root());
	return 0;
}

/*
 * "name/" as the last component of a create/remove path: an existing
 * non-directory is -ENOTDIR (Linux's unlink/rmdir/rename).  Symlinks are
 * left to the caller.
 */
static int trailing_slash_ok(struct inode *dir, const char *name, size_t len)
{
	struct dentry *d = dir_find(dir, name, len, NULL);
	if (d && !S_ISDIR(d->ip->mode) && !S_ISLNK(d->ip->mode))
		return -ENOTDIR;
	return 0;
}

/* Split the next component off w->p; 0 when the path is used up. */
static size_t walk_next(struct walk *w, const char **name, int *is_last, int *slash)
{
	while (*w->p == '/')
		w->p++;
	*name = w->p;
	while (*w->p && *w->p != '/')
		w->p++;
	const char *q = w->p;
	while (*q == '/')
		q++;
	*is_last = !*q;
	*slash = q != w->p;
	return w->p - *name;
}

/*
 * One step inside a synthetic filesystem: its lookup hands back a
 * referenced inode; a symlink's target is copied out before it is dropped.
 */
static int walk_synthetic(struct walk *w, const char *name, size_t len, int follow_link)
{
	struct inode *ip;
	int err = w->cur->ops->lookup(w->cur, name, len, &ip);
	if (err)
		return err;
	while (ip->mounted) {	/* a mount point inside a disk filesystem */
		struct inode *top = ip->mounted;
		inode_get(top);
		inode_put(ip);
		ip = top;
	}
	if (S_ISLNK(ip->mode) && follow_link)
		err = walk_splice(w, ip);
	else
		walk_set(w, ip);
	inode_put(ip);
	return err;
}

/*
 * Take one component.  Returns 0 to go on, 1 when parent mode (last != NULL)
 * has reached the last component and copied it, or -errno.
 */
static int walk_step(struct walk *w, const char *name, size_t len, int is_last, int slash,
		     int follow, char *last)
{
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (!S_ISDIR(w->cur->mode))
		return -ENOTDIR;
	int err = vfs_may_search(w->cur);
	if (err)
		return err;
	if (is_last && last) {
		memcpy(last, name, len);
		last[len] = 0;
		return slash ? trailing_slash_ok(w->cur, name, len) : 0;
	}
	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		walk_set(w, w->cur->parent);
		return 0;
	}
	if (w->cur->ops)
		return walk_synthetic(w, name, len, !is_last || slash || follow);
	struct dentry *d = dir_find(w->cur, name, len, NULL);
	if (!d)
		return -ENOENT;
	struct inode *ip = d->ip;
	while (ip->mounted)
		ip = ip->mounted;
	if (S_ISLNK(ip->mode) && (!is_last || slash || follow))
		return walk_splice(w, ip);
	walk_set(w, ip);
	return 0;
}

/*
 * The path walk.  With last == NULL resolve everything (follow: the last
 * symlink too); else stop before the last component and copy it to last.
 */
static int walk(struct inode *cwd, const char *path, int follow, struct inode **out, char *last)
{
	size_t plen = strnlen(path, PATH_MAX);
	if (plen == 0)
		return -ENOENT;
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	struct walk w = { path[0] == '/' || !cwd ? vfs_root() : cwd, path, NULL, 0 };
	inode_get(w.cur);
	const char *name;
	int err = 0, is_last, slash, trail = 0, done = 0;
	size_t len;
	while (!err && !done && (len = walk_next(&w, &name, &is_last, &slash))) {
		err = walk_step(&w, name, len, is_last, slash, follow, last);
		done = last && is_last;	/* parent mode stops at the last name */
		trail = slash;
	}
	if (!err && last && !done)
		strcpy(last, "/");	/* only slashes: the root itself */
	if (!err && !last && trail && !S_ISDIR(w.cur->mode))
		err = -ENOTDIR;	/* "file/" */
	if (w.buf)
		page_free_n(w.buf, WALK_BUF_PAGES);
	if (err) {
		inode_put(w.cur);
		return err;
	}
	*out = w.cur;
	return 0;
}

int vfs_lookup(struct inode *cwd, const char *path, int follow_last, struct inode **out)
{
	return walk(cwd, path, follow_last, out, NULL);
}

int vfs_lookup_parent(struct inode *cwd, const char *path, struct inode **dir, char *last)
{
	return walk(cwd, path, 0, dir, last);
}
