/*
 * File access checks (path_resolution(7), the "Permissions" part): one
 * inode_permission() that every filesystem's inodes go through, and the
 * directory, owner and set-ID rules built on it.  They read the caller's
 * fsuid/fsgid (kernel/cred.h); the root bypass is CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER and CAP_FSETID as Linux grants them.
 * Errors: -EACCES for a mode bit that says no, -EPERM for an owner rule.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct inode;

#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* mask: MAY_* bits wanted on ip.  Root may do anything but exec a file with no x bit. */
int inode_permission(struct inode *ip, int mask);
/* A new name in dir: w and x on it. */
int may_create(struct inode *dir);
/* Remove (or rename away) victim from dir: w+x, and the sticky-bit rule. */
int may_delete(struct inode *dir, struct inode *victim);
/*
 * may_delete() for the entry name in dir, if there is one: a missing name or
 * ".", ".." and "/" are left to the VFS call for Linux's errors.
 */
int may_delete_name(struct inode *dir, const char *name);
/* The caller owns ip, or has CAP_FOWNER: chmod, explicit utimes. */
bool inode_owner_or_capable(const struct inode *ip);
/* chmod: -EPERM unless owner; a set-group-ID bit for a group we are not in is dropped. */
int may_chmod(struct inode *ip, uint32_t *mode);
/* chown: uid/gid (uint32_t)-1 keep; the owner may only pick one of its own groups. */
int may_chown(struct inode *ip, uint32_t uid, uint32_t gid);
/* A non-root write to a file: Linux drops set-user-ID, and set-group-ID if group-executable. */
void inode_kill_suid(struct inode *ip);
/*
 * access()/faccessat(): look with the real ids (unless AT_EACCESS).  Swap
 * them into the fs ids and back; the ids are the caller's own, and no other
 * call runs on this cpu in between (the lookup does not block).
 */
void cred_use_real(uint32_t saved[2]);
void cred_restore_fs(const uint32_t saved[2]);
