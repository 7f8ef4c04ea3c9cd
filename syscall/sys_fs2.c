/*
 * More file system calls: links and renames, permissions and owners,
 * times, sizes, statfs/statx, mknod, sendfile, and ppoll/pselect6.
 * Paths follow syscall/sys_file.c: path_start() copies the user path into a
 * page and picks the starting directory.  Access checks are kernel/perm.h's.
 */
#include "drivers/blkdev.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/ext2.h"
#include "syscall/sys.h"
#include "kernel/page_alloc.h"
#include "kernel/pollwait.h"
#include "kernel/timer.h"
#include "kernel/perm.h"
#include "kernel/cred.h"
#include <string.h>

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS          0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_STATX_SYNC_TYPE  0x6000

struct timespec_k { int64_t sec, nsec; };

static void now(struct vfs_time *t) { vfs_now(&t->sec, &t->nsec); }

/* The inode behind fd (the cwd for AT_FDCWD), referenced; NULL for a pipe. */
static int fd_inode(int fd, struct inode **out)
{
	struct inode *ip;
	if (fd == AT_FDCWD) {
		ip = curproc()->cwd;
	} else {
		struct file *f = fd_get(curproc(), fd);
		if (!f)
			return -EBADF;
		ip = f->ip;
	}
	if (ip)
		inode_get(ip);
	*out = ip;
	return 0;
}

/*
 * dirfd + user path to a referenced inode, for flags AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH ("" names dirfd itself; *out may then be NULL, a pipe).
 */
static int lookup_at(int dirfd, uint64_t upath, int flags, struct inode **out)
{
	char *path = page_alloc();
	if (!path)
		return -ENOMEM;
	struct inode *start;
	int err = path_start(dirfd, upath, path, &start);
	if (!err)
		err = vfs_lookup(start, path, !(flags & AT_SYMLINK_NOFOLLOW), out);
	else if (err == -ENOENT && (flags & AT_EMPTY_PATH))
		err = fd_inode(dirfd, out);	/* path_start's -ENOENT means "empty" */
	page_free(path);
	return err;
}


/*
 * Where a new non-directory goes (Linux's filename_create): -EEXIST if the
 * name exists, -ENOENT for "name/" (that asks for a directory).
 */
static int new_name_at(int dirfd, uint64_t upath, struct inode **dir, char *last)
{
	int slash;
	struct inode *ip;
	int err = path_parent(dirfd, upath, dir, last, &slash);
	if (err)
		return err;
	if (vfs_lookup(*dir, last, 0, &ip) == 0) {
		inode_put(ip);
		err = -EEXIST;
	} else if (slash) {
		err = -ENOENT;
	} else {
		err = may_create(*dir);
	}
	if (err)
		inode_put(*dir);
	return err;
}

/* ---- names: link, symlink, readlink, rename, mknod ---- */

SYSCALL(linkat)
{
	int flags = (int)a[4];
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* unlike every other *at call, linkat does not follow by default */
	int lflags = (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW);
	struct inode *target, *dir;
	char last[NAME_MAX + 1];
	int err = lookup_at((int)a[0], a[1], lflags, &target);
	if (err)
		return err;
	if (!target)
		return -EXDEV;		/* a pipe: another filesystem on Linux */
	err = new_name_at((int)a[2], a[3], &dir, last);
	if (!err) {
		err = vfs_link(target, dir, last);
		inode_put(dir);
	}
	inode_put(target);
	return err;
}

SYSCALL(symlinkat)
{
	char *target = page_alloc();
	if (!target)
		return -ENOMEM;
	struct inode *dir;
	char last[NAME_MAX + 1];
	long n = strncpy_from_user(curmm(), target, a[0], PATH_MAX);
	int err = n < 0 ? (int)n : n == 0 ? -ENOENT : 0;
	if (!err)
		err = new_name_at((int)a[1], a[2], &dir, last);
	if (!err) {
		err = vfs_symlink(dir, last, target);
		inode_put(dir);
	}
	page_free(target);
	return err;
}

