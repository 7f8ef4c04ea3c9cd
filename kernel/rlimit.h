/*
 * Resource limits (getrlimit/setrlimit/prlimit64).  Kept per process,
 * inherited by fork and kept across execve; enforced: RLIMIT_NOFILE (fd
 * allocation), RLIMIT_DATA (brk), RLIMIT_NPROC (fork), RLIMIT_STACK (the
 * stack grows on demand up to min(limit, 8 MiB)).  kernel/rlimit.c.
 */
#pragma once
#include <stdint.h>

#define RLIMIT_STACK 3
#define RLIMIT_DATA 2
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0UL)

struct rlimit_k { uint64_t cur, max; };
struct proc;

void rlimit_init(struct proc *p);			/* init's defaults */
void rlimit_inherit(struct proc *child, struct proc *parent);
uint64_t rlimit_cur(struct proc *p, int res);
int rlimit_fork_ok(struct proc *p);	/* RLIMIT_NPROC allows one more process */
