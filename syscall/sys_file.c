/* File system calls: open, read/write family, stat, directories, fds. */
#include "kernel/fs/mount.h"
#include "syscall/sys.h"
#include "kernel/fs/flock.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/perm.h"
#include "kernel/net/socket.h"
#include <string.h>

#define PATH_MAX 4096

struct mm *curmm(void) { return curproc()->mm; }

int path_start(int dirfd, uint64_t upath, char *kpath, struct inode **start)
{
	long n = strncpy_from_user(curmm(), kpath, upath, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	if (kpath[0] == '/' || dirfd == AT_FDCWD) {
		*start = curproc()->cwd;
		return 0;
	}
	struct file *f = fd_get(curproc(), dirfd);
	if (!f)
		return -EBADF;
	if (!f->ip || !S_ISDIR(f->ip->mode))
		return -ENOTDIR;
	*start = f->ip;
	return 0;
}

/* Path buffers are a page: too big for the coroutine stacks. */
static char *path_buf(void) { return page_alloc(); }
static void path_free(char *p) { page_free(p); }

/* What open asks of an existing inode: r and/or w by the access mode; O_TRUNC writes. */
static int open_mask(int flags)
{
	if (flags & O_PATH)
		return 0;
	int acc = flags & O_ACCMODE, mask = 0;
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	return mask;
}

SYSCALL(openat)
{
	int dirfd = (int)a[0], flags = (int)a[2];
	uint32_t mode = (uint32_t)a[3] & 07777 & ~curproc()->umask;
	char *path = path_buf();
	if (!path)
		return -ENOMEM;
	struct inode *start, *ip = NULL;
	int created = 0;
	int err = path_start(dirfd, a[1], path, &start);
	if (!err) {
		err = vfs_lookup(start, path, !(flags & O_NOFOLLOW), &ip);
		if (err == -ENOENT && (flags & O_CREAT)) {
			struct inode *dir;
			char last[256];
			err = vfs_lookup_parent(start, path, &dir, last);
			if (!err) {
				err = may_create(dir);
				if (!err)
					err = vfs_create(dir, last, S_IFREG | mode, 0, &ip);
				inode_put(dir);
				created = !err;
			}
		} else if (!err && (flags & O_CREAT) && (flags & O_EXCL)) {
			err = -EEXIST;
		} else if (!err && (flags & O_CREAT) && S_ISDIR(ip->mode)) {
			err = -EISDIR;
		}
	}
	path_free(path);
	if (!err && S_ISLNK(ip->mode))
		err = -ELOOP;		/* O_NOFOLLOW on a symlink */
	if (!err && (flags & O_DIRECTORY) && !S_ISDIR(ip->mode))
		err = -ENOTDIR;
	if (!err && !created)
		err = inode_permission(ip, open_mask(flags));
	if (!err && (flags & O_TRUNC) && S_ISREG(ip->mode) && (flags & O_ACCMODE) != O_RDONLY) {
		inode_kill_suid(ip);
		err = inode_truncate(ip, 0);
	}
	struct file *f = NULL;
	if (!err)
		err = file_open_inode(ip, flags, &f);
	if (ip)
		inode_put(ip);
	if (err)
		return err;
	int fd = fd_install(curproc(), f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL(close)
{
	struct proc *p = curproc();
	int fd = (int)a[0];	/* the int the caller passed: the upper half is ignored */
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	p->files[fd] = NULL;
	if (f->ip)
		posix_locks_release(p, f->ip);	/* POSIX: any close drops the process's locks */
	file_put(f);
	return 0;
}

static long do_read(struct file *f, uint64_t buf, size_t n)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!user_range_ok(buf, n))
		return -EFAULT;
	if (n > 0x7ffff000)
		n = 0x7ffff000;
	return f->ops->read ? f->ops->read(f, buf, n) : -EINVAL;
}

static long do_write(struct file *f, uint64_t buf, size_t n)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!user_range_ok(buf, n))
		return -EFAULT;
	if (n > 0x7ffff000)
		n = 0x7ffff000;
	return f->ops->write ? f->ops->write(f, buf, n) : -EINVAL;
}

SYSCALL(read)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	return f ? do_read(f, a[1], a[2]) : -EBADF;
}

SYSCALL(write)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	return f ? do_write(f, a[1], a[2]) : -EBADF;
}

static long do_rw_at(const uint64_t a[6], int write)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->ip || !(S_ISREG(f->ip->mode) || S_ISBLK(f->ip->mode)))
		return -ESPIPE;	/* block devices have offsets too (issue 12) */
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	uint64_t saved = f->off;
	int saved_flags = f->flags;
	f->off = a[3];
	f->flags &= ~O_APPEND;
	long r = write ? do_write(f, a[1], a[2]) : do_read(f, a[1], a[2]);
	f->off = saved;
	f->flags = saved_flags;
	return r;
}

SYSCALL(pread64) { return do_rw_at(a, 0); }
SYSCALL(pwrite64) { return do_rw_at(a, 1); }

/* struct iovec_k: kernel/net/socket.h */

