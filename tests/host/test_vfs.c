/*
 * Host tests for kernel/fs/ramfs.c and kernel/cpio.c: path walk, file data,
 * unlink/rename rules, readdir, symlinks, and initramfs unpacking of archives
 * made by the real cpio tool.  Prints PASS/FAIL per check.
 * Build: tests/host/run-vfs.sh
 */
#define _GNU_SOURCE	/* memmem, mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/host/host_shim.h"
#include "kernel/fs/vfs.h"
#include "kernel/cpio.h"
#include "kernel/errno.h"

static int npass, nfail;
static int64_t clock_now = 1000;

void vfs_now(int64_t *sec, int64_t *nsec)
{
	*sec = clock_now++;	/* every call a new second: changes are visible */
	*nsec = 0;
}

static void check(const char *name, long got, long exp)
{
	if (got == exp) {
		npass++;
		printf("PASS %s\n", name);
	} else {
		nfail++;
		printf("FAIL %s: expected %ld got %ld\n", name, exp, got);
	}
}

static void check_str(const char *name, const char *got, const char *exp)
{
	if (!strcmp(got, exp)) {
		npass++;
		printf("PASS %s\n", name);
	} else {
		nfail++;
		printf("FAIL %s: expected \"%s\" got \"%s\"\n", name, exp, got);
	}
}

/* ---- helpers: paths relative to the root ---- */

static int lk(const char *path, int follow)
{
	struct inode *ip;
	int err = vfs_lookup(NULL, path, follow, &ip);
	if (!err)
		inode_put(ip);
	return err;
}

static struct inode *get(const char *path)
{
	struct inode *ip = NULL;
	if (vfs_lookup(NULL, path, 1, &ip))
		return NULL;
	return ip;
}

static long ino_of(const char *path, int follow)
{
	struct inode *ip;
	if (vfs_lookup(NULL, path, follow, &ip))
		return -1;
	long ino = ip->ino;
	inode_put(ip);
	return ino;
}

/* Run op(dir, last) on path's parent. */
#define AT_PARENT(path, call) ({ \
	struct inode *dir; char last[NAME_MAX + 1]; \
	int _e = vfs_lookup_parent(NULL, (path), &dir, last); \
	if (!_e) { _e = (call); inode_put(dir); } \
	_e; })

static int mk(const char *path) { return AT_PARENT(path, vfs_create(dir, last, S_IFREG | 0644, 0, NULL)); }
static int mkd(const char *path) { return AT_PARENT(path, vfs_mkdir(dir, last, 0755)); }
static int rm(const char *path) { return AT_PARENT(path, vfs_unlink(dir, last)); }
static int rmd(const char *path) { return AT_PARENT(path, vfs_rmdir(dir, last)); }
static int sym(const char *path, const char *t) { return AT_PARENT(path, vfs_symlink(dir, last, t)); }

static int mv(const char *from, const char *to, unsigned flags)
{
	struct inode *od, *nd;
	char ol[NAME_MAX + 1], nl[NAME_MAX + 1];
	int err = vfs_lookup_parent(NULL, from, &od, ol);
	if (err)
		return err;
	err = vfs_lookup_parent(NULL, to, &nd, nl);
	if (!err) {
		err = vfs_rename(od, ol, nd, nl, flags);
		inode_put(nd);
	}
	inode_put(od);
	return err;
}

static int lnk(const char *target, const char *path)
{
	struct inode *t = get(target);
	if (!t)
		return -ENOENT;
	int err = AT_PARENT(path, vfs_link(t, dir, last));
	inode_put(t);
	return err;
}

static long wr(const char *path, uint64_t off, const char *s)
{
	struct inode *ip = get(path);
	if (!ip)
		return -ENOENT;
	long r = inode_write(ip, off, s, strlen(s));
	inode_put(ip);
	return r;
}

