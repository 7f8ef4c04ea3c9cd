/*
 * File access checks: see kernel/perm.h.  Also the owner of a new inode and
 * the search check of the path walk, the two hooks kernel/fs/ramfs.c calls.
 */
#include "kernel/perm.h"
#include "kernel/cred.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include <string.h>

#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000

/* The rwx bits of mode that apply to c: owner's, group's or others'. */
static uint32_t class_bits(const struct cred *c, const struct inode *ip)
{
	if (c->fsuid == ip->uid)
		return (ip->mode >> 6) & 7;
	if (cred_in_group(c, ip->gid))
		return (ip->mode >> 3) & 7;
	return ip->mode & 7;
}

/* capabilities(7): DAC_READ_SEARCH reads anything and searches directories; DAC_OVERRIDE does all but exec without an x bit. */
static int override(const struct inode *ip, int mask)
{
	if (!(mask & MAY_WRITE) && (!(mask & MAY_EXEC) || S_ISDIR(ip->mode)) &&
	    capable(CAP_DAC_READ_SEARCH))
		return 0;
	if ((mask & MAY_EXEC) && !S_ISDIR(ip->mode) && !(ip->mode & 0111))
		return -EACCES;
	return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

int inode_permission(struct inode *ip, int mask)
{
	struct cred *c = cred_current();
	if (!c)
		return 0;	/* the kernel itself */
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((class_bits(c, ip) & (uint32_t)mask) == (uint32_t)mask)
		return 0;
	return override(ip, mask);
}

int may_create(struct inode *dir)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

int may_delete(struct inode *dir, struct inode *victim)
{
	int err = may_create(dir);
	if (err)
		return err;
	struct cred *c = cred_current();
	if (c && (dir->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != dir->uid &&
	    !capable(CAP_FOWNER))
		return -EPERM;
	return 0;
}

int may_delete_name(struct inode *dir, const char *name)
{
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "/"))
		return 0;
	struct inode *victim;
	int err = vfs_lookup(dir, name, 0, &victim);
	if (err == -ENOENT || err == -ENOTDIR)
		return 0;
	if (err)
		return err;
	err = may_delete(dir, victim);
	inode_put(victim);
	return err;
}

bool inode_owner_or_capable(const struct inode *ip)
{
	struct cred *c = cred_current();
	return !c || c->fsuid == ip->uid || capable(CAP_FOWNER);
}

int may_chmod(struct inode *ip, uint32_t *mode)
{
	if (!inode_owner_or_capable(ip))
		return -EPERM;
	struct cred *c = cred_current();
	if (c && (*mode & S_ISGID) && !cred_in_group(c, ip->gid) && !capable(CAP_FSETID))
		*mode &= ~(uint32_t)S_ISGID;
	return 0;
}

int may_chown(struct inode *ip, uint32_t uid, uint32_t gid)
{
	struct cred *c = cred_current();
	if (!c || capable(CAP_CHOWN))
		return 0;
	if (uid != (uint32_t)-1 && (uid != ip->uid || c->fsuid != ip->uid))
		return -EPERM;
	if (gid != (uint32_t)-1 && gid != ip->gid &&
	    (c->fsuid != ip->uid || !cred_in_group(c, gid)))
		return -EPERM;
	return 0;
}

void inode_kill_suid(struct inode *ip)
{
	if (!S_ISREG(ip->mode) || !(ip->mode & (S_ISUID | S_ISGID)) || capable(CAP_FSETID))
		return;
	ip->mode &= ~(uint32_t)S_ISUID;
	if ((ip->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
		ip->mode &= ~(uint32_t)S_ISGID;
}

void cred_use_real(uint32_t saved[2])
{
	struct cred *c = cred_current();
	saved[0] = c->fsuid;
	saved[1] = c->fsgid;
	c->fsuid = c->uid;
	c->fsgid = c->gid;
}

void cred_restore_fs(const uint32_t saved[2])
{
	struct cred *c = cred_current();
	c->fsuid = saved[0];
	c->fsgid = saved[1];
}

/* ---- the hooks of kernel/fs/ramfs.c (weak fallbacks there, for the host tests) ---- */

int vfs_may_search(struct inode *dir)
{
	/* every class has x (0755, 1777: most directories): no need to know who asks */
	if ((dir->mode & 0111) == 0111)
		return 0;
	return inode_permission(dir, MAY_EXEC);
}

/*
 * A new inode belongs to the caller's fsuid, and to its fsgid unless the
 * directory is set-group-ID (then the directory's group, and a new
 * directory inherits the bit).
 */
void vfs_new_owner(struct inode *dir, struct inode *ip)
{
	struct cred *c = cred_current();
	if (!c)
		return;		/* the kernel's own files (initramfs): root, or cpio's values */
	ip->uid = c->fsuid;
	ip->gid = c->fsgid;
	if (dir->mode & S_ISGID) {
		ip->gid = dir->gid;
		if (S_ISDIR(ip->mode))
			ip->mode |= S_ISGID;
	}
}
