/*
 * procfs: a read-only synthetic filesystem on /proc (kernel/fs/procfs.c), for
 * ps, top, free, uptime, mount and df.
 *
 * Inodes are made per lookup and freed when their last ref goes (see
 * struct inode_ops in kernel/fs/vfs.h); only the root lives forever.  A file's
 * contents are rendered once, at open, into pages the open file owns, so a
 * reader sees one consistent snapshot however it splits its reads.
 * /proc/<pid> names a pid, never a struct proc: a lookup or open after the
 * process was reaped is -ENOENT / -ESRCH, never a stale pointer.
 *
 * Concurrency: like the VFS, everything runs on the syscall cpu, one call
 * at a time.  Fields the client cpu writes (task times, thread state) are
 * read without a lock: a stale value is harmless in a report.
 */
#pragma once
#include <stdint.h>

struct mm;

/* Mount procfs on the existing ramfs directory /proc (boot, after the rootfs). */
void procfs_init(void);

/*
 * The mount table /proc/mounts shows.  The root ramfs and procfs are fixed;
 * mount(2) of a memory filesystem on an existing directory only records it
 * (the directory is ramfs already).  dir is absolute and canonical.
 * add: 0, -EBUSY (already a mount point), -ENOSPC (table full).
 * del: 0 (a fixed entry stays), -EINVAL (not a mount point).
 */
int procfs_mount_add(const char *source, const char *dir, const char *type);
int procfs_mount_del(const char *dir);
void procfs_mount_root(const char *source, const char *type);

/* Pages mapped in mm's user half (RSS; all memory is resident): takes mm->lock. */
uint64_t procfs_mm_pages(struct mm *mm);