SYSCALL(readlinkat)
{
	if ((int)a[3] <= 0)
		return -EINVAL;
	struct inode *ip;
	int err = lookup_at((int)a[0], a[1], AT_SYMLINK_NOFOLLOW, &ip);
	if (err)
		return err;
	char *buf = page_alloc();	/* a target is < PATH_MAX == one page */
	long n = buf ? vfs_readlink(ip, buf, (uint32_t)a[3] < PGSIZE ? (uint32_t)a[3] : PGSIZE) : -ENOMEM;
	if (n > 0 && copy_to_user(curmm(), a[2], buf, (size_t)n))
		n = -EFAULT;
	if (buf)
		page_free(buf);
	inode_put(ip);
	return n;
}

/*
 * Linux's rename checks: the old name may be deleted, the new one created
 * (or deleted, if it exists), and a directory moving to another parent
 * needs w on itself (its ".." changes).
 */
static int may_rename(struct inode *odir, const char *olast, struct inode *ndir, const char *nlast)
{
	struct inode *old, *victim;
	int err = may_delete_name(odir, olast);
	if (err || vfs_lookup(odir, olast, 0, &old))
		return err;	/* a missing old name: vfs_rename's error */
	if (vfs_lookup(ndir, nlast, 0, &victim) == 0) {
		err = may_delete(ndir, victim);
		inode_put(victim);
	} else {
		err = may_create(ndir);
	}
	if (!err && S_ISDIR(old->mode) && odir != ndir)
		err = inode_permission(old, MAY_WRITE);
	inode_put(old);
	return err;
}

static long do_rename(const uint64_t a[6], unsigned flags)
{
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;		/* RENAME_EXCHANGE and RENAME_WHITEOUT: not supported */
	struct inode *odir, *ndir, *old;
	char olast[NAME_MAX + 1], nlast[NAME_MAX + 1];
	int oslash, nslash;
	int err = path_parent((int)a[0], a[1], &odir, olast, &oslash);
	if (err)
		return err;
	err = path_parent((int)a[2], a[3], &ndir, nlast, &nslash);
	if (err)
		goto out_odir;
	/* "file" -> "name/": a trailing slash promises a directory */
	if (nslash && vfs_lookup(odir, olast, 0, &old) == 0) {
		if (!S_ISDIR(old->mode))
			err = -ENOTDIR;
		inode_put(old);
	}
	if (!err)
		err = may_rename(odir, olast, ndir, nlast);
	if (!err)
		err = vfs_rename(odir, olast, ndir, nlast, flags);
	inode_put(ndir);
out_odir:
	inode_put(odir);
	return err;
}

/* Not in Linux's riscv64 table (there renameat2 replaces it), kept for old binaries. */
SYSCALL(renameat) { return do_rename(a, 0); }
SYSCALL(renameat2) { return do_rename(a, (unsigned)a[4]); }

SYSCALL(mknodat)
{
	uint32_t mode = (uint32_t)a[2], type = mode & S_IFMT;
	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFCHR: case S_IFBLK:
		if (!cred_is_root())
			return -EPERM;	/* CAP_MKNOD */
		break;
	case S_IFREG: case S_IFIFO: case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;		/* Linux: mkdir is the way */
	default:
		return -EINVAL;
	}
	struct inode *dir;
	char last[NAME_MAX + 1];
	int err = new_name_at((int)a[0], a[1], &dir, last);
	if (err)
		return err;
	/* dev is Linux's new_encode_dev() word, the same encoding as VFS_MKDEV */
	err = vfs_create(dir, last, type | (mode & 07777 & ~curproc()->umask), (uint32_t)a[3], NULL);
	inode_put(dir);
	return err;
}

/* ---- permissions, owners, times ---- */

static long do_access(int dirfd, uint64_t upath, int mode, int flags)
{
	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *ip;
	uint32_t saved[2];
	int real = !(flags & AT_EACCESS);
	if (real)
		cred_use_real(saved);	/* the walk too searches as the real ids */
	int err = lookup_at(dirfd, upath, flags, &ip);
	if (!err && ip) {
		err = inode_permission(ip, mode);	/* F_OK (0): it exists */
		inode_put(ip);
	}
	if (real)
		cred_restore_fs(saved);
	return err;
}

SYSCALL(faccessat) { return do_access((int)a[0], a[1], (int)a[2], 0); }
SYSCALL(faccessat2) { return do_access((int)a[0], a[1], (int)a[2], (int)a[3]); }

