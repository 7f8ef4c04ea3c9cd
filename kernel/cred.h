/*
 * Credentials (credentials(7)): who a process is, for access checks.
 *
 * Each process carries one struct cred (proc->cred), copied by fork and
 * clone, changed only by the set*id calls and by exec of a set-user-ID or
 * set-group-ID file.  Like every other process field it is written only by
 * syscall handlers, which run one at a time on the syscall cpu: no lock.
 *
 * duet has no capability sets: the root bypass of capabilities(7) is "the
 * relevant id is 0".  File access (CAP_DAC_*, CAP_FOWNER, CAP_CHOWN) looks
 * at the fsuid, everything else (CAP_KILL, CAP_SETUID, CAP_SYS_TIME...) at
 * the euid, as Linux's cap_task_fix_setuid keeps them in step.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define NGROUPS_MAX 32		/* supplementary groups per process (Linux: 65536) */

struct cred {
	uint32_t uid, euid, suid, fsuid;	/* real, effective, saved, filesystem */
	uint32_t gid, egid, sgid, fsgid;
	int ngroups;
	uint32_t groups[NGROUPS_MAX];
};

/* capabilities(7) numbers, for capable() */
#define CAP_CHOWN            0
#define CAP_DAC_OVERRIDE     1
#define CAP_DAC_READ_SEARCH  2
#define CAP_FOWNER           3
#define CAP_FSETID           4
#define CAP_KILL             5
#define CAP_SETGID           6
#define CAP_SETUID           7
#define CAP_SYS_ADMIN        21
#define CAP_SYS_BOOT         22
#define CAP_SYS_NICE         23
#define CAP_SYS_RESOURCE     24
#define CAP_SYS_TIME         25

/*
 * The calling process's credentials; NULL when no user process is behind
 * the current thread (boot, unpacking the initramfs): the kernel itself,
 * which passes every check.
 */
struct cred *cred_current(void);

/*
 * Does the caller hold capability cap?  Root's: the file capabilities
 * (CAP_CHOWN, CAP_DAC_*, CAP_FOWNER, CAP_FSETID) follow fsuid 0, the others
 * euid 0.  The kernel itself holds them all.
 */
bool capable(int cap);
/* capable() of any capability held by euid 0: e.g. clock_settime, reboot. */
bool cred_is_root(void);
/* gid is the caller's fsgid or one of its supplementary groups. */
bool cred_in_group(const struct cred *c, uint32_t gid);