/* Whole file as a string (static buffer). */
static const char *cat(const char *path)
{
	static char buf[4096];
	struct inode *ip = get(path);
	if (!ip)
		return "<ENOENT>";
	long n = inode_read(ip, 0, buf, sizeof buf - 1);
	inode_put(ip);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

/* ---- path walk ---- */

static void test_walk(void)
{
	check("walk_root", ino_of("/", 1), vfs_root()->ino);
	check("walk_empty", lk("", 1), -ENOENT);
	check("walk_mkdir_a", mkd("/a"), 0);
	check("walk_mkdir_ab", mkd("/a/b"), 0);
	check("walk_mkdir_abc", mkd("/a/b/c"), 0);
	check("walk_mkfile", mk("/a/f"), 0);
	check("walk_nested", lk("/a/b/c", 1), 0);
	check("walk_slashes", ino_of("//a///b//", 1), ino_of("/a/b", 1));
	check("walk_dots", ino_of("a/./b/../b/c/..", 1), ino_of("/a/b", 1));
	check("walk_dotdot_root", ino_of("/../..", 1), vfs_root()->ino);
	check("walk_trailing_slash_file", lk("/a/f/", 1), -ENOTDIR);
	check("walk_trailing_dot_file", lk("/a/f/.", 1), -ENOTDIR);
	check("walk_file_in_middle", lk("/a/f/x", 1), -ENOTDIR);
	check("walk_missing", lk("/a/nope", 1), -ENOENT);
	check("walk_missing_middle", lk("/a/nope/x", 1), -ENOENT);
	char name[300];
	memset(name, 'n', 256);
	name[0] = '/';
	name[256] = 0;		/* "/" + 255 */
	check("walk_name_255", lk(name, 1), -ENOENT);
	check("walk_create_255", mk(name), 0);
	check("walk_lookup_255", lk(name, 1), 0);
	name[256] = 'n';
	name[257] = 0;		/* "/" + 256 */
	check("walk_name_256", lk(name, 1), -ENAMETOOLONG);
	check("walk_create_256", mk(name), -ENAMETOOLONG);
	char *longp = malloc(PATH_MAX + 10);
	for (int i = 0; i < PATH_MAX + 8; i += 2)
		memcpy(longp + i, "./", 2);
	longp[PATH_MAX + 8] = 0;
	check("walk_path_too_long", lk(longp, 1), -ENAMETOOLONG);
	longp[PATH_MAX - 2] = 0;	/* 4094 bytes of "./" is fine */
	check("walk_path_4094", lk(longp, 1), 0);
	free(longp);

	/* relative to a cwd */
	struct inode *cwd = get("/a/b");
	struct inode *ip;
	check("walk_rel_cwd", vfs_lookup(cwd, "c/../../f", 1, &ip), 0);
	check("walk_rel_cwd_ino", ip->ino, ino_of("/a/f", 1));
	inode_put(ip);
	check("walk_abs_ignores_cwd", vfs_lookup(cwd, "/a", 1, &ip), 0);
	inode_put(ip);
	inode_put(cwd);

	/* symlinks */
	check("sym_abs", sym("/la", "/a/b"), 0);
	check("sym_rel", sym("/a/lr", "b/c"), 0);
	check("sym_follow", ino_of("/la", 1), ino_of("/a/b", 1));
	struct inode *l = NULL;
	vfs_lookup(NULL, "/la", 0, &l);
	check("sym_nofollow_is_link", l && S_ISLNK(l->mode), 1);
	char tb[64];
	check("sym_readlink_len", l ? vfs_readlink(l, tb, sizeof tb) : -1, 4);
	tb[4] = 0;
	check_str("sym_readlink", tb, "/a/b");
	check("sym_readlink_short", l ? vfs_readlink(l, tb, 2) : -1, 2);
	if (l)
		inode_put(l);
	check("sym_readlink_notlink", ({ struct inode *d = get("/a"); int r = vfs_readlink(d, tb, 8); inode_put(d); r; }), -EINVAL);
	check("sym_middle", ino_of("/la/c", 0), ino_of("/a/b/c", 1));
	check("sym_relative", ino_of("/a/lr", 1), ino_of("/a/b/c", 1));
	check("sym_trailing_slash_follows", ino_of("/la/", 0), ino_of("/a/b", 1));
	check("sym_dotdot_after_link", ino_of("/la/..", 1), ino_of("/a", 1));	/* physical walk */
	check("sym_dangling", sym("/dang", "/nowhere"), 0);
	check("sym_dangling_follow", lk("/dang", 1), -ENOENT);
	check("sym_dangling_nofollow", lk("/dang", 0), 0);
	check("sym_file_slash", sym("/lf", "/a/f"), 0);
	check("sym_to_file_trailing_slash", lk("/lf/", 0), -ENOTDIR);
	check("sym_empty_target", sym("/e", ""), -ENOENT);
	check("sym_loop_make1", sym("/loop1", "/loop2"), 0);
	check("sym_loop_make2", sym("/loop2", "loop1"), 0);
	check("sym_loop", lk("/loop1", 1), -ELOOP);
	check("sym_loop_middle", lk("/loop1/x", 0), -ELOOP);
	check("sym_loop_nofollow", lk("/loop1", 0), 0);
	check("sym_self", sym("/self", "self"), 0);
	check("sym_self_loop", lk("/self/", 0), -ELOOP);
	/* a chain of exactly 40 links resolves, 41 does not */
	char p[32], t[32];
	mkd("/chain");
	mk("/chain/end");
	for (int i = 1; i <= 41; i++) {
		snprintf(p, sizeof p, "/chain/l%d", i);
		if (i == 1)
			snprintf(t, sizeof t, "end");
		else
			snprintf(t, sizeof t, "l%d", i - 1);
		sym(p, t);
	}
	check("sym_chain_40", lk("/chain/l40", 1), 0);
	check("sym_chain_41", lk("/chain/l41", 1), -ELOOP);

	/* lookup_parent */
	struct inode *d;
	char last[NAME_MAX + 1];
	check("parent_basic", vfs_lookup_parent(NULL, "/a/b/new", &d, last), 0);
	check("parent_basic_dir", d->ino, ino_of("/a/b", 1));
	check_str("parent_basic_last", last, "new");
	inode_put(d);
	check("parent_root", vfs_lookup_parent(NULL, "//", &d, last), 0);
	check_str("parent_root_last", last, "/");
	check("parent_root_mkdir", vfs_mkdir(d, last, 0755), -EEXIST);
	check("parent_root_rmdir", vfs_rmdir(d, last), -EBUSY);
	check("parent_root_unlink", vfs_unlink(d, last), -EISDIR);
	inode_put(d);
	check("parent_dot", vfs_lookup_parent(NULL, "/a/.", &d, last), 0);
	check_str("parent_dot_last", last, ".");
	check("parent_dot_mkdir", vfs_mkdir(d, last, 0755), -EEXIST);
	check("parent_dot_rmdir", vfs_rmdir(d, last), -EINVAL);
	check("parent_dot_unlink", vfs_unlink(d, last), -EISDIR);
	check("parent_dot_rename", vfs_rename(d, last, d, "zz", 0), -EBUSY);
	check("parent_dotdot_rmdir", vfs_rmdir(d, ".."), -ENOTEMPTY);
	check("parent_dotdot_rename", vfs_rename(d, "b", d, "..", 0), -EBUSY);
	inode_put(d);
	check("parent_trailing_dir", vfs_lookup_parent(NULL, "/a/b/", &d, last), 0);
	check_str("parent_trailing_last", last, "b");
	inode_put(d);
	check("parent_trailing_file", vfs_lookup_parent(NULL, "/a/f/", &d, last), -ENOTDIR);
	check("parent_missing_middle", vfs_lookup_parent(NULL, "/zz/new", &d, last), -ENOENT);
	check("parent_file_middle", vfs_lookup_parent(NULL, "/a/f/new", &d, last), -ENOTDIR);
	check("parent_last_symlink_not_followed", vfs_lookup_parent(NULL, "/la", &d, last), 0);
	check_str("parent_last_symlink_name", last, "la");
	inode_put(d);
	check("parent_empty", vfs_lookup_parent(NULL, "", &d, last), -ENOENT);
}

/* ---- create / write / read / truncate ---- */

static void test_data(void)
{
	mkd("/d");
	check("create", mk("/d/f"), 0);
	check("create_exists", mk("/d/f"), -EEXIST);
	check("mkdir_exists", mkd("/d/f"), -EEXIST);
	check("create_in_file", mk("/d/f/x"), -ENOTDIR);
	struct inode *ip = get("/d/f");
	check("create_mode", ip->mode, S_IFREG | 0644);
	check("create_nlink", ip->nlink, 1);
	check("write", inode_write(ip, 0, "hello", 5), 5);
	check("size", ip->size, 5);
	char buf[64];
	check("read", inode_read(ip, 0, buf, sizeof buf), 5);
	check("read_data", memcmp(buf, "hello", 5), 0);
	check("read_mid", inode_read(ip, 3, buf, 10), 2);
	check("read_eof", inode_read(ip, 5, buf, 10), 0);
	check("read_past_eof", inode_read(ip, 500, buf, 10), 0);
	check("write_zero", inode_write(ip, 100, "", 0), 0);
	check("write_zero_size", ip->size, 5);
	int64_t m0 = ip->mtime.sec;
	check("write_hole", inode_write(ip, 10000, "X", 1), 1);
	check("write_hole_size", ip->size, 10001);
	check("write_mtime", ip->mtime.sec > m0, 1);
	char *big = malloc(20000);
	check("read_hole", inode_read(ip, 0, big, 20000), 10001);
	int zeros = 1;
	for (int i = 5; i < 10000; i++)
		zeros &= big[i] == 0;
	check("hole_zero", zeros, 1);
	check("hole_tail", big[10000], 'X');
	check("truncate_shrink", inode_truncate(ip, 3), 0);
	check("truncate_size", ip->size, 3);
	check("truncate_extend", inode_truncate(ip, 9000), 0);
	memset(big, 0x55, 9000);
	inode_read(ip, 0, big, 9000);
	zeros = 1;
	for (int i = 3; i < 9000; i++)
		zeros &= big[i] == 0;
	check("truncate_extend_zero", zeros && !memcmp(big, "hel", 3), 1);
	check("truncate_zero", inode_truncate(ip, 0), 0);
	check("truncate_zero_read", inode_read(ip, 0, buf, 8), 0);
	/* write past the old end of a buffer that shrank: stale bytes must not show */
	inode_write(ip, 0, "abcdefgh", 8);
	inode_truncate(ip, 2);
	inode_write(ip, 6, "Z", 1);
	inode_read(ip, 0, buf, 7);
	check("truncate_then_hole", memcmp(buf, "ab\0\0\0\0Z", 7), 0);
	/* 3 MiB, written in odd-sized chunks, read back */
	inode_truncate(ip, 0);
	size_t n = 3 << 20;
	unsigned char *pat = malloc(n), *back = malloc(n);
	for (size_t i = 0; i < n; i++)
		pat[i] = (unsigned char)(i * 2654435761u >> 13);
	size_t off = 0, ok = 1;
	while (off < n) {
		size_t c = n - off < 7777 ? n - off : 7777;
		ok &= inode_write(ip, off, pat + off, c) == (long)c;
		off += c;
	}
	check("big_write", ok, 1);
	check("big_read", inode_read(ip, 0, back, n), (long)n);
	check("big_data", memcmp(pat, back, n), 0);
	free(pat);
	free(back);
	free(big);
	check("write_efbig", inode_write(ip, VFS_FILE_MAX, "x", 1), -EFBIG);
	check("truncate_efbig", inode_truncate(ip, VFS_FILE_MAX + 1), -EFBIG);
	inode_put(ip);

	/* out of memory: a partial write, then -ENOSPC */
	mk("/d/oom");
	ip = get("/d/oom");
	char *blk = calloc(1, 8192);
	check("oom_first", inode_write(ip, 0, blk, 3000), 3000);	/* one page */
	page_budget = 0;
	check("oom_partial", inode_write(ip, 0, blk, 8192), 4096);
	check("oom_size", ip->size, 4096);
	check("oom_none", inode_write(ip, 4096, blk, 10), -ENOSPC);
	check("oom_truncate", inode_truncate(ip, 100000), -ENOSPC);
	page_budget = -1;
	free(blk);
	inode_put(ip);

	/* borrowed data: copied on the first write, the source untouched */
	static const char image[] = "borrowed bytes";
	struct inode *b;
	struct inode *dir = get("/d");
	vfs_create(dir, "bor", S_IFREG | 0644, 0, &b);
	check("borrow_set", inode_set_borrowed(b, image, 14), 0);
	check("borrow_zero_copy", b->data == (const uint8_t *)image && b->cap == 0, 1);
	check_str("borrow_read", cat("/d/bor"), "borrowed bytes");
	check("borrow_shrink_stays", inode_truncate(b, 8) == 0 && b->cap == 0, 1);
	check("borrow_write", inode_write(b, 0, "B", 1), 1);
	check("borrow_copied", b->data != (const uint8_t *)image && b->cap > 0, 1);
	check_str("borrow_after", cat("/d/bor"), "Borrowed");
	check_str("borrow_source_intact", image, "borrowed bytes");
	check("borrow_dir", inode_set_borrowed(dir, image, 3), -EINVAL);
	inode_put(b);

	/* type checks */
	check("read_dir", inode_read(dir, 0, buf, 1), -EISDIR);
	check("write_dir", inode_write(dir, 0, "x", 1), -EISDIR);
	check("truncate_dir", inode_truncate(dir, 0), -EISDIR);
	struct inode *fifo, *chr;
	check("mkfifo", vfs_create(dir, "fifo", S_IFIFO | 0600, 0, &fifo), 0);
	check("write_fifo", inode_write(fifo, 0, "x", 1), -EINVAL);
	check("mknod_chr", vfs_create(dir, "tty", S_IFCHR | 0620, VFS_MKDEV(4, 300), &chr), 0);
	check("chr_major", VFS_MAJOR(chr->rdev), 4);
	check("chr_minor", VFS_MINOR(chr->rdev), 300);
	check("chr_rdev_linux", chr->rdev, (300 & 0xff) | (4 << 8) | ((300 & ~0xff) << 12));
	check("create_bad_type", vfs_create(dir, "bad", 0170000 | 0644, 0, NULL), -EINVAL);
	check("create_slash_name", vfs_create(dir, "a/b", S_IFREG, 0, NULL), -EINVAL);
	check("create_empty_name", vfs_create(dir, "", S_IFREG, 0, NULL), -ENOENT);
	check("create_in_file_inode", vfs_create(fifo, "x", S_IFREG, 0, NULL), -ENOTDIR);
	inode_put(fifo);
	inode_put(chr);
	check("dir_nlink", dir->nlink, 2);
	mkd("/d/sub");
	check("dir_nlink_subdir", dir->nlink, 3);
	inode_put(dir);
}

/* ---- unlink, rmdir, link, lifetimes ---- */

static void test_unlink(void)
{
	mkd("/u");
	mk("/u/f");
	wr("/u/f", 0, "still here");
	struct inode *ip = get("/u/f");
	long live = shim_live;
	check("unlink", rm("/u/f"), 0);
	check("unlink_gone", lk("/u/f", 1), -ENOENT);
	check("unlink_again", rm("/u/f"), -ENOENT);
	check("unlink_open_nlink", ip->nlink, 0);
	char buf[32] = { 0 };
	check("unlink_open_read", inode_read(ip, 0, buf, sizeof buf), 10);
	check_str("unlink_open_data", buf, "still here");
	check("unlink_open_write", inode_write(ip, 10, "!", 1), 1);
	check("unlink_open_link", ({ struct inode *d = get("/u"); int r = vfs_link(ip, d, "back"); inode_put(d); r; }), -ENOENT);
	long before_put = shim_live;
	inode_put(ip);
	check("unlink_last_put_frees", shim_live < before_put, 1);
	check("unlink_freed_all", shim_live < live, 1);

	check("unlink_dir", rm("/u"), -EISDIR);
	check("rmdir_file", ({ mk("/u/g"); rmd("/u/g"); }), -ENOTDIR);
	check("rmdir_nonempty", rmd("/u"), -ENOTEMPTY);
	check("rmdir_missing", rmd("/u/zz"), -ENOENT);

	/* hard links */
	check("link", lnk("/u/g", "/u/g2"), 0);
	check("link_same_ino", ino_of("/u/g2", 1), ino_of("/u/g", 1));
	check("link_nlink", ({ struct inode *g = get("/u/g"); int n = g->nlink; inode_put(g); n; }), 2);
	check("link_exists", lnk("/u/g", "/u/g2"), -EEXIST);
	check("link_dir", lnk("/u", "/u2"), -EPERM);
	wr("/u/g", 0, "shared");
	rm("/u/g");
	check_str("link_survives_unlink", cat("/u/g2"), "shared");

	/* a removed directory held as cwd */
	mkd("/u/cwd");
	struct inode *cwd = get("/u/cwd");
	check("rmdir_cwd", rmd("/u/cwd"), 0);
	char path[64];
	check("getcwd_removed", vfs_getcwd(cwd, path, sizeof path), -ENOENT);
	check("create_in_removed", vfs_create(cwd, "x", S_IFREG, 0, NULL), -ENOENT);
	check("mkdir_in_removed", vfs_mkdir(cwd, "x", 0755), -ENOENT);
	uint64_t pos = 0;
	check("readdir_removed", vfs_readdir(cwd, &pos, NULL, NULL), -ENOENT);
	struct inode *up;
	check("dotdot_of_removed", vfs_lookup(cwd, "..", 1, &up), 0);
	check("dotdot_of_removed_ino", up->ino, ino_of("/u", 1));
	inode_put(up);
	inode_put(cwd);

	/* getcwd and parent_of */
	mkd("/u/x");
	mkd("/u/x/y");
	struct inode *y = get("/u/x/y");
	check("getcwd", vfs_getcwd(y, path, sizeof path), 6);
	check_str("getcwd_path", path, "/u/x/y");
	check("getcwd_erange", vfs_getcwd(y, path, 6), -ERANGE);
	check("getcwd_exact", vfs_getcwd(y, path, 7), 6);
	check("getcwd_root", vfs_getcwd(vfs_root(), path, sizeof path), 1);
	check_str("getcwd_root_path", path, "/");
	struct inode *px = vfs_parent_of(y);
	check("parent_of", px->ino, ino_of("/u/x", 1));
	inode_put(px);
	px = vfs_parent_of(vfs_root());
	check("parent_of_root", px == vfs_root(), 1);
	inode_put(px);
	inode_put(y);
}

/* ---- rename ---- */

static void test_rename(void)
{
	mkd("/r");
	mkd("/r/d1");
	mkd("/r/d2");
	mk("/r/f");
	long fino = ino_of("/r/f", 1);
	check("rename_file", mv("/r/f", "/r/g", 0), 0);
	check("rename_old_gone", lk("/r/f", 1), -ENOENT);
	check("rename_same_ino", ino_of("/r/g", 1), fino);
	check("rename_across", mv("/r/g", "/r/d1/g", 0), 0);
	check("rename_missing", mv("/r/g", "/r/h", 0), -ENOENT);
	check("rename_bad_flags", mv("/r/d1/g", "/r/h", 2), -EINVAL);
	mk("/r/v");
	wr("/r/v", 0, "victim");
	wr("/r/d1/g", 0, "mover");
	check("rename_noreplace", mv("/r/d1/g", "/r/v", RENAME_NOREPLACE), -EEXIST);
	long live = shim_live;
	check("rename_replace", mv("/r/d1/g", "/r/v", 0), 0);
	check_str("rename_replace_data", cat("/r/v"), "mover");
	check("rename_replace_freed", shim_live < live, 1);
	check("rename_file_onto_dir", mv("/r/v", "/r/d2", 0), -EISDIR);
	check("rename_dir_onto_file", mv("/r/d2", "/r/v", 0), -ENOTDIR);
	mk("/r/d1/inner");
	check("rename_onto_nonempty", mv("/r/d2", "/r/d1", 0), -ENOTEMPTY);
	check("rename_into_self", mv("/r/d1", "/r/d1/sub", 0), -EINVAL);
	mkd("/r/d1/deep");
	check("rename_into_subtree", mv("/r/d1", "/r/d1/deep/x", 0), -EINVAL);
	check("rename_parent_onto_child", mv("/r/d1/deep", "/r/d1", 0), -ENOTEMPTY);
	check("rename_self_same", mv("/r/d1", "/r/d1", 0), 0);
	check("rename_self_noreplace", mv("/r/d1", "/r/d1", RENAME_NOREPLACE), -EEXIST);
	/* a directory onto an empty one, across parents: ".." and nlink follow */
	struct inode *r = get("/r");
	int rn = r->nlink;
	mkd("/r/d2/empty");
	check("rename_dir_onto_empty", mv("/r/d1", "/r/d2/empty", 0), 0);
	check("rename_dir_dotdot", ino_of("/r/d2/empty/..", 1), ino_of("/r/d2", 1));
	check("rename_dir_parent_nlink", r->nlink, rn - 1);
	check("rename_dir_newparent_nlink", ({ struct inode *d = get("/r/d2"); int n = d->nlink; inode_put(d); n; }), 3);
	check("rename_dir_contents", lk("/r/d2/empty/inner", 1), 0);
	char path[64];
	struct inode *deep = get("/r/d2/empty/deep");
	vfs_getcwd(deep, path, sizeof path);
	check_str("rename_dir_getcwd", path, "/r/d2/empty/deep");
	inode_put(deep);
	inode_put(r);
	/* hard links to the same inode: nothing happens */
	mk("/r/h1");
	lnk("/r/h1", "/r/h2");
	check("rename_hardlinks", mv("/r/h1", "/r/h2", 0), 0);
	check("rename_hardlinks_both", lk("/r/h1", 1) == 0 && lk("/r/h2", 1) == 0, 1);
	/* a symlink is renamed, not followed */
	sym("/r/sl", "d2");
	check("rename_symlink", mv("/r/sl", "/r/sl2", 0), 0);
	check("rename_symlink_target", ino_of("/r/sl2", 1), ino_of("/r/d2", 1));
	/* same-directory replace where the victim precedes the source */
	mk("/r/first");
	mk("/r/second");
	check("rename_victim_first", mv("/r/second", "/r/first", 0), 0);
	check("rename_victim_first_gone", lk("/r/second", 1), -ENOENT);
	check("rename_name_too_long", ({ char n[300]; memset(n, 'x', 299); n[299] = 0;
		struct inode *d = get("/r"); int e = vfs_rename(d, "first", d, n, 0); inode_put(d); e; }), -ENAMETOOLONG);
}

/* ---- readdir ---- */

struct names {
	char buf[64][32];
	unsigned type[64];
	int n, stop_after;
};

static int collect(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype)
{
	struct names *c = ctx;
	(void)ino;
	if (c->stop_after >= 0 && c->n >= c->stop_after)
		return 1;
	memcpy(c->buf[c->n], name, len);
	c->buf[c->n][len] = 0;
	c->type[c->n++] = dtype;
	return 0;
}

static int listed(struct names *c, const char *name)
{
	int k = 0;
	for (int i = 0; i < c->n; i++)
		k += !strcmp(c->buf[i], name);
	return k;
}

static void test_readdir(void)
{
	mkd("/rd");
	struct inode *d = get("/rd");
	struct names c = { .stop_after = -1 };
	uint64_t pos = 0;
	check("readdir_empty", vfs_readdir(d, &pos, collect, &c), 0);
	check("readdir_empty_n", c.n, 2);
	check("readdir_dot", !strcmp(c.buf[0], ".") && !strcmp(c.buf[1], "..") && c.type[0] == DT_DIR, 1);
	for (int i = 0; i < 10; i++) {
		char p[32];
		snprintf(p, sizeof p, "/rd/f%d", i);
		mk(p);
	}
	mkd("/rd/sub");
	sym("/rd/ln", "f0");
	struct inode *fifo;
	vfs_create(d, "fifo", S_IFIFO | 0644, 0, &fifo);
	inode_put(fifo);
	memset(&c, 0, sizeof c);
	c.stop_after = -1;
	pos = 0;
	vfs_readdir(d, &pos, collect, &c);
	check("readdir_all", c.n, 2 + 10 + 3);
	check("readdir_order", !strcmp(c.buf[2], "f0") && !strcmp(c.buf[11], "f9"), 1);
	check("readdir_dtype_reg", c.type[2], DT_REG);
	check("readdir_dtype_dir", c.type[12], DT_DIR);
	check("readdir_dtype_lnk", c.type[13], DT_LNK);
	check("readdir_dtype_fifo", c.type[14], DT_FIFO);
	uint64_t end = pos;
	memset(&c, 0, sizeof c);
	check("readdir_at_end", vfs_readdir(d, &pos, collect, &c) == 0 && c.n == 0 && pos == end, 1);

	/* stop after 5, unlink one read and one unread, add one, resume */
	memset(&c, 0, sizeof c);
	c.stop_after = 5;
	pos = 0;
	vfs_readdir(d, &pos, collect, &c);
	check("readdir_partial", c.n, 5);	/* . .. f0 f1 f2 */
	check("readdir_partial_pos_resumes", c.stop_after == 5 && !strcmp(c.buf[4], "f2"), 1);
	rm("/rd/f1");
	rm("/rd/f5");
	mk("/rd/new");
	c.stop_after = -1;
	vfs_readdir(d, &pos, collect, &c);
	check("readdir_stable_no_dup", listed(&c, "f2") + listed(&c, "f0"), 2);
	check("readdir_stable_f3", listed(&c, "f3"), 1);
	check("readdir_stable_unlinked_gone", listed(&c, "f5"), 0);
	check("readdir_stable_new_seen", listed(&c, "new"), 1);
	check("readdir_stable_total", c.n, 2 + 10 - 1 + 3 + 1);	/* each once; f5 gone; new added */
	/* stopping at the first entry leaves pos unchanged */
	memset(&c, 0, sizeof c);
	c.stop_after = 0;
	pos = 0;
	vfs_readdir(d, &pos, collect, &c);
	check("readdir_stop_first", pos, 0);
	struct inode *f = get("/rd/f0");
	check("readdir_notdir", vfs_readdir(f, &pos, collect, &c), -ENOTDIR);
	inode_put(f);
	inode_put(d);
}

/* ---- cpio ---- */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	unsigned char *b = malloc(*len ? *len : 1);
	if (fread(b, 1, *len, fp) != *len) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	return b;
}

