/*
 * The VFS and its only filesystem so far, ramfs (kernel/fs/ramfs.c): the root
 * is an in-memory tree, filled at boot from the initramfs (kernel/cpio.c).
 *
 * Concurrency: there is no locking.  Every VFS call runs on the cpu that
 * serves system calls, one call at a time; a second caller must add a lock
 * around the whole API first.
 *
 * References: `refs` counts in-memory users (open files, cwds, lookups in
 * progress); `nlink` counts directory entries.  An inode is freed when both
 * reach zero, so an open file outlives its unlink.  Directory entries do not
 * hold refs; a directory holds one ref on its parent (for "..").
 *
 * Errors are negative Linux errno values (kernel/errno.h).  Permission bits
 * are the caller's policy (kernel/perm.h), except for the two hooks below
 * that only the walk and create can apply.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define NAME_MAX        255	/* bytes in one path component */
#define PATH_MAX        4096	/* bytes in a path, with its NUL */
#define SYMLOOP_MAX     40	/* symlinks followed in one lookup */
#define VFS_LINK_MAX    65000	/* nlink limit (-EMLINK) */
#define VFS_FILE_MAX    (1ULL << 36)	/* 64 GiB: writes beyond are -EFBIG */

/* Linux mode bits (octal). */
#ifndef S_IFMT
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#endif

/* getdents64 d_type values: (mode >> 12) & 15. */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

#define RENAME_NOREPLACE (1 << 0)

/*
 * rdev uses Linux's 32-bit "new" dev_t encoding (new_encode_dev): minor bits
 * 0-7 and 20-31, major bits 8-19.  For major < 4096 it equals the low word of
 * glibc/musl's 64-bit makedev(), so st_rdev = rdev zero-extended.
 */
#define VFS_MKDEV(ma, mi) ((((mi) & 0xffu) | (((ma) & 0xfffu) << 8) | (((mi) & ~0xffu) << 12)))
#define VFS_MAJOR(d)      (((d) >> 8) & 0xfffu)
#define VFS_MINOR(d)      (((d) & 0xffu) | (((d) >> 12) & 0xfff00u))

struct vfs_time {
	int64_t sec, nsec;
};

struct dentry;			/* ramfs: one directory entry */
struct file;
struct inode;

typedef int (*vfs_emit_fn)(void *ctx, const char *name, size_t namelen, uint64_t ino,
			   unsigned dtype);

/*
 * A synthetic filesystem (procfs) makes its own inodes and sets ip->ops;
 * ramfs inodes have ops NULL.  The VFS calls below consult the hooks so the
 * path walk, readdir, getcwd and open work across a mount without knowing
 * the filesystem.  A synthetic directory takes no new names (create, link:
 * -EACCES; rename: -EXDEV).
 */
struct inode_ops {
	/* dirs: name (len bytes, no NUL) in dir: *out referenced, or -ENOENT */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* dirs: vfs_readdir's contract */
	int (*readdir)(struct inode *dir, uint64_t *pos, vfs_emit_fn emit, void *ctx);
	/* ip's name in its synthetic parent, into buf[NAME_MAX + 1]; returns its length */
	int (*name)(struct inode *ip, char *buf);
	/* file_open_inode's contract; NULL: the generic open */
	int (*open)(struct inode *ip, int flags, struct file **out);
	/* refs reached zero: the filesystem frees ip (nlink is not consulted) */
	void (*release)(struct inode *ip);
	/*
	 * A disk filesystem (kernel/fs/ext2.c) that takes names and data sets
	 * these; the vfs_* and inode_* calls below hand over to them with the
	 * same contracts.  NULL: a synthetic filesystem (the calls refuse).
	 */
	int (*create)(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
		      struct inode **out);
	int (*unlink)(struct inode *dir, const char *name, int rmdir);
	int (*link)(struct inode *target, struct inode *dir, const char *name);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	int (*rename)(struct inode *olddir, const char *oldname, struct inode *newdir,
		      const char *newname, unsigned flags);
	long (*read)(struct inode *ip, uint64_t off, void *buf, size_t n);
	long (*write)(struct inode *ip, uint64_t off, const void *buf, size_t n);
	int (*truncate)(struct inode *ip, uint64_t size);
};

struct inode {
	uint32_t ino;
	uint32_t mode;		/* S_IFMT type | permission bits */
	uint32_t nlink;		/* dirs: 2 + subdirectories, 0 once removed */
	uint32_t uid, gid;
	uint32_t rdev;		/* char/block nodes, VFS_MKDEV encoding */
	uint64_t size;		/* bytes (symlinks: target length) */
	struct vfs_time atime, mtime, ctime;	/* atime is not updated by reads */
	int refs;
	/*
	 * A filesystem mounted on this directory: lookup steps into it (procfs
	 * on /proc; the mounted root's parent is this directory's parent).
	 */
	struct inode *mounted;
	void *priv;		/* for the owner of a device/fifo node; ramfs ignores it */
	const struct inode_ops *ops;	/* NULL for ramfs inodes */

	/* ramfs private: directories */
	struct inode *parent;	/* "..": a counted ref; root points to itself */
	struct dentry *ents, *ents_tail;	/* in readdir-cookie order */
	uint64_t next_pos;	/* next readdir cookie */
	/*
	 * ramfs private: regular files and symlinks.  cap == 0 with data set
	 * means data is borrowed read-only (the initramfs image, mapped
	 * forever) and is copied to owned memory on the first change.
	 */
	uint8_t *data;
	uint64_t cap;
	struct pcache *pcache;	/* kernel/fs/pagecache.c: exec's page-aligned copy */
	struct fshared *fshared;	/* kernel/fs/filemap.c: the pages MAP_SHARED maps */
};