static long do_rwv(const uint64_t a[6], int write)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	int cnt = (int)a[2];
	if (cnt < 0 || cnt > 1024)
		return -EINVAL;
	long total = 0;
	for (int i = 0; i < cnt; i++) {
		struct iovec_k iov;
		if (copy_from_user(curmm(), &iov, a[1] + (uint64_t)i * sizeof iov, sizeof iov))
			return total ? total : -EFAULT;
		if ((int64_t)iov.len < 0)
			return -EINVAL;
		if (!iov.len)
			continue;
		long r = write ? do_write(f, iov.base, iov.len) : do_read(f, iov.base, iov.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < iov.len)
			break;
	}
	return total;
}

SYSCALL(readv) { return do_rwv(a, 0); }
SYSCALL(writev) { return do_rwv(a, 1); }

SYSCALL(lseek)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->ip || S_ISCHR(f->ip->mode))
		return f->ip ? 0 : -ESPIPE;	/* ttys and devices: Linux returns 0 */
	int64_t off = (int64_t)a[1], base;
	switch (a[2]) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->off; break;
	case 2: base = (int64_t)f->ip->size; break;
	default: return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

/* riscv64 struct stat (asm-generic), 128 bytes */
struct stat_k {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct stat_k) == 128, "riscv64 struct stat");

static long stat_to_user(struct inode *ip, uint64_t ubuf)
{
	struct stat_k st = {
		.dev = disk_inode_dev(ip), .ino = ip->ino, .mode = ip->mode, .nlink = ip->nlink,
		.uid = ip->uid, .gid = ip->gid, .rdev = ip->rdev, .size = (int64_t)ip->size,
		.blksize = 4096, .blocks = (int64_t)((ip->size + 511) / 512),
		.atime = ip->atime.sec, .atime_ns = ip->atime.nsec,
		.mtime = ip->mtime.sec, .mtime_ns = ip->mtime.nsec,
		.ctime = ip->ctime.sec, .ctime_ns = ip->ctime.nsec,
	};
	return copy_to_user(curmm(), ubuf, &st, sizeof st) ? -EFAULT : 0;
}

SYSCALL(fstat)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->ip) {
		/* a pipe, or a socket (Linux: S_IFSOCK | 0777) */
		uint32_t mode = sock_of_file(f) ? S_IFSOCK | 0777 : S_IFIFO | 0600;
		struct inode fake = { .ino = 0, .mode = mode, .nlink = 1 };
		return stat_to_user(&fake, a[1]);
	}
	return stat_to_user(f->ip, a[1]);
}

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

SYSCALL(newfstatat)
{
	int flags = (int)a[3];
	char *path = path_buf();
	if (!path)
		return -ENOMEM;
	struct inode *start, *ip;
	long n = strncpy_from_user(curmm(), path, a[1], PATH_MAX);
	int err = n < 0 ? (int)n : 0;
	if (!err && n == 0 && (flags & AT_EMPTY_PATH)) {
		path_free(path);
		uint64_t b[6] = { a[0], a[2] };
		return sys_fstat(b);
	}
	if (!err)
		err = path_start((int)a[0], a[1], path, &start);
	if (!err)
		err = vfs_lookup(start, path, !(flags & AT_SYMLINK_NOFOLLOW), &ip);
	path_free(path);
	if (err)
		return err;
	err = (int)stat_to_user(ip, a[2]);
	inode_put(ip);
	return err;
}

struct dirent_ctx { char *buf; size_t cap, len; };

static int emit_dirent(void *c, const char *name, size_t namelen, uint64_t ino, unsigned dtype)
{
	struct dirent_ctx *ctx = c;
	size_t reclen = (19 + namelen + 1 + 7) & ~7UL;
	if (ctx->len + reclen > ctx->cap)
		return 1;
	char *d = ctx->buf + ctx->len;
	memset(d, 0, reclen);
	memcpy(d, &ino, 8);
	uint64_t off = 0;
	memcpy(d + 8, &off, 8);		/* d_off: filled below by the caller's position */
	uint16_t rl = (uint16_t)reclen;
	memcpy(d + 16, &rl, 2);
	d[18] = (char)dtype;
	memcpy(d + 19, name, namelen);
	ctx->len += reclen;
	return 0;
}

SYSCALL(getdents64)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->ip || !S_ISDIR(f->ip->mode))
		return -ENOTDIR;
	if (!user_range_ok(a[1], a[2]))
		return -EFAULT;
	size_t cap = a[2] < PGSIZE ? a[2] : PGSIZE;
	struct dirent_ctx ctx = { page_alloc(), cap, 0 };
	if (!ctx.buf)
		return -ENOMEM;
	int err = vfs_readdir(f->ip, &f->off, emit_dirent, &ctx);
	long r = err ? err : (long)ctx.len;
	if (r == 0 && err == 0 && a[2] < 24)
		r = -EINVAL;		/* buffer too small for one entry */
	if (r > 0 && copy_to_user(curmm(), a[1], ctx.buf, ctx.len))
		r = -EFAULT;
	page_free(ctx.buf);
	return r;
}

