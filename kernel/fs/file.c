#include "drivers/blkdev.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/random.h"
#include "kernel/perm.h"
#include <string.h>

struct file *file_alloc(const struct file_ops *ops, struct inode *ip, int flags)
{
	struct file *f = kzalloc(sizeof *f);
	if (!f)
		return NULL;
	f->ops = ops;
	f->ip = ip;
	f->flags = flags;
	f->refs = 1;
	return f;
}

void file_get(struct file *f) { f->refs++; }

void file_put(struct file *f)
{
	if (--f->refs > 0)
		return;
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->ip)
		inode_put(f->ip);
	kfree(f);
}

/* ---- regular files: bounce through one kernel page ---- */

static long reg_read(struct file *f, uint64_t ubuf, size_t n)
{
	char *buf = page_alloc();
	if (!buf)
		return -ENOMEM;
	long done = 0;
	while ((size_t)done < n) {
		size_t c = n - (size_t)done < PGSIZE ? n - (size_t)done : PGSIZE;
		long r = inode_read(f->ip, f->off, buf, c);
		if (r <= 0) {
			if (r < 0 && done == 0)
				done = r;
			break;
		}
		if (copy_to_user(curproc()->mm, ubuf + (uint64_t)done, buf, (size_t)r)) {
			if (done == 0)
				done = -EFAULT;
			break;
		}
		f->off += (uint64_t)r;
		done += r;
		if ((size_t)r < c)
			break;
	}
	page_free(buf);
	return done;
}

static long reg_write(struct file *f, uint64_t ubuf, size_t n)
{
	char *buf = page_alloc();
	if (!buf)
		return -ENOMEM;
	if (f->flags & O_APPEND)
		f->off = f->ip->size;
	inode_kill_suid(f->ip);		/* a non-root writer must not keep a set-ID program */
	long done = 0;
	while ((size_t)done < n) {
		size_t c = n - (size_t)done < PGSIZE ? n - (size_t)done : PGSIZE;
		if (copy_from_user(curproc()->mm, buf, ubuf + (uint64_t)done, c)) {
			if (done == 0)
				done = -EFAULT;
			break;
		}
		long r = inode_write(f->ip, f->off, buf, c);
		if (r <= 0) {
			if (done == 0)
				done = r ? r : -ENOSPC;
			break;
		}
		f->off += (uint64_t)r;
		done += r;
		if ((size_t)r < c)
			break;
	}
	page_free(buf);
	return done;
}

static long dir_rw(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EISDIR;
}

static int always_ready(struct file *f) { (void)f; return 3; }

static const struct file_ops reg_ops = { .read = reg_read, .write = reg_write, .poll = always_ready };
static const struct file_ops dir_ops = { .read = dir_rw, .write = dir_rw, .poll = always_ready };

/* ---- /dev/null, /dev/zero (/dev/random, /dev/urandom: kernel/random_user.c) ---- */

static long null_read(struct file *f, uint64_t ubuf, size_t n) { (void)f, (void)ubuf, (void)n; return 0; }
static long null_write(struct file *f, uint64_t ubuf, size_t n) { (void)f, (void)ubuf; return (long)n; }

static long zero_read(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	return clear_user(curproc()->mm, ubuf, n) ? -EFAULT : (long)n;
}

static const struct file_ops null_ops = { .read = null_read, .write = null_write, .poll = always_ready,
					   .anywhere = 1 };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write, .poll = always_ready,
					   .anywhere = 1 };

static const struct file_ops *dev_ops(uint32_t rdev)
{
	switch (rdev) {
	case MKDEV(1, 3): return &null_ops;
	case MKDEV(1, 5): return &zero_ops;
	case MKDEV(1, 8): return &random_dev_ops;
	case MKDEV(1, 9): return &urandom_dev_ops;
	case MKDEV(RTC_MAJOR, 0): case MKDEV(10, 135): return &rtc_dev_ops;	/* rtc0, misc/rtc */
	case MKDEV(5, 0): case MKDEV(5, 1): case MKDEV(4, 0): case MKDEV(4, 1): return &tty_ops;
	default: return NULL;
	}
}

int file_open_inode(struct inode *ip, int flags, struct file **out)
{
	const struct file_ops *ops;
	if (ip->ops && ip->ops->open)
		return ip->ops->open(ip, flags, out);	/* a synthetic file (procfs) */
	if (S_ISDIR(ip->mode)) {
		if ((flags & O_ACCMODE) != O_RDONLY)
			return -EISDIR;
		ops = &dir_ops;
	} else if (S_ISBLK(ip->mode)) {
		struct blkdev *bd = blkdev_by_rdev(ip->rdev);
		if (!bd)
			return -ENXIO;
		if (bd->readonly && (flags & O_ACCMODE) != O_RDONLY)
			return -EROFS;
		ops = &blkdev_fops;
	} else if (S_ISSOCK(ip->mode)) {
		return -ENXIO;		/* a socket's name is for connect(), not open() */
	} else if (S_ISCHR(ip->mode)) {
		ops = dev_ops(ip->rdev);
		if (!ops)
			return -ENXIO;
	} else {
		ops = &reg_ops;
	}
	struct file *f = file_alloc(ops, ip, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOCTTY));
	if (!f)
		return -ENOMEM;
	inode_get(ip);
	*out = f;
	return 0;
}

int fd_install(struct proc *p, struct file *f, int min, int cloexec)
{
	uint64_t lim = rlimit_cur(p, RLIMIT_NOFILE);
	for (int fd = min < 0 ? 0 : min; fd < NOFILE && (uint64_t)fd < lim; fd++) {
		if (p->files[fd])
			continue;
		p->files[fd] = f;
		if (cloexec)
			p->cloexec |= 1UL << fd;
		else
			p->cloexec &= ~(1UL << fd);
		return fd;
	}
	return -EMFILE;
}

struct file *fd_get(struct proc *p, int fd)
{
	if (fd < 0 || fd >= NOFILE)
		return NULL;
	return p->files[fd];
}

/* fds 0, 1, 2 on /dev/console for init. */
int fd_install_console(struct proc *p)
{
	struct inode *ip;
	int err = vfs_lookup(vfs_root(), "/dev/console", 1, &ip);
	if (err)
		return err;
	struct file *f;
	err = file_open_inode(ip, O_RDWR, &f);
	inode_put(ip);
	if (err)
		return err;
	for (int fd = 0; fd < 3; fd++) {
		if (fd)
			file_get(f);
		p->files[fd] = f;
	}
	return 0;
}
