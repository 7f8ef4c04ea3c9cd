/*
 * POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW), per process and
 * inode, released when the process closes any fd on the inode or exits
 * (kernel/fs/flock.c).
 */
#pragma once
#include <stdint.h>

struct proc;
struct file;
struct inode;

long posix_lock(struct proc *p, struct file *f, int cmd, uint64_t uflock);
/* p closed an fd on ip (ip NULL: p exits): its locks there go. */
void posix_locks_release(struct proc *p, struct inode *ip);