static int set_mode(struct inode *ip, uint32_t mode)
{
	int err = may_chmod(ip, &mode);
	if (err)
		return err;
	ip->mode = (ip->mode & S_IFMT) | (mode & 07777);
	now(&ip->ctime);
	return 0;
}

SYSCALL(fchmod)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return f->ip ? set_mode(f->ip, (uint32_t)a[1]) : 0;
}

/* The riscv64 fchmodat has no flags argument: it always follows symlinks. */
SYSCALL(fchmodat)
{
	struct inode *ip;
	int err = lookup_at((int)a[0], a[1], 0, &ip);
	if (err)
		return err;
	err = set_mode(ip, (uint32_t)a[2]);
	inode_put(ip);
	return err;
}

/* uid/gid (uint32_t)-1 keep the old value. */
static int set_owner(struct inode *ip, uint32_t uid, uint32_t gid)
{
	int err = may_chown(ip, uid, gid);
	if (err)
		return err;
	if (uid != (uint32_t)-1)
		ip->uid = uid;
	if (gid != (uint32_t)-1)
		ip->gid = gid;
	/* Linux drops set-user-ID on any chown of a non-directory, set-group-ID if group-executable */
	if (!S_ISDIR(ip->mode)) {
		ip->mode &= ~04000u;
		if ((ip->mode & 02010) == 02010)
			ip->mode &= ~02000u;
	}
	now(&ip->ctime);
	return 0;
}

SYSCALL(fchown)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return f->ip ? set_owner(f->ip, (uint32_t)a[1], (uint32_t)a[2]) : 0;
}

SYSCALL(fchownat)
{
	int flags = (int)a[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *ip;
	int err = lookup_at((int)a[0], a[1], flags, &ip);
	if (err || !ip)
		return err;
	err = set_owner(ip, (uint32_t)a[2], (uint32_t)a[3]);
	inode_put(ip);
	return err;
}

#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

static int nsec_ok(int64_t ns)
{
	return ns == UTIME_NOW || ns == UTIME_OMIT || (ns >= 0 && ns < 1000000000L);
}

/*
 * utimensat(2): an explicit time needs the owner (or CAP_FOWNER): -EPERM;
 * "now" also lets anyone who may write the file: -EACCES.
 */
static int may_set_times(struct inode *ip, const struct timespec_k *ts)
{
	int explicit = ts && ((ts[0].nsec != UTIME_NOW && ts[0].nsec != UTIME_OMIT) ||
			      (ts[1].nsec != UTIME_NOW && ts[1].nsec != UTIME_OMIT));
	if (inode_owner_or_capable(ip))
		return 0;
	if (explicit)
		return -EPERM;
	return inode_permission(ip, MAY_WRITE);
}

/* ts NULL: both now.  Any explicit change also moves ctime, as on Linux. */
static int set_times(struct inode *ip, const struct timespec_k *ts)
{
	if (ts && (!nsec_ok(ts[0].nsec) || !nsec_ok(ts[1].nsec)))
		return -EINVAL;
	if (!ip)
		return 0;		/* a pipe: nothing stored */
	int err = may_set_times(ip, ts);
	if (err)
		return err;
	struct vfs_time t, *dst[2] = { &ip->atime, &ip->mtime };
	now(&t);
	for (int i = 0; i < 2; i++) {
		if (!ts || ts[i].nsec == UTIME_NOW)
			*dst[i] = t;
		else if (ts[i].nsec != UTIME_OMIT)
			*dst[i] = (struct vfs_time){ ts[i].sec, ts[i].nsec };
	}
	ip->ctime = t;
	return 0;
}

SYSCALL(utimensat)
{
	int dirfd = (int)a[0], flags = (int)a[3];
	struct timespec_k ts[2];
	if (a[2]) {
		if (copy_from_user(curmm(), ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts[0].nsec == UTIME_OMIT && ts[1].nsec == UTIME_OMIT)
			return 0;	/* Linux does not even look at the path */
	}
	struct inode *ip;
	int err;
	if (a[1] == 0 && dirfd != AT_FDCWD) {	/* futimens(): the fd itself */
		if (flags)
			return -EINVAL;
		err = fd_inode(dirfd, &ip);
	} else {
		if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		err = lookup_at(dirfd, a[1], flags, &ip);
	}
	if (err)
		return err;
	err = set_times(ip, a[2] ? ts : NULL);
	if (ip)
		inode_put(ip);
	return err;
}

/* ---- sizes and syncing ---- */

SYSCALL(truncate)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct inode *ip;
	int err = lookup_at(AT_FDCWD, a[0], 0, &ip);
	if (err)
		return err;
	if (S_ISDIR(ip->mode))
		err = -EISDIR;
	else
		err = inode_permission(ip, MAY_WRITE);
	if (!err) {
		inode_kill_suid(ip);
		err = inode_truncate(ip, a[1]);	/* other non-files -EINVAL */
	}
	inode_put(ip);
	return err;
}

SYSCALL(ftruncate)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	/* Linux: -EINVAL (not -EBADF) for an fd not open for writing */
	if (!f->ip || !S_ISREG(f->ip->mode) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	inode_kill_suid(f->ip);
	return inode_truncate(f->ip, a[1]);
}

/* ramfs has nothing to write back.  Pipes and devices have no fsync op on Linux: -EINVAL. */
static long do_fsync(int fd)
{
	struct file *f = fd_get(curproc(), fd);
	if (!f)
		return -EBADF;
	if (f->ip && S_ISBLK(f->ip->mode))
		return blkdev_fsync(f->ip->rdev);	/* write back, then flush the disk */
	if (!f->ip || !(S_ISREG(f->ip->mode) || S_ISDIR(f->ip->mode) || S_ISLNK(f->ip->mode)))
		return -EINVAL;
	return disk_sync_inode(f->ip);	/* ext2: everything written and flushed; ramfs: 0 */
}

SYSCALL(fsync) { return do_fsync((int)a[0]); }
SYSCALL(fdatasync) { return do_fsync((int)a[0]); }
SYSCALL(sync) { (void)a; disk_sync_all(); return 0; }

SYSCALL(syncfs)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return f->ip ? disk_sync_inode(f->ip) : 0;
}

