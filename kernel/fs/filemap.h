/*
 * Shared file mappings (MAP_SHARED of a regular file), kernel/fs/filemap.c.
 * The pages are the process's own copy of the file's bytes, written back
 * to the file by msync, munmap, exit and exec (docs/DYNAMIC.md says what
 * that leaves out).  Every call runs in a syscall (the cpu that owns the
 * filesystem), never from mm_put.
 */
#pragma once
#include <stdint.h>

struct mm;
struct inode;

/* How a shared mapping may be written: */
enum { FILEMAP_READ_ONLY_FD, FILEMAP_NOT_YET, FILEMAP_WRITABLE };
/* Remember [va, va+len) as backed by ip from file offset off; writable is a FILEMAP_*. */
int filemap_add(struct mm *mm, uint64_t va, uint64_t len, struct inode *ip, uint64_t off,
		int writable);
/* mprotect adds PROT_WRITE over [va, va+len): -EACCES over a mapping of a read-only fd. */
int filemap_set_writable(struct mm *mm, uint64_t va, uint64_t len);
/* Write the shared pages overlapping [va, va+len) back to their files. */
int filemap_sync(struct mm *mm, uint64_t va, uint64_t len);
/* Write back, then forget [va, va+len) (munmap, MAP_FIXED over it). */
void filemap_remove(struct mm *mm, uint64_t va, uint64_t len);
/*
 * The child of a fork keeps the parent's shared mappings (its own copies).
 * The caller (mm_clone) has written the parent's back first, since after
 * the fork every page is copy-on-write and would look never stored to.
 */
int filemap_clone(struct mm *dst, struct mm *src);
/* Does a shared file mapping overlap [va, va+len)? */
int filemap_covers(struct mm *mm, uint64_t va, uint64_t len);
/* Exit, exec: write everything back and drop the records. */
void filemap_release(struct mm *mm);
