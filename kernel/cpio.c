/*
 * cpio newc/crc unpacker for the initramfs (see kernel/cpio.h).
 *
 * Layout of one entry: a 110-byte ASCII header ("070701" then 13 fields of
 * 8 hex digits), the NUL-terminated name, padding to 4 bytes, the data,
 * padding to 4 bytes.  Every offset is checked against the image length
 * before it is used: the image comes from the boot loader, not from us.
 */
#include <string.h>
#include "kernel/cpio.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/param.h"

#define HDR_LEN 110

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, NFIELDS };

struct entry {
	uint32_t f[NFIELDS];
	int crc;		/* "070702": check is the sum of the data bytes */
	const char *name;
	const uint8_t *data;
	size_t next;		/* offset of the following header */
};

/*
 * Inodes remembered until the end: hard-link groups (by ino and device) and
 * directories, whose mtime is set last because adding children changes it.
 */
struct seen {
	struct seen *next;
	struct inode *ip;	/* referenced */
	uint32_t ino, maj, min;
	int64_t mtime;
};

struct unpack {
	struct inode *root;
	struct seen *seen;
	int count;
};

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static int hex8(const char *s, uint32_t *v)
{
	uint32_t x = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -EINVAL;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return 0;
}

/* Parse and bounds-check the entry at off. */
static int parse(const uint8_t *img, size_t len, size_t off, struct entry *e)
{
	if (off > len || len - off < HDR_LEN)
		return -EINVAL;
	const char *h = (const char *)img + off;
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return -EINVAL;
	e->crc = h[5] == '2';
	for (int i = 0; i < NFIELDS; i++)
		if (hex8(h + 6 + 8 * i, &e->f[i]))
			return -EINVAL;
	size_t nsz = e->f[F_NAMESIZE], at = off + HDR_LEN;
	if (nsz == 0 || nsz > len - at)
		return -EINVAL;
	e->name = (const char *)img + at;
	if (e->name[nsz - 1] != 0 || strlen(e->name) != nsz - 1)
		return -EINVAL;
	size_t doff = align4(at + nsz), dsz = e->f[F_FILESIZE];
	if (doff > len)
		doff = len;	/* padding cut off at the very end: fine for the trailer */
	if (dsz > len - doff)
		return -EINVAL;
	e->data = img + doff;
	e->next = align4(doff + dsz);
	return 0;
}

static int crc_ok(const struct entry *e)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < e->f[F_FILESIZE]; i++)
		sum += e->data[i];
	return sum == e->f[F_CHECK];
}

static int remember(struct unpack *u, struct inode *ip, const struct entry *e)
{
	struct seen *s = kmalloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	inode_get(ip);
	*s = (struct seen){ u->seen, ip, e->f[F_INO], e->f[F_DEVMAJOR], e->f[F_DEVMINOR],
			    (int64_t)e->f[F_MTIME] };
	u->seen = s;
	return 0;
}

static struct inode *find_link(struct unpack *u, const struct entry *e)
{
	for (struct seen *s = u->seen; s; s = s->next)
		if (!S_ISDIR(s->ip->mode) && s->ino == e->f[F_INO] &&
		    s->maj == e->f[F_DEVMAJOR] && s->min == e->f[F_DEVMINOR])
			return s->ip;
	return NULL;
}

/* Set dir mtimes now that all children exist, and drop every ref. */
static void finish(struct unpack *u)
{
	while (u->seen) {
		struct seen *s = u->seen;
		u->seen = s->next;
		if (S_ISDIR(s->ip->mode))
			s->ip->mtime = (struct vfs_time){ s->mtime, 0 };
		inode_put(s->ip);
		kfree(s);
	}
}

static void set_attrs(struct inode *ip, const struct entry *e)
{
	ip->mode = (ip->mode & S_IFMT) | (e->f[F_MODE] & 07777);
	ip->uid = e->f[F_UID];
	ip->gid = e->f[F_GID];
	ip->mtime = (struct vfs_time){ (int64_t)e->f[F_MTIME], 0 };
	ip->atime = ip->mtime;
}

