/* Shared by the syscall handlers (syscall/sys_x.c files). */
#pragma once
#include <stdint.h>
#include "kernel/proc.h"
#include "kernel/fs/file.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "drivers/tty.h"

typedef long (*syscall_fn)(const uint64_t a[6]);

#define SYSCALL(name) long sys_##name(const uint64_t a[6])

/* Resolve `dirfd` + user path to a starting inode and a kernel copy of the path. */
int path_start(int dirfd, uint64_t upath, char *kpath, struct inode **start);
int path_parent(int dirfd, uint64_t upath, struct inode **dir, char *last, int *slash);
struct mm *curmm(void);
/* Where an mmap without MAP_FIXED goes (syscall/sys_mem.c); 0 when no room. */
uint64_t mmap_pick(struct mm *mm, uint64_t len);
