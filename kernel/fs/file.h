/*
 * Open files: what a file descriptor points at.  Device files are picked
 * by the inode's rdev (Linux major:minor).  All file calls run on the
 * syscall cpu, which serialises them: no locks here.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

struct inode;
struct file;
struct proc;

struct file_ops {
	/* ubuf is a user address in the calling process */
	long (*read)(struct file *f, uint64_t ubuf, size_t n);
	long (*write)(struct file *f, uint64_t ubuf, size_t n);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	void (*release)(struct file *f);
	/* readiness for poll: bit 0 readable, bit 1 writable */
	int (*poll)(struct file *f);
	/* read and write touch no kernel state but the caller's user memory
	 * (under mm->lock): they may run on any hart while others run other
	 * calls (in-place fallback, syscall_runs_anywhere in syscall/table.c) */
	int anywhere;
};

struct file {
	const struct file_ops *ops;
	struct inode *ip;	/* NULL for pipes */
	uint64_t off;
	int flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK */
	int refs;
	void *priv;
};

#define O_ACCMODE   3
#define O_RDONLY    0
#define O_WRONLY    1
#define O_RDWR      2
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_PATH      010000000
#define AT_FDCWD    (-100)

struct file *file_alloc(const struct file_ops *ops, struct inode *ip, int flags);
void file_get(struct file *f);
void file_put(struct file *f);
/* Open an inode already looked up (regular, directory or device). */
int file_open_inode(struct inode *ip, int flags, struct file **out);
/* fd table of p: install at the lowest free fd >= min; -EMFILE when full. */
int fd_install(struct proc *p, struct file *f, int min, int cloexec);
struct file *fd_get(struct proc *p, int fd);
int fd_install_console(struct proc *p);

/* Device ids (Linux's): mem 1:3 null, 1:5 zero, 1:8 random, 1:9 urandom; tty 5:0, console 5:1. */
#define MKDEV(ma, mi) (((ma) << 8) | (mi))
#define RTC_MAJOR 254	/* Linux allocates it dynamically; 254 is what it usually gets */
extern const struct file_ops rtc_dev_ops;	/* drivers/rtc.c */
extern const struct file_ops tty_ops;
