/*
 * Host tests for kernel/perm.c and kernel/cred.c over the real ramfs walk:
 * the mode-bit classes, root's bypass, the walk's search check, sticky
 * directories, chmod/chown rules, new owners and set-group-ID directories,
 * set-ID bits cleared on write, access() with the real ids.  The test
 * plays the caller by pointing cred_current() at a struct cred of its own.
 * Build: tests/host/run-perm.sh
 */
#include <stdio.h>
#include <string.h>
#include "tests/host/host_shim.h"
#include "kernel/fs/vfs.h"
#include "kernel/perm.h"
#include "kernel/cred.h"
#include "kernel/errno.h"

static int npass, nfail;
static struct cred *me;		/* NULL: the kernel itself */
static struct cred root_c, user_c, other_c;

struct cred *cred_current(void) { return me; }

void vfs_now(int64_t *sec, int64_t *nsec)
{
	*sec = 1;
	*nsec = 0;
}

static void check(const char *name, long got, long exp)
{
	if (got == exp) {
		npass++;
		printf("PASS perm-%s\n", name);
	} else {
		nfail++;
		printf("FAIL perm-%s: expected %ld got %ld\n", name, exp, got);
	}
}

static struct cred mk(uint32_t uid, uint32_t gid)
{
	struct cred c = { uid, uid, uid, uid, gid, gid, gid, gid, 0, { 0 } };
	return c;
}

/* Make path (in the root) as the kernel, then give it owner and mode. */
static struct inode *node(const char *dir, const char *name, uint32_t type, uint32_t mode,
			  uint32_t uid, uint32_t gid)
{
	struct cred *saved = me;
	struct inode *d, *ip;
	me = NULL;
	if (vfs_lookup(NULL, dir, 1, &d))
		return NULL;
	if (type == S_IFDIR)
		vfs_mkdir(d, name, mode);
	else
		vfs_create(d, name, type | mode, 0, NULL);
	int err = vfs_lookup(d, name, 0, &ip);
	inode_put(d);
	me = saved;
	if (err)
		return NULL;
	ip->mode = type | mode;
	ip->uid = uid;
	ip->gid = gid;
	inode_put(ip);		/* still linked: stays */
	return ip;
}

static int lk(const char *path)
{
	struct inode *ip;
	int err = vfs_lookup(NULL, path, 1, &ip);
	if (!err)
		inode_put(ip);
	return err;
}

static void test_classes(void)
{
	struct inode *f = node("/", "f640", S_IFREG, 0640, 1000, 100);
	me = &user_c;
	check("owner-read", inode_permission(f, MAY_READ), 0);
	check("owner-write", inode_permission(f, MAY_WRITE), 0);
	check("owner-exec", inode_permission(f, MAY_EXEC), -EACCES);
	me = &other_c;	/* uid 2000, group 100 only as a supplementary group */
	check("group-read-supplementary", inode_permission(f, MAY_READ), 0);
	check("group-write", inode_permission(f, MAY_WRITE), -EACCES);
	other_c.ngroups = 0;
	check("other-read", inode_permission(f, MAY_READ), -EACCES);
	other_c.fsgid = 100;
	check("group-read-fsgid", inode_permission(f, MAY_READ), 0);
	other_c = mk(2000, 2000);
	/* the owner class decides even when it is stricter than others' */
	struct inode *g = node("/", "f077", S_IFREG, 0077, 1000, 1000);
	me = &user_c;
	check("owner-class-only", inode_permission(g, MAY_READ), -EACCES);
	me = &root_c;
	check("root-read-0000", inode_permission(node("/", "f000", S_IFREG, 0, 1000, 1000), MAY_READ), 0);
	check("root-write-0000", inode_permission(g, MAY_WRITE), 0);
	check("root-exec-no-x", inode_permission(f, MAY_EXEC), -EACCES);
	check("root-exec-some-x", inode_permission(node("/", "f010", S_IFREG, 0010, 1, 1), MAY_EXEC), 0);
	check("root-search-dir-0000", inode_permission(node("/", "d000", S_IFDIR, 0, 1, 1), MAY_EXEC), 0);
	me = NULL;
	check("kernel-anything", inode_permission(g, MAY_READ | MAY_WRITE), 0);
}

static void test_walk(void)
{
	node("/", "priv", S_IFDIR, 0700, 0, 0);
	node("/priv", "f", S_IFREG, 0644, 0, 0);
	node("/", "xonly", S_IFDIR, 0711, 0, 0);
	node("/xonly", "f", S_IFREG, 0644, 0, 0);
	me = &user_c;
	check("walk-no-search", lk("/priv/f"), -EACCES);
	check("walk-dir-itself", lk("/priv"), 0);
	check("walk-x-only-dir", lk("/xonly/f"), 0);
	check("walk-dotdot-through", lk("/priv/.."), -EACCES);
	me = &root_c;
	check("walk-root", lk("/priv/f"), 0);
	me = NULL;
	check("walk-kernel", lk("/priv/f"), 0);
}