/* Append one newc/crc entry to a hand-built archive. */
static size_t put_entry(unsigned char *out, size_t at, const char *magic, uint32_t ino, uint32_t mode,
			uint32_t nlink, uint32_t rmaj, uint32_t rmin, const char *name,
			const void *data, uint32_t size, uint32_t check)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;
	at += (size_t)sprintf((char *)out + at, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			      magic, ino, mode, 0, 0, nlink, 1234, size, 0, 0, rmaj, rmin, nsz, check);
	memcpy(out + at, name, nsz);
	at += nsz;
	while (at & 3)
		out[at++] = 0;
	memcpy(out + at, data, size);
	at += size;
	while (at & 3)
		out[at++] = 0;
	return at;
}

static size_t trailer(unsigned char *out, size_t at)
{
	return put_entry(out, at, "070701", 0, 0, 1, 0, 0, "TRAILER!!!", "", 0, 0);
}

void *kept_images[64];		/* global: a root LeakSanitizer scans */
static int nkept;

/* Unpack a copy of exactly len bytes (so ASan sees any overread) into a new dir. */
static int unpack_into(const char *dirpath, const void *img, size_t len, unsigned char **keep)
{
	mkd(dirpath);
	struct inode *d = get(dirpath);
	unsigned char *copy = malloc(len ? len : 1);
	memcpy(copy, img, len);
	int n = cpio_unpack(copy, len, d);
	inode_put(d);
	if (keep)
		*keep = copy;
	/*
	 * Files borrow from the copy, so a successful one stays alive (listed
	 * here so LeakSanitizer sees it reachable).  A failed unpack's partial
	 * tree is never read again, so its copy can go.
	 */
	if (n >= 0 && nkept < 64)
		kept_images[nkept++] = copy;
	else
		free(copy);
	return n;
}