/* ---- statfs, statx ---- */

#define RAMFS_MAGIC  0x858458f6
#define PIPEFS_MAGIC 0x50495045
#define ST_VALID     0x20

/* riscv64 struct statfs (asm-generic, 64-bit words), 120 bytes */
struct statfs_k {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct statfs_k) == 120, "riscv64 struct statfs");

/* ramfs lives in the kernel page pool: its size and free pages are the fs's. */
static long statfs_to_user(int pipe, uint64_t ubuf, struct inode *ip)
{
	struct statfs_k st = {
		.type = pipe ? PIPEFS_MAGIC : RAMFS_MAGIC, .bsize = PGSIZE,
		.namelen = NAME_MAX, .frsize = PGSIZE, .flags = ST_VALID,
	};
	if (!pipe) {
		st.blocks = kpool.npages;
		st.bfree = st.bavail = pool_free_pages(&kpool);
		/* as tmpfs: an inode can take at most a page (libc-test statvfs) */
		st.files = st.blocks;
		st.ffree = st.bfree;
	}
	if (ext2_is_ext2(ip)) {	/* a disk: its own counts */
		struct ext2_statfs es;
		ext2_statfs(ip, &es);
		st.type = 0xef53;	/* EXT2_SUPER_MAGIC */
		st.bsize = st.frsize = (int64_t)es.bsize;
		st.blocks = es.blocks;
		st.bfree = es.bfree;
		st.bavail = es.bavail;
		st.files = es.files;
		st.ffree = es.ffree;
	}
	return copy_to_user(curmm(), ubuf, &st, sizeof st) ? -EFAULT : 0;
}

SYSCALL(statfs)
{
	struct inode *ip;
	int err = lookup_at(AT_FDCWD, a[0], 0, &ip);
	if (err)
		return err;
	long r = statfs_to_user(0, a[1], ip);
	inode_put(ip);
	return r;
}

SYSCALL(fstatfs)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return statfs_to_user(!f->ip, a[1], f->ip);
}

#define STATX_BASIC_STATS 0x7ffu
#define STATX__RESERVED   0x80000000u

struct statx_ts_k { int64_t sec; uint32_t nsec; int32_t pad; };