/* mkdir -p for every directory above name. */
static int make_parents(struct inode *root, const char *name)
{
	char *buf = page_alloc_n(1);
	if (!buf)
		return -ENOMEM;
	size_t n = strlen(name);
	int err = n < PGSIZE ? 0 : -ENAMETOOLONG;
	char last[NAME_MAX + 1];
	for (size_t i = 1; !err && i < n; i++) {
		if (name[i] != '/' || name[i - 1] == '/')
			continue;
		memcpy(buf, name, i);
		buf[i] = 0;
		struct inode *dir;
		err = vfs_lookup_parent(root, buf, &dir, last);
		if (err < 0)
			break;
		err = vfs_mkdir(dir, last, 0755);
		if (err == -EEXIST)
			err = 0;
		inode_put(dir);
	}
	page_free_n(buf, 1);
	return err;
}

/* Remove whatever is at dir/last, unless both are directories (then keep it: 1). */
static int clear_old(struct inode *dir, const char *last, uint32_t mode)
{
	struct inode *old;
	if (vfs_lookup(dir, last, 0, &old))
		return 0;
	int isdir = S_ISDIR(old->mode);
	inode_put(old);
	if (isdir && S_ISDIR(mode))
		return 1;
	return isdir ? vfs_rmdir(dir, last) : vfs_unlink(dir, last);
}

/* Create the inode for e as dir/last (or link it to an earlier one). */
static int make_node(struct unpack *u, struct inode *dir, const char *last, const struct entry *e)
{
	uint32_t mode = e->f[F_MODE];
	int reg = S_ISREG(mode) || S_ISLNK(mode);
	int err = clear_old(dir, last, mode);
	struct inode *ip = NULL;
	if (err == 1) {		/* existing directory: take the archive's attributes */
		err = vfs_lookup(dir, last, 0, &ip);
		if (!err)
			err = remember(u, ip, e);
	} else if (err == 0 && e->f[F_NLINK] > 1 && !S_ISDIR(mode) && (ip = find_link(u, e))) {
		inode_get(ip);
		err = vfs_link(ip, dir, last);
	} else if (err == 0) {
		err = vfs_create(dir, last, mode, VFS_MKDEV(e->f[F_RDEVMAJOR], e->f[F_RDEVMINOR]), &ip);
		if (!err && (S_ISDIR(mode) || e->f[F_NLINK] > 1))
			err = remember(u, ip, e);
	}
	if (!err && reg && e->f[F_FILESIZE])
		err = inode_set_borrowed(ip, e->data, e->f[F_FILESIZE]);
	if (!err) {
		set_attrs(ip, e);
		u->count++;
	}
	if (ip)
		inode_put(ip);
	return err;
}

static int unpack_entry(struct unpack *u, const struct entry *e)
{
	const char *name = e->name;
	for (;;) {		/* archives made with "find ." name "./x" or "/x" */
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			break;
	}
	if (!name[0] || !strcmp(name, "."))
		return 0;	/* the root itself */
	struct inode *dir;
	char last[NAME_MAX + 1];
	int err = vfs_lookup_parent(u->root, name, &dir, last);
	if (err == -ENOENT) {
		if ((err = make_parents(u->root, name)))
			return err;
		err = vfs_lookup_parent(u->root, name, &dir, last);
	}
	if (err < 0)
		return err;
	if (strcmp(last, ".") && strcmp(last, "..") && strcmp(last, "/"))
		err = make_node(u, dir, last, e);
	inode_put(dir);
	return err;
}

int cpio_unpack(const void *image, size_t len, struct inode *root)
{
	struct unpack u = { root, NULL, 0 };
	struct entry e;
	int err;
	for (size_t off = 0;; off = e.next) {
		if ((err = parse(image, len, off, &e)))
			break;
		if (!strcmp(e.name, "TRAILER!!!"))
			break;
		if (e.crc && S_ISREG(e.f[F_MODE]) && !crc_ok(&e)) {
			err = -EINVAL;
			break;
		}
		if ((err = unpack_entry(&u, &e)))
			break;
	}
	finish(&u);
	return err ? err : u.count;
}