void vfs_init(void);
struct inode *vfs_root(void);		/* not referenced: inode_get() to keep it */
void inode_get(struct inode *ip);
void inode_put(struct inode *ip);

/*
 * Resolve path (absolute, or relative to cwd; cwd NULL means the root) to a
 * referenced inode.  follow_last: follow a symlink in the last component (a
 * trailing '/' always follows).  Errors: -ENOENT (missing, empty path),
 * -ENOTDIR (non-directory in the middle, or before a trailing '/'),
 * -ENAMETOOLONG (component > NAME_MAX, path >= PATH_MAX), -ELOOP (more than
 * SYMLOOP_MAX symlinks).
 */
int vfs_lookup(struct inode *cwd, const char *path, int follow_last, struct inode **out);

/*
 * Resolve all but the last component, for create/remove/rename: *dir gets a
 * referenced directory and last the final name (NAME_MAX+1 bytes), never
 * followed.  When the path has no ordinary last component, last is "." or
 * ".." as written, or "/" for the root alone; the vfs_* calls below give
 * those Linux's errors (mkdir: -EEXIST; rmdir: -EINVAL/-ENOTEMPTY/-EBUSY;
 * unlink: -EISDIR; rename: -EBUSY).  A trailing '/' after an existing
 * non-directory (symlinks excepted) is -ENOTDIR, as for Linux's unlink/rmdir/
 * rename; a caller creating a non-directory should itself refuse a path
 * ending in '/' (open O_CREAT: -EISDIR).  Same errors as vfs_lookup.
 */
int vfs_lookup_parent(struct inode *cwd, const char *path, struct inode **dir, char *last);

/*
 * Create name in dir with mode (type S_IFREG (or 0), S_IFDIR, S_IFLNK,
 * S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK; no umask applied) and uid/gid 0.
 * *out (if out) gets a referenced inode.  -EEXIST if name exists, -ENOENT if
 * dir was removed, -EMLINK, -ENOMEM.
 */
int vfs_create(struct inode *dir, const char *name, uint32_t mode, uint32_t rdev,
	       struct inode **out);
int vfs_mkdir(struct inode *dir, const char *name, uint32_t mode);
int vfs_unlink(struct inode *dir, const char *name);	/* -EISDIR for directories */
int vfs_rmdir(struct inode *dir, const char *name);	/* -ENOTDIR, -ENOTEMPTY, -EBUSY */
int vfs_link(struct inode *target, struct inode *dir, const char *name);	/* dirs: -EPERM */
int vfs_symlink(struct inode *dir, const char *name, const char *target);
/*
 * flags: RENAME_NOREPLACE (-EEXIST if newname exists); other flags -EINVAL.
 * Same inode on both sides: nothing happens.  Replacing a non-empty
 * directory -ENOTEMPTY, directory onto non-directory -ENOTDIR, non-directory
 * onto directory -EISDIR, a directory into its own subtree -EINVAL.
 */
int vfs_rename(struct inode *olddir, const char *oldname, struct inode *newdir,
	       const char *newname, unsigned flags);
/* Copies up to n bytes of the target (no NUL); returns the count.  -EINVAL if not a symlink. */
int vfs_readlink(struct inode *ip, char *buf, size_t n);

/*
 * File data.  Reads past the end return 0.  Writes extend the file and
 * zero-fill holes; when memory runs out they return the bytes written so far,
 * or -ENOSPC if none.  Directories -EISDIR, other non-regular files -EINVAL.
 */
long inode_read(struct inode *ip, uint64_t off, void *buf, size_t n);
long inode_write(struct inode *ip, uint64_t off, const void *buf, size_t n);
/* The same beneath shared mappings' pages (their write-back and fill, kernel/fs/filemap.c). */
long inode_read_file(struct inode *ip, uint64_t off, void *buf, size_t n);
long inode_write_file(struct inode *ip, uint64_t off, const void *buf, size_t n);
int inode_truncate(struct inode *ip, uint64_t size);
/* Give ip (regular file or symlink) len bytes borrowed read-only from data, which must stay mapped. */
int inode_set_borrowed(struct inode *ip, const void *data, uint64_t len);

/*
 * Emit entries from *pos on: "." (pos 0), ".." (pos 1), then entries in
 * creation order with stable cookies (unlink does not shift positions).
 * Stops when emit returns non-zero, without consuming that entry; *pos then
 * names it.  dtype is DT_*.  -ENOTDIR, -ENOENT for a removed directory.
 */
int vfs_readdir(struct inode *dir, uint64_t *pos,
		int (*emit)(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned dtype),
		void *ctx);

/* The parent of directory dir, referenced (the root is its own parent). */
struct inode *vfs_parent_of(struct inode *dir);
/*
 * Absolute path of directory cwd into buf (NUL-terminated); returns its
 * length without the NUL.  -ERANGE if n is too small, -ENOENT if cwd was
 * removed.
 */
int vfs_getcwd(struct inode *cwd, char *buf, size_t n);

/* Current time for timestamps: provided by the kernel (the host tests provide their own). */
void vfs_now(int64_t *sec, int64_t *nsec);
/*
 * Access hooks, provided by the kernel (kernel/perm.c; ramfs's weak
 * fallbacks allow everything and leave new inodes to root):
 * vfs_may_search: 0 or -EACCES, the caller may look names up in dir (x),
 * asked for every directory a walk passes through;
 * vfs_new_owner: set the uid/gid (and inherited set-group-ID) of ip, new in dir.
 */
int vfs_may_search(struct inode *dir);
void vfs_new_owner(struct inode *dir, struct inode *ip);
