/*
 * Credentials: the caller's identity and the root bypass (kernel/cred.h).
 * The set*id calls that change them are syscall/sys_cred.c.
 */
#include "kernel/cred.h"
#include "kernel/proc.h"

struct cred *cred_current(void)
{
	struct thread *t = current();
	if (!t || !t->task || !t->task->proc)
		return NULL;
	return &t->task->proc->cred;
}

static bool fs_cap(int cap)
{
	return cap == CAP_CHOWN || cap == CAP_DAC_OVERRIDE || cap == CAP_DAC_READ_SEARCH ||
	       cap == CAP_FOWNER || cap == CAP_FSETID;
}

bool capable(int cap)
{
	struct cred *c = cred_current();
	if (!c)
		return true;
	return (fs_cap(cap) ? c->fsuid : c->euid) == 0;
}

bool cred_is_root(void)
{
	return capable(CAP_SYS_ADMIN);
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}