/* Linux uapi struct statx, 256 bytes */
struct statx_k {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts_k atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare[12];
};
_Static_assert(sizeof(struct statx_k) == 256, "struct statx");
_Static_assert(__builtin_offsetof(struct statx_k, rdev_major) == 128, "struct statx");

static struct statx_ts_k sx_time(struct vfs_time t)
{
	return (struct statx_ts_k){ t.sec, (uint32_t)t.nsec, 0 };
}

static long statx_to_user(struct inode *ip, uint64_t ubuf)
{
	struct statx_k sx = {
		.mask = STATX_BASIC_STATS, .blksize = PGSIZE, .nlink = ip->nlink,
		.uid = ip->uid, .gid = ip->gid, .mode = (uint16_t)ip->mode, .ino = ip->ino,
		.size = ip->size, .blocks = (ip->size + 511) / 512,
		.atime = sx_time(ip->atime), .ctime = sx_time(ip->ctime), .mtime = sx_time(ip->mtime),
		.rdev_major = VFS_MAJOR(ip->rdev), .rdev_minor = VFS_MINOR(ip->rdev),
		.dev_major = VFS_MAJOR(disk_inode_dev(ip)), .dev_minor = VFS_MINOR(disk_inode_dev(ip)),
	};
	return copy_to_user(curmm(), ubuf, &sx, sizeof sx) ? -EFAULT : 0;
}

SYSCALL(statx)
{
	int flags = (int)a[2];
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || ((uint32_t)a[3] & STATX__RESERVED))
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	struct inode *ip;
	int err = lookup_at((int)a[0], a[1], flags, &ip);
	if (err)
		return err;
	if (!ip) {
		struct inode fake = { .mode = S_IFIFO | 0600, .nlink = 1 };	/* as fstat */
		return statx_to_user(&fake, a[4]);
	}
	err = (int)statx_to_user(ip, a[4]);
	inode_put(ip);
	return err;
}

/* ---- sendfile ---- */

/*
 * The file ops move data to and from user addresses only, so the bounce
 * page is mapped into the caller for the call's duration, in the gap above
 * the stack that neither mmap (it stops at USER_MMAP_TOP) nor exec ever
 * maps.  The process's only thread is inside this call: nobody sees it.
 */
#define BOUNCE_VA USER_STACK_TOP

static long sendfile_copy(struct file *out, struct file *in, size_t count)
{
	if (uvm_map_zero(curmm(), BOUNCE_VA, PGSIZE, PTE_R | PTE_W))
		return -ENOMEM;
	long done = 0, err = 0;
	while ((size_t)done < count) {
		size_t c = count - (size_t)done < PGSIZE ? count - (size_t)done : PGSIZE;
		long r = in->ops->read(in, BOUNCE_VA, c);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = out->ops->write(out, BOUNCE_VA, (size_t)r);
		if (w < r) {
			in->off -= (uint64_t)(r - (w > 0 ? w : 0));	/* unsent bytes stay unread */
			err = w < 0 ? w : 0;
			done += w > 0 ? w : 0;
			break;
		}
		done += w;
		if ((size_t)r < c)
			break;
	}
	uvm_unmap(curmm(), BOUNCE_VA, PGSIZE);
	return done ? done : err;
}

