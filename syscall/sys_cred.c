/*
 * The set*id/get*id family with Linux's rules (credentials(7), setresuid(2)):
 * a process with CAP_SETUID (euid 0) may set any ids; any other may only
 * move its real, effective and saved ids among the values it already has.
 * The fsuid follows the euid on every change.  uid and gid calls share one
 * implementation over an "id set" view of struct cred.
 */
#include "syscall/sys.h"
#include "kernel/cred.h"

#define NO_ID ((uint32_t)-1)	/* "leave unchanged" */

/* One half of a cred: the four uids or the four gids. */
struct ids { uint32_t *r, *e, *s, *fs; int cap; };

static struct ids uids(struct cred *c) { return (struct ids){ &c->uid, &c->euid, &c->suid, &c->fsuid, CAP_SETUID }; }
static struct ids gids(struct cred *c) { return (struct ids){ &c->gid, &c->egid, &c->sgid, &c->fsgid, CAP_SETGID }; }

/* An unprivileged process may take an id it already has as real, effective or saved. */
static int held(struct ids v, uint32_t id)
{
	return id == *v.r || id == *v.e || id == *v.s;
}

static long set_res(struct ids v, uint32_t r, uint32_t e, uint32_t s)
{
	if (!capable(v.cap) &&
	    ((r != NO_ID && !held(v, r)) || (e != NO_ID && !held(v, e)) || (s != NO_ID && !held(v, s))))
		return -EPERM;
	if (r != NO_ID)
		*v.r = r;
	if (e != NO_ID)
		*v.e = e;
	if (s != NO_ID)
		*v.s = s;
	*v.fs = *v.e;
	return 0;
}

/* setreuid(2): the real id may become the effective one; the saved id follows a new euid. */
static long set_re(struct ids v, uint32_t r, uint32_t e)
{
	uint32_t old_r = *v.r;
	if (!capable(v.cap) &&
	    ((r != NO_ID && r != *v.r && r != *v.e) || (e != NO_ID && !held(v, e))))
		return -EPERM;
	if (r != NO_ID)
		*v.r = r;
	if (e != NO_ID)
		*v.e = e;
	if (r != NO_ID || (e != NO_ID && e != old_r))
		*v.s = *v.e;
	*v.fs = *v.e;
	return 0;
}

/* setuid(2): privileged sets all three; otherwise only the euid, to the real or saved id. */
static long set_one(struct ids v, uint32_t id)
{
	if (id == NO_ID)
		return -EINVAL;
	if (capable(v.cap))
		*v.r = *v.s = id;
	else if (id != *v.r && id != *v.s)
		return -EPERM;
	*v.e = *v.fs = id;
	return 0;
}

/* setfsuid(2): always returns the old fsuid; a change it may not make is silently ignored. */
static long set_fs(struct ids v, uint32_t id)
{
	uint32_t old = *v.fs;
	if (id != NO_ID && (capable(v.cap) || held(v, id) || id == *v.fs))
		*v.fs = id;
	return old;
}

static long get_res(struct ids v, const uint64_t a[6])
{
	struct mm *mm = curmm();
	if (copy_to_user(mm, a[0], v.r, 4) || copy_to_user(mm, a[1], v.e, 4) ||
	    copy_to_user(mm, a[2], v.s, 4))
		return -EFAULT;
	return 0;
}

#define CRED (&curproc()->cred)

SYSCALL(getuid) { (void)a; return CRED->uid; }
SYSCALL(geteuid) { (void)a; return CRED->euid; }
SYSCALL(getgid) { (void)a; return CRED->gid; }
SYSCALL(getegid) { (void)a; return CRED->egid; }
SYSCALL(setuid) { return set_one(uids(CRED), (uint32_t)a[0]); }
SYSCALL(setgid) { return set_one(gids(CRED), (uint32_t)a[0]); }
SYSCALL(setreuid) { return set_re(uids(CRED), (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setregid) { return set_re(gids(CRED), (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setresuid) { return set_res(uids(CRED), (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]); }
SYSCALL(setresgid) { return set_res(gids(CRED), (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]); }
SYSCALL(getresuid) { return get_res(uids(CRED), a); }
SYSCALL(getresgid) { return get_res(gids(CRED), a); }
SYSCALL(setfsuid) { return set_fs(uids(CRED), (uint32_t)a[0]); }
SYSCALL(setfsgid) { return set_fs(gids(CRED), (uint32_t)a[0]); }

SYSCALL(getgroups)
{
	struct cred *c = CRED;
	int size = (int)a[0];
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (copy_to_user(curmm(), a[1], c->groups, (size_t)c->ngroups * 4))
		return -EFAULT;
	return c->ngroups;
}

SYSCALL(setgroups)
{
	int size = (int)a[0];
	uint32_t groups[NGROUPS_MAX];
	if (!capable(CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (copy_from_user(curmm(), groups, a[1], (size_t)size * 4))
		return -EFAULT;
	struct cred *c = CRED;
	c->ngroups = size;
	for (int i = 0; i < size; i++)
		c->groups[i] = groups[i];
	return 0;
}