SYSCALL(dup)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	int fd = fd_install(curproc(), f, 0, 0);
	if (fd >= 0)
		file_get(f);
	return fd;
}

SYSCALL(dup3)
{
	struct proc *p = curproc();
	int oldfd = (int)a[0], newfd = (int)a[1];
	struct file *f = fd_get(p, oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= NOFILE)
		return -EBADF;
	if (oldfd == newfd || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	file_get(f);
	if (p->files[newfd])
		file_put(p->files[newfd]);
	p->files[newfd] = f;
	if (a[2] & O_CLOEXEC)
		p->cloexec |= 1UL << newfd;
	else
		p->cloexec &= ~(1UL << newfd);
	return newfd;
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030

SYSCALL(fcntl)
{
	struct proc *p = curproc();
	int fd = (int)a[0];
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD: case F_DUPFD_CLOEXEC: {
		if ((int64_t)a[2] < 0 || a[2] >= NOFILE)
			return -EINVAL;
		int nfd = fd_install(p, f, (int)a[2], a[1] == F_DUPFD_CLOEXEC);
		if (nfd >= 0)
			file_get(f);
		return nfd;
	}
	case F_GETFD: return (p->cloexec >> fd) & 1;
	case F_SETFD:
		if (a[2] & 1)
			p->cloexec |= 1UL << fd;
		else
			p->cloexec &= ~(1UL << fd);
		return 0;
	case F_GETFL: return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | ((int)a[2] & (O_APPEND | O_NONBLOCK));
		return 0;
	case 5: case 6: case 7:		/* F_GETLK, F_SETLK, F_SETLKW: kernel/fs/flock.c */
		return posix_lock(p, f, (int)a[1], a[2]);
	default: return -EINVAL;
	}
}

SYSCALL(ioctl)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return f->ops->ioctl ? f->ops->ioctl(f, (unsigned)a[1], a[2]) : -ENOTTY;
}

SYSCALL(getcwd)
{
	char buf[512];
	if (a[1] == 0)
		return -EINVAL;
	int n = vfs_getcwd(curproc()->cwd, buf, sizeof buf);
	if (n < 0)
		return n;
	if ((uint64_t)n + 1 > a[1])
		return -ERANGE;
	return copy_to_user(curmm(), a[0], buf, (size_t)n + 1) ? -EFAULT : n + 1;
}

static int set_cwd(struct inode *ip)
{
	if (!S_ISDIR(ip->mode))
		return -ENOTDIR;
	int err = inode_permission(ip, MAY_EXEC);
	if (err)
		return err;
	struct proc *p = curproc();
	inode_get(ip);
	inode_put(p->cwd);
	p->cwd = ip;
	return 0;
}

SYSCALL(chdir)
{
	char *path = path_buf();
	if (!path)
		return -ENOMEM;
	struct inode *start, *ip;
	int err = path_start(AT_FDCWD, a[0], path, &start);
	if (!err)
		err = vfs_lookup(start, path, 1, &ip);
	path_free(path);
	if (err)
		return err;
	err = set_cwd(ip);
	inode_put(ip);
	return err;
}

SYSCALL(fchdir)
{
	struct file *f = fd_get(curproc(), (int)a[0]);
	if (!f)
		return -EBADF;
	return f->ip ? set_cwd(f->ip) : -ENOTDIR;
}

/*
 * The referenced (dir, last) pair for calls that create or remove a name;
 * *slash (if asked) tells whether the path ended in '/'.
 */
int path_parent(int dirfd, uint64_t upath, struct inode **dir, char *last, int *slash)
{
	char *path = path_buf();
	if (!path)
		return -ENOMEM;
	struct inode *start;
	int err = path_start(dirfd, upath, path, &start);
	if (!err)
		err = vfs_lookup_parent(start, path, dir, last);
	if (!err && slash)
		*slash = path[strlen(path) - 1] == '/';
	path_free(path);
	return err;
}

SYSCALL(mkdirat)
{
	struct inode *dir;
	char last[256];
	int err = path_parent((int)a[0], a[1], &dir, last, NULL);
	if (err)
		return err;
	err = may_create(dir);
	if (!err)
		err = vfs_mkdir(dir, last, (uint32_t)a[2] & 07777 & ~curproc()->umask);
	inode_put(dir);
	return err;
}

#define AT_REMOVEDIR 0x200

SYSCALL(unlinkat)
{
	struct inode *dir;
	char last[256];
	int err = path_parent((int)a[0], a[1], &dir, last, NULL);
	if (err)
		return err;
	err = may_delete_name(dir, last);
	if (!err)
		err = (a[2] & AT_REMOVEDIR) ? vfs_rmdir(dir, last) : vfs_unlink(dir, last);
	inode_put(dir);
	return err;
}

SYSCALL(umask)
{
	struct proc *p = curproc();
	uint32_t old = p->umask;
	p->umask = (uint32_t)a[0] & 0777;
	return old;
}