SYSCALL(sendfile)
{
	struct proc *p = curproc();
	struct file *out = fd_get(p, (int)a[0]), *in = fd_get(p, (int)a[1]);
	if (!in || (in->flags & O_ACCMODE) == O_WRONLY || !out || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if ((in->ip && S_ISDIR(in->ip->mode)) || !in->ops->read || !out->ops->write ||
	    (out->flags & O_APPEND))
		return -EINVAL;
	size_t count = a[3] < 0x7ffff000 ? a[3] : 0x7ffff000;
	if (!a[2])
		return sendfile_copy(out, in, count);
	/* with an offset: read from *offset, leave in's own offset alone, store the new one */
	int64_t off;
	if (!in->ip || !S_ISREG(in->ip->mode))
		return -ESPIPE;
	if (copy_from_user(curmm(), &off, a[2], sizeof off))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	uint64_t saved = in->off;
	in->off = (uint64_t)off;
	long r = sendfile_copy(out, in, count);
	off = (int64_t)in->off;
	in->off = saved;
	if (r >= 0 && copy_to_user(curmm(), a[2], &off, sizeof off))
		return -EFAULT;
	return r;
}

/* ---- ppoll, pselect6 ---- */

#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
/* what select counts as readable, writable, exceptional (Linux's POLLIN_SET...) */
#define POLLIN_SET  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define POLLEX_SET  POLLPRI

#define POLL_MAX_FDS 1024
#define TIMEOUT_MAX_SEC (100L * 365 * 24 * 3600)	/* longer waits are "forever" */

/* file_ops.poll bits as poll(2) events; no .poll means always ready, as on Linux. */
static int file_events(struct file *f)
{
	int bits = f->ops->poll ? f->ops->poll(f) : POLL_READABLE | POLL_WRITABLE;
	int ev = 0;
	if (bits & POLL_READABLE)
		ev |= POLLIN | POLLRDNORM;
	if (bits & POLL_WRITABLE)
		ev |= POLLOUT | POLLWRNORM;
	if (bits & POLL_HANGUP)
		ev |= POLLHUP;
	if (bits & POLL_ERROR)
		ev |= POLLERR;
	return ev;
}

/* A user timeout as a deadline in ticks (WAIT_FOREVER for NULL); *zero: {0, 0}. */
static int read_timeout(uint64_t uts, uint64_t *deadline, int *zero)
{
	struct timespec_k ts;
	*zero = 0;
	*deadline = WAIT_FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(curmm(), &ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
		return -EINVAL;
	*zero = ts.sec == 0 && ts.nsec == 0;
	if (ts.sec > TIMEOUT_MAX_SEC)
		return 0;
	uint64_t ns = (uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec;
	/* one tick more: ns_to_ticks rounds down, and we must not return early */
	*deadline = time_now() + ns_to_ticks(ns) + (ns ? 1 : 0);
	return 0;
}

/* Linux writes the time left back into the timeout (not a zero one); a fault is ignored. */
static void write_time_left(uint64_t uts, uint64_t deadline, int zero)
{
	if (!uts || zero || deadline == WAIT_FOREVER)
		return;
	uint64_t t = time_now();
	uint64_t ns = t < deadline ? ticks_to_ns(deadline - t) : 0;
	struct timespec_k ts = { (int64_t)(ns / 1000000000UL), (int64_t)(ns % 1000000000UL) };
	copy_to_user(curmm(), uts, &ts, sizeof ts);
}

/* A signal mask we accept and ignore: only its size and readability are checked. */
static int check_sigmask(uint64_t umask, uint64_t size)
{
	uint64_t set;
	if (!umask)
		return 0;
	if (size != sizeof set)
		return -EINVAL;
	return copy_from_user(curmm(), &set, umask, sizeof set) ? -EFAULT : 0;
}

struct pollfd_k { int32_t fd; int16_t events, revents; };

struct ppoll_ctx {
	struct pollfd_k *fds;
	unsigned n;
};

/* wait_event_deadline's condition: fill every revents, true if any is set. */
static int ppoll_scan(void *arg)
{
	struct ppoll_ctx *c = arg;
	int ready = 0;
	for (unsigned i = 0; i < c->n; i++) {
		struct pollfd_k *pfd = &c->fds[i];
		pfd->revents = 0;
		if (pfd->fd < 0)
			continue;
		struct file *f = fd_get(curproc(), pfd->fd);
		if (!f)
			pfd->revents = POLLNVAL;
		else
			pfd->revents = (int16_t)(file_events(f) & ((uint16_t)pfd->events | POLLERR | POLLHUP));
		ready += pfd->revents != 0;
	}
	return ready;
}

static long ppoll_wait(struct ppoll_ctx *c, uint64_t ufds, uint64_t deadline)
{
	size_t bytes = c->n * sizeof *c->fds;
	if (copy_from_user(curmm(), c->fds, ufds, bytes))
		return -EFAULT;
	long r = wait_event_deadline(&poll_waitq, ppoll_scan, c, deadline);
	int ready = 0;
	for (unsigned i = 0; i < c->n; i++)
		ready += c->fds[i].revents != 0;
	/* revents go back even on -EINTR (then all zero), as Linux does */
	if (copy_to_user(curmm(), ufds, c->fds, bytes))
		return -EFAULT;
	return r == -ETIMEDOUT ? 0 : r ? r : ready;
}

SYSCALL(ppoll)
{
	uint64_t deadline;
	int zero;
	long r = read_timeout(a[2], &deadline, &zero);
	if (r)
		return r;
	r = check_sigmask(a[3], a[4]);
	if (!r && a[1] > POLL_MAX_FDS)
		r = -EINVAL;
	if (!r) {
		/* up to 1024 * 8 bytes: one or two pages */
		size_t npages = a[1] * sizeof(struct pollfd_k) > PGSIZE ? 2 : 1;
		struct ppoll_ctx c = { page_alloc_n(npages), (unsigned)a[1] };
		r = c.fds ? ppoll_wait(&c, a[0], deadline) : -ENOMEM;
		if (c.fds)
			page_free_n(c.fds, npages);
	}
	write_time_left(a[2], deadline, zero);
	return r;
}

#define SEL_WORDS ((NOFILE + 63) / 64)

struct select_ctx {
	int n;
	uint64_t in[3][SEL_WORDS];	/* read, write, except sets asked for */
	uint64_t out[3][SEL_WORDS];	/* and found ready */
};

static int select_scan(void *arg)
{
	static const int want[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };
	struct select_ctx *c = arg;
	int ready = 0;
	memset(c->out, 0, sizeof c->out);
	for (int fd = 0; fd < c->n; fd++) {
		int w = fd / 64;
		uint64_t bit = 1UL << (fd % 64);
		if (!((c->in[0][w] | c->in[1][w] | c->in[2][w]) & bit))
			continue;
		struct file *f = fd_get(curproc(), fd);
		int ev = f ? file_events(f) : 0;
		for (int k = 0; k < 3; k++)
			if ((c->in[k][w] & bit) && (ev & want[k])) {
				c->out[k][w] |= bit;
				ready++;
			}
	}
	return ready;
}

/* Copy in the sets and check every fd named is open (-EBADF, before any wait). */
static long select_setup(struct select_ctx *c, const uint64_t uset[3])
{
	size_t bytes = (size_t)(c->n + 63) / 64 * 8;
	memset(c->in, 0, sizeof c->in);
	for (int k = 0; k < 3; k++)
		if (uset[k] && copy_from_user(curmm(), c->in[k], uset[k], bytes))
			return -EFAULT;
	for (int fd = 0; fd < c->n; fd++) {
		int w = fd / 64;
		uint64_t bit = 1UL << (fd % 64);
		if (((c->in[0][w] | c->in[1][w] | c->in[2][w]) & bit) && !fd_get(curproc(), fd))
			return -EBADF;
	}
	return 0;
}

static long select_wait(int n, const uint64_t uset[3], uint64_t deadline)
{
	struct select_ctx c = { .n = n };
	long r = select_setup(&c, uset);
	if (r)
		return r;
	r = wait_event_deadline(&poll_waitq, select_scan, &c, deadline);
	if (r == -EINTR)
		return r;	/* the sets are left as they were */
	int ready = 0;
	for (int k = 0; k < 3; k++)
		for (int w = 0; w < SEL_WORDS; w++)
			ready += __builtin_popcountl(c.out[k][w]);
	size_t bytes = (size_t)(n + 63) / 64 * 8;
	for (int k = 0; k < 3; k++)
		if (uset[k] && copy_to_user(curmm(), uset[k], c.out[k], bytes))
			return -EFAULT;
	return ready;
}

SYSCALL(pselect6)
{
	struct { uint64_t set, size; } sig = { 0, 0 };
	if (a[5] && copy_from_user(curmm(), &sig, a[5], sizeof sig))
		return -EFAULT;
	uint64_t deadline;
	int zero;
	long r = read_timeout(a[4], &deadline, &zero);
	if (r)
		return r;
	r = check_sigmask(sig.set, sig.size);
	if (!r && (int)a[0] < 0)
		r = -EINVAL;
	if (!r) {
		/* Linux clamps nfds to the fd table's size; ours is NOFILE */
		int n = (int)a[0] < NOFILE ? (int)a[0] : NOFILE;
		const uint64_t uset[3] = { a[1], a[2], a[3] };
		r = select_wait(n, uset, deadline);
	}
	write_time_left(a[4], deadline, zero);
	return r;
}