static void test_dirs(void)
{
	struct inode *tmp = node("/", "tmp", S_IFDIR, 01777, 0, 0);
	struct inode *rootf = node("/tmp", "rootf", S_IFREG, 0666, 0, 0);
	struct inode *userf = node("/tmp", "userf", S_IFREG, 0600, 1000, 1000);
	struct inode *etc = node("/", "etc", S_IFDIR, 0755, 0, 0);
	me = &user_c;
	check("create-in-1777", may_create(tmp), 0);
	check("create-in-0755-root", may_create(etc), -EACCES);
	check("create-in-file", may_create(rootf), -ENOTDIR);
	check("sticky-others-file", may_delete(tmp, rootf), -EPERM);
	check("sticky-own-file", may_delete(tmp, userf), 0);
	check("delete-name-sticky", may_delete_name(tmp, "rootf"), -EPERM);
	check("delete-name-missing", may_delete_name(tmp, "nothing"), 0);
	check("delete-name-dot", may_delete_name(tmp, "."), 0);
	me = &other_c;
	check("sticky-dir-owner-not", may_delete(tmp, userf), -EPERM);
	tmp->uid = 2000;
	check("sticky-dir-owner", may_delete(tmp, userf), 0);
	tmp->uid = 0;
	me = &root_c;
	check("sticky-root", may_delete(tmp, userf), 0);
}

static void test_owner_rules(void)
{
	struct inode *f = node("/", "own", S_IFREG, 0644, 1000, 1000);
	struct inode *r = node("/", "rootown", S_IFREG, 0644, 0, 0);
	uint32_t mode = 02755;
	me = &user_c;
	check("chmod-owner", may_chmod(f, &mode), 0);
	check("chmod-owner-keeps-sgid-own-group", mode, 02755);
	f->gid = 50;
	mode = 02755;
	may_chmod(f, &mode);
	check("chmod-drops-sgid-foreign-group", mode, 0755);
	f->gid = 1000;
	mode = 0777;
	check("chmod-not-owner", may_chmod(r, &mode), -EPERM);
	check("chown-give-away", may_chown(f, 0, (uint32_t)-1), -EPERM);
	check("chown-same-uid", may_chown(f, 1000, (uint32_t)-1), 0);
	check("chgrp-member", may_chown(f, (uint32_t)-1, 100), 0);
	check("chgrp-nonmember", may_chown(f, (uint32_t)-1, 50), -EPERM);
	check("chgrp-not-owner", may_chown(r, (uint32_t)-1, 100), -EPERM);
	me = &root_c;
	mode = 02755;
	f->gid = 50;
	may_chmod(f, &mode);
	check("chmod-root-keeps-sgid", mode, 02755);
	check("chown-root", may_chown(f, 0, 0), 0);
}

static void test_new_owner_and_suid(void)
{
	struct inode *d = node("/", "sgid", S_IFDIR, 02777, 0, 50);
	struct inode *open_d = node("/", "open", S_IFDIR, 0777, 0, 0), *ip;
	me = &user_c;
	user_c.fsgid = 1000;
	vfs_create(open_d, "a", S_IFREG | 0644, 0, &ip);
	check("new-owner-uid", ip->uid, 1000);
	check("new-owner-gid", ip->gid, 1000);
	inode_put(ip);
	vfs_create(d, "b", S_IFREG | 0644, 0, &ip);
	check("sgid-dir-gid", ip->gid, 50);
	check("sgid-dir-file-no-bit", ip->mode & 02000, 0);
	inode_put(ip);
	vfs_mkdir(d, "sub", 0755);
	vfs_lookup(d, "sub", 0, &ip);
	check("sgid-dir-subdir-bit", ip->mode & 02000, 02000);
	check("sgid-dir-subdir-gid", ip->gid, 50);
	inode_put(ip);
	struct inode *s = node("/", "suid", S_IFREG, 06755, 0, 0);
	inode_kill_suid(s);
	check("write-kills-suid-and-gx-sgid", s->mode & 07777, 0755);
	s->mode = S_IFREG | 06745;
	inode_kill_suid(s);
	check("write-keeps-sgid-without-gx", s->mode & 07777, 02745);
	me = &root_c;
	s->mode = S_IFREG | 06755;
	inode_kill_suid(s);
	check("root-write-keeps-suid", s->mode & 07777, 06755);
}

static void test_cred_calls(void)
{
	me = &user_c;
	check("user-not-capable-kill", capable(CAP_KILL), 0);
	check("user-not-root", cred_is_root(), 0);
	/* euid 0, fsuid 1000: file caps follow the fsuid, the others the euid */
	struct cred mixed = mk(1000, 1000);
	mixed.euid = 0;
	me = &mixed;
	check("euid0-capable-kill", capable(CAP_KILL), 1);
	check("euid0-fsuid-user-no-dac", capable(CAP_DAC_OVERRIDE), 0);
	/* access(): the real ids replace the fs ids for the call, and come back */
	struct cred setuid_prog = mk(1000, 1000);
	setuid_prog.euid = setuid_prog.fsuid = 0;
	me = &setuid_prog;
	struct inode *sec = node("/", "secret", S_IFREG, 0600, 0, 0);
	check("setuid-prog-reads", inode_permission(sec, MAY_READ), 0);
	uint32_t saved[2];
	cred_use_real(saved);
	check("access-as-real-uid", inode_permission(sec, MAY_READ), -EACCES);
	cred_restore_fs(saved);
	check("access-restored", setuid_prog.fsuid, 0);
	me = NULL;
	check("kernel-capable", capable(CAP_SYS_TIME), 1);
}

int main(void)
{
	vfs_init();
	root_c = mk(0, 0);
	user_c = mk(1000, 1000);
	user_c.ngroups = 1;
	user_c.groups[0] = 100;
	other_c = mk(2000, 2000);
	other_c.ngroups = 1;
	other_c.groups[0] = 100;
	test_classes();
	other_c.ngroups = 1;
	other_c.groups[0] = 100;
	test_walk();
	test_dirs();
	test_owner_rules();
	test_new_owner_and_suid();
	test_cred_calls();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
