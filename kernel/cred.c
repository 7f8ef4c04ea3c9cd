/*
 * Credentials: the root bypass (kernel/cred.h).  cred_current() is
 * kernel/proc.c's (it knows which process a thread serves); the set*id
 * calls are syscall/sys_cred.c.  Nothing else here, so the host tests
 * (tests/host/test_perm.c) link this file with their own cred_current().
 */
#include "kernel/cred.h"

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
