/*
 * Mounting disk filesystems (contract in kernel/fs/mount.h).  Runs on the
 * syscall cpu like the VFS.
 */
#include "kernel/fs/mount.h"
#include "kernel/fs/ext2.h"
#include "kernel/fs/fat.h"
#include "kernel/fs/bcache.h"
#include "kernel/errno.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/fs/vfs.h"
#include "kernel/platform.h"
#include "kernel/fs/procfs.h"
#include "drivers/blkdev.h"
#include "syscall/sys.h"
#include <string.h>

#define DISK_MOUNTS 8

struct disk_mnt {
	struct inode *mp;	/* the directory mounted on (referenced) */
	struct inode *root;	/* the filesystem's root (the mount's reference) */
	struct blkdev *dev;
};

static struct disk_mnt mnts[DISK_MOUNTS];

int disk_fs_type(const char *type)
{
	/* ext3/ext4 images are read without their journal, read-only if they use ext4 features */
	return !strcmp(type, "ext2") || !strcmp(type, "ext3") || !strcmp(type, "ext4") ||
	       fat_fs_type(type);
}

/* The driver for type: FAT's names, else ext2 (which also reads ext3/ext4). */
static int fs_mount(struct blkdev *bd, const char *type, int ro, const char *opts,
		    struct inode **root)
{
	return fat_fs_type(type) ? fat_mount(bd, ro, opts, root) : ext2_mount(bd, ro, root);
}

static int fs_umount(struct inode *root)
{
	return fat_is_fat(root) ? fat_umount(root) : ext2_umount(root);
}

static int fs_sync(struct inode *ip)
{
	return fat_is_fat(ip) ? fat_sync(ip) : ext2_is_ext2(ip) ? ext2_sync(ip) : 0;
}

static int mount_on(struct inode *dev_ip, struct inode *mp, const char *type, unsigned long flags,
		    const char *opts)
{
	if (!S_ISBLK(dev_ip->mode))
		return -ENOTBLK;
	struct blkdev *bd = blkdev_by_rdev(dev_ip->rdev);
	if (!bd)
		return -ENXIO;
	if (!S_ISDIR(mp->mode))
		return -ENOTDIR;
	if (mp->mounted || mp == vfs_root())
		return -EBUSY;
	if (mp->ops)
		return -EINVAL;	/* mount points are ramfs directories */
	struct disk_mnt *m = NULL;
	for (int i = 0; i < DISK_MOUNTS; i++) {
		if (mnts[i].dev == bd)
			return -EBUSY;
		if (!mnts[i].root && !m)
			m = &mnts[i];
	}
	if (!m)
		return -ENOMEM;
	struct inode *root;
	int err = fs_mount(bd, type, flags & MS_RDONLY, opts, &root);
	if (err)
		return err;
	/* ".." of the mounted root is the mount point's parent */
	root->parent = mp->parent;
	inode_get(mp->parent);
	inode_get(mp);
	mp->mounted = root;
	*m = (struct disk_mnt){ mp, root, bd };
	return 0;
}

static int lookup_user(uint64_t upath, char *buf, struct inode **out)
{
	struct inode *start;
	int err = path_start(AT_FDCWD, upath, buf, &start);
	return err ? err : vfs_lookup(start, buf, 1, out);
}

int disk_mount(uint64_t usource, uint64_t utarget, const char *type, unsigned long flags,
	       const char *opts)
{
	char *path = page_alloc();
	if (!path)
		return -ENOMEM;
	struct inode *dev_ip = NULL, *mp = NULL;
	int err = lookup_user(usource, path, &dev_ip);
	if (!err)
		err = lookup_user(utarget, path, &mp);
	if (!err)
		err = mount_on(dev_ip, mp, type, flags, opts);
	if (dev_ip)
		inode_put(dev_ip);
	if (mp)
		inode_put(mp);
	page_free(path);
	return err;
}

int disk_mount_path(const char *devpath, const char *dir, const char *type, unsigned long flags)
{
	if (!disk_fs_type(type))
		return -ENODEV;
	struct inode *dev_ip, *mp;
	int err = vfs_lookup(vfs_root(), devpath, 1, &dev_ip);
	if (err)
		return err;
	if ((err = vfs_lookup(vfs_root(), dir, 1, &mp)) == 0) {
		err = mount_on(dev_ip, mp, type, flags, "");
		inode_put(mp);
	}
	inode_put(dev_ip);
	return err;
}