static const char *make_tree(char *tmp)
{
	static char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "set -e; cd %s; mkdir -p tree/dir1/dir2 tree/emptydir; cd tree;"
		 "printf 'nested file' > dir1/dir2/nested.txt;"
		 ": > empty; ln -s dir1/dir2/nested.txt link;"
		 "head -c 102400 /dev/urandom > big; chmod 640 big;"
		 "printf 'hardlinked' > hl1; ln hl1 dir1/hl2;"
		 "touch -h -d @1000000000 dir1/dir2/nested.txt;"
		 "find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../newc.cpio;"
		 "find . | LC_ALL=C sort | cpio -o -H crc --quiet > ../crc.cpio",
		 tmp);
	return cmd;
}

static void verify_tree(const char *prefix, const char *tmp, const char *tag)
{
	char p[256], q[256], name[128];
	size_t blen;
	snprintf(p, sizeof p, "%s/tree/big", tmp);
	unsigned char *want = slurp(p, &blen);
	snprintf(p, sizeof p, "%s/big", prefix);
	struct inode *ip = get(p);
	snprintf(name, sizeof name, "%s_big_exists", tag);
	check(name, ip != NULL && want != NULL, 1);
	if (ip && want) {
		unsigned char *got = malloc(blen + 1);
		snprintf(name, sizeof name, "%s_big_size", tag);
		check(name, inode_read(ip, 0, got, blen + 1), 102400);
		snprintf(name, sizeof name, "%s_big_bytes", tag);
		check(name, memcmp(got, want, blen), 0);
		snprintf(name, sizeof name, "%s_big_zero_copy", tag);
		check(name, ip->cap, 0);
		snprintf(name, sizeof name, "%s_big_mode", tag);
		check(name, ip->mode, S_IFREG | 0640);
		free(got);
	}
	if (ip)
		inode_put(ip);
	free(want);
	snprintf(p, sizeof p, "%s/dir1/dir2/nested.txt", prefix);
	snprintf(name, sizeof name, "%s_nested", tag);
	check_str(name, cat(p), "nested file");
	ip = get(p);
	snprintf(name, sizeof name, "%s_mtime", tag);
	check(name, ip ? ip->mtime.sec : -1, 1000000000);
	if (ip)
		inode_put(ip);
	snprintf(p, sizeof p, "%s/link", prefix);
	snprintf(name, sizeof name, "%s_symlink_follows", tag);
	check_str(name, cat(p), "nested file");
	snprintf(name, sizeof name, "%s_symlink_target", tag);
	char t[64] = { 0 };
	ip = NULL;
	vfs_lookup(NULL, p, 0, &ip);
	check_str(name, ip && S_ISLNK(ip->mode) && vfs_readlink(ip, t, sizeof t) > 0 ? t : "?", "dir1/dir2/nested.txt");
	if (ip)
		inode_put(ip);
	snprintf(p, sizeof p, "%s/empty", prefix);
	ip = get(p);
	snprintf(name, sizeof name, "%s_empty_file", tag);
	check(name, ip && S_ISREG(ip->mode) ? (long)ip->size : -1, 0);
	if (ip)
		inode_put(ip);
	snprintf(p, sizeof p, "%s/emptydir", prefix);
	ip = get(p);
	snprintf(name, sizeof name, "%s_empty_dir", tag);
	check(name, ip && S_ISDIR(ip->mode), 1);
	if (ip)
		inode_put(ip);
	snprintf(p, sizeof p, "%s/hl1", prefix);
	snprintf(q, sizeof q, "%s/dir1/hl2", prefix);
	snprintf(name, sizeof name, "%s_hardlink_same_inode", tag);
	check(name, ino_of(p, 1) > 0 && ino_of(p, 1) == ino_of(q, 1), 1);
	snprintf(name, sizeof name, "%s_hardlink_data", tag);
	check_str(name, cat(q), "hardlinked");
	ip = get(p);
	snprintf(name, sizeof name, "%s_hardlink_nlink", tag);
	check(name, ip ? (long)ip->nlink : -1, 2);
	if (ip)
		inode_put(ip);
}

static void test_cpio_tool(void)
{
	char tmp[] = "/tmp/duet-vfs-XXXXXX";
	if (!mkdtemp(tmp)) {
		check("cpio_tmpdir", 0, 1);
		return;
	}
	check("cpio_tool_ran", system(make_tree(tmp)), 0);
	char p[256];
	size_t len, clen;
	snprintf(p, sizeof p, "%s/newc.cpio", tmp);
	unsigned char *img = slurp(p, &len);
	snprintf(p, sizeof p, "%s/crc.cpio", tmp);
	unsigned char *crc = slurp(p, &clen);
	if (!img || !crc) {
		check("cpio_archive_read", 0, 1);
		return;
	}
	/* everything find lists but ".": 3 dirs, 5 files (2 hard-linked), 1 symlink */
	unsigned char *kept;
	check("cpio_newc_count", unpack_into("/cp", img, len, &kept), 9);
	verify_tree("/cp", tmp, "cpio_newc");
	/* writing an unpacked file copies it: the image does not change */
	unsigned char *before = malloc(len);
	memcpy(before, kept, len);
	check("cpio_write_copies", wr("/cp/big", 0, "XY"), 2);
	check("cpio_image_untouched", memcmp(before, kept, len), 0);
	free(before);
	check("cpio_unpack_again", unpack_into("/cp", img, len, NULL), 9);
	verify_tree("/cp", tmp, "cpio_again");
	check("cpio_crc_count", unpack_into("/cpc", crc, clen, NULL), 9);
	verify_tree("/cpc", tmp, "cpio_crc");
	/* corrupt one data byte of the big file in the crc archive */
	unsigned char *bad = malloc(clen);
	memcpy(bad, crc, clen);
	unsigned char *hit = memmem(bad, clen, "big", 4);
	hit[4 + 100] ^= 1;	/* data starts 2 bytes after the name "big\0" */
	check("cpio_crc_corrupt", unpack_into("/cpcb", bad, clen, NULL), -EINVAL);
	free(bad);

	/* every truncation before the trailer ends fails cleanly */
	unsigned char *tr = memmem(img, len, "TRAILER!!!", 11);
	size_t tend = (size_t)(tr - img) + 11;
	int allinval = 1, cuts = 0;
	for (size_t cut = 0; cut < tend; cut += (cut < 1024 ? 1 : 97)) {
		char d[32];
		snprintf(d, sizeof d, "/cut%zu", cut);
		int r = unpack_into(d, img, cut, NULL);
		allinval &= r == -EINVAL;
		cuts++;
		if (r != -EINVAL)
			printf("  cut %zu -> %d\n", cut, r);
	}
	check("cpio_truncated_all_einval", allinval, 1);
	check("cpio_truncated_many", cuts > 1000, 1);
	check("cpio_trailer_only_padding_cut", unpack_into("/cutok", img, tend, NULL), 9);
	free(img);
	free(crc);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	check("cpio_cleanup", system(cmd), 0);
}