int disk_umount_user(uint64_t upath)
{
	char *path = page_alloc();
	if (!path)
		return -ENOMEM;
	struct inode *ip;
	int err = lookup_user(upath, path, &ip);
	page_free(path);
	if (err)
		return err;
	err = disk_umount(ip);	/* on success it dropped our reference too */
	if (err)
		inode_put(ip);
	return err;
}

int disk_umount(struct inode *root)
{
	for (int i = 0; i < DISK_MOUNTS; i++) {
		struct disk_mnt *m = &mnts[i];
		if (!m->root || m->root != root)
			continue;
		/* the caller's lookup holds one more reference on root */
		inode_put(root);
		int err = fs_umount(root);
		if (err) {
			inode_get(root);
			return err;
		}
		m->mp->mounted = NULL;
		inode_put(m->mp);
		*m = (struct disk_mnt){ 0 };
		return 0;
	}
	return -EINVAL;
}

int disk_sync_all(void)
{
	int err = 0;
	for (int i = 0; i < DISK_MOUNTS; i++)
		if (mnts[i].root) {
			int e = fs_sync(mnts[i].root);
			if (e && !err)
				err = e;
		}
	int e = bcache_sync(NULL);
	return err ? err : e;
}

int disk_sync_inode(struct inode *ip)
{
	return fs_sync(ip);
}

uint32_t disk_inode_dev(struct inode *ip)
{
	return ext2_is_ext2(ip) ? ext2_dev(ip)->rdev : fat_is_fat(ip) ? fat_dev(ip)->rdev : 1;
}

/* ---- the root on a disk (root=/dev/vda rootfstype=ext2 [ro]) ---- */

/* The value of word name=... on the kernel command line (before "--"). */
static int bootarg(const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	for (const char *p = plat.bootargs; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if (p - w == 2 && w[0] == '-' && w[1] == '-')
			return 0;
		if ((size_t)(p - w) > len && !strncmp(w, name, len) && w[len] == '=') {
			size_t v = (size_t)(p - w) - len - 1;
			if (v >= n)
				return 0;
			memcpy(out, w + len + 1, v);
			out[v] = 0;
			return 1;
		}
		if ((size_t)(p - w) == len && !strncmp(w, name, len) && n > 1) {
			out[0] = '1';
			out[1] = 0;
			return 1;
		}
	}
	return 0;
}

/*
 * Put `over` (a ramfs directory, or what is mounted on it) on the disk
 * root's directory `name`, made if missing: /dev and /proc stay the
 * kernel's.  ".." of `over` becomes the disk root.
 */
static void graft(struct inode *top, const char *name, struct inode *over)
{
	struct inode *dir;
	if (vfs_lookup(top, name, 0, &dir) != 0) {
		vfs_mkdir(top, name, 0755);
		if (vfs_lookup(top, name, 0, &dir) != 0) {
			pr_warn("root: no /%s on the disk, and it cannot be made\n", name);
			inode_put(over);
			return;
		}
	}
	if (!S_ISDIR(dir->mode) || dir->mounted) {
		inode_put(dir);
		inode_put(over);
		return;
	}
	dir->mounted = over;	/* keeps both references: the graft lasts */
	inode_get(top);
	inode_put(over->parent);
	over->parent = top;
}

void disk_mount_root(void)
{
	char dev[32], type[16] = "ext2", ro[4];
	if (!bootarg("root", dev, sizeof dev))
		return;
	bootarg("rootfstype", type, sizeof type);
	struct inode *ram = vfs_root(), *dev_ip, *ram_dev = NULL, *ram_proc = NULL;
	struct blkdev *bd = NULL;
	if (vfs_lookup(ram, dev, 1, &dev_ip) == 0) {
		bd = S_ISBLK(dev_ip->mode) ? blkdev_by_rdev(dev_ip->rdev) : NULL;
		inode_put(dev_ip);
	}
	struct inode *top;
	int err = !disk_fs_type(type) ? -ENODEV : !bd ? -ENXIO
		: fs_mount(bd, type, bootarg("ro", ro, sizeof ro), "", &top);
	if (err) {
		pr_err("root: cannot mount %s (%s): %d; staying on the initramfs\n", dev, type, err);
		return;
	}
	vfs_lookup(ram, "/dev", 1, &ram_dev);
	vfs_lookup(ram, "/proc", 1, &ram_proc);
	inode_get(ram);
	ram->mounted = top;	/* from here on vfs_root() is the disk */
	mnts[0] = (struct disk_mnt){ ram, top, bd };
	if (ram_dev)
		graft(top, "dev", ram_dev);
	if (ram_proc)
		graft(top, "proc", ram_proc);
	procfs_mount_root(dev, type);
	pr_info("root: %s (%s) mounted on /\n", dev, type);
}