static void test_cpio_handmade(void)
{
	unsigned char *a = calloc(1, 8192);
	size_t n = 0;
	n = put_entry(a, n, "070701", 5, S_IFCHR | 0600, 1, 5, 1, "/dev/console", "", 0, 0);
	n = put_entry(a, n, "070701", 6, S_IFIFO | 0644, 1, 0, 0, "./run/fifo", "", 0, 0);
	n = put_entry(a, n, "070701", 7, S_IFBLK | 0660, 1, 259, 70000, "dev/blk", "", 0, 0);
	n = put_entry(a, n, "070701", 77, S_IFREG | 0644, 2, 0, 0, "x/first", "", 0, 0);
	n = put_entry(a, n, "070701", 77, S_IFREG | 0644, 2, 0, 0, "x/second", "hello", 5, 0);
	n = put_entry(a, n, "070701", 8, S_IFDIR | 0700, 2, 0, 0, "x", "", 0, 0);
	n = put_entry(a, n, "070702", 9, S_IFREG | 0644, 1, 0, 0, "x/crc", "abc", 3, 'a' + 'b' + 'c');
	n = trailer(a, n);
	check("hand_count", unpack_into("/h", a, n, NULL), 7);
	struct inode *ip = get("/h/dev/console");
	check("hand_chr", ip && S_ISCHR(ip->mode) && ip->rdev == VFS_MKDEV(5, 1), 1);
	if (ip)
		inode_put(ip);
	ip = get("/h/dev/blk");
	check("hand_blk_major", ip ? (long)VFS_MAJOR(ip->rdev) : -1, 259);
	check("hand_blk_minor", ip ? (long)VFS_MINOR(ip->rdev) : -1, 70000);
	if (ip)
		inode_put(ip);
	ip = get("/h/run/fifo");
	check("hand_fifo_parent_made", ip && S_ISFIFO(ip->mode), 1);
	if (ip)
		inode_put(ip);
	check("hand_hardlink_ino", ino_of("/h/x/first", 1), ino_of("/h/x/second", 1));
	check_str("hand_hardlink_data_on_last", cat("/h/x/first"), "hello");
	ip = get("/h/x");
	check("hand_dir_mode_after_children", ip ? (long)ip->mode : -1, S_IFDIR | 0700);
	check("hand_dir_mtime_kept", ip ? ip->mtime.sec : -1, 1234);
	if (ip)
		inode_put(ip);
	check_str("hand_crc_ok", cat("/h/x/crc"), "abc");

	/* malformed archives */
	size_t m;
	unsigned char *g = calloc(1, 8192);
	check("bad_empty", unpack_into("/b0", g, 0, NULL), -EINVAL);
	check("bad_zeros", unpack_into("/b1", g, 512, NULL), -EINVAL);
	srand(42);
	for (int i = 0; i < 4096; i++)
		g[i] = (unsigned char)rand();
	check("bad_garbage", unpack_into("/b2", g, 4096, NULL), -EINVAL);
	m = put_entry(g, 0, "070707", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);	/* odc magic */
	m = trailer(g, m);
	check("bad_magic", unpack_into("/b3", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	g[6 + 8] = 'g';	/* mode field not hex */
	m = trailer(g, m);
	check("bad_hex", unpack_into("/b4", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	memcpy(g + 6 + 8 * 11, "00000000", 8);	/* namesize 0 */
	m = trailer(g, m);
	check("bad_namesize_zero", unpack_into("/b5", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	memcpy(g + 6 + 8 * 11, "FFFFFFFF", 8);	/* namesize huge */
	m = trailer(g, m);
	check("bad_namesize_huge", unpack_into("/b6", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	memcpy(g + 6 + 8 * 6, "FFFFFFF0", 8);	/* filesize huge */
	m = trailer(g, m);
	check("bad_filesize_huge", unpack_into("/b7", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "ff", "", 0, 0);
	memcpy(g + 6 + 8 * 11, "00000002", 8);	/* name "ff" without its NUL */
	m = trailer(g, m);
	check("bad_name_unterminated", unpack_into("/b8", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	check("bad_no_trailer", unpack_into("/b9", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, 0170000 | 0644, 1, 0, 0, "f", "", 0, 0);
	m = trailer(g, m);
	check("bad_file_type", unpack_into("/b10", g, m, NULL), -EINVAL);
	m = put_entry(g, 0, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f", "", 0, 0);
	m = put_entry(g, m, "070701", 1, S_IFREG | 0644, 1, 0, 0, "f/under", "", 0, 0);
	m = trailer(g, m);
	check("bad_under_file", unpack_into("/b11", g, m, NULL), -ENOTDIR);
	m = trailer(g, 0);
	check("trailer_only", unpack_into("/b12", g, m, NULL), 0);
	free(g);
	free(a);
}

int main(void)
{
	vfs_init();
	test_walk();
	test_data();
	test_unlink();
	test_rename();
	test_readdir();
	test_cpio_tool();
	test_cpio_handmade();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
