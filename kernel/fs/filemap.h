/*
 * Shared file mappings (MAP_SHARED of a regular file), kernel/fs/filemap.c.
 * Every mapping of a file maps one set of pages, which read() and write()
 * see too; msync, munmap, exit and exec write them back to the file.
 * Every call runs in a syscall (the cpu that owns the filesystem), never
 * from mm_put.
 */
#pragma once
#include <stdint.h>

struct mm;
struct inode;

struct inode;
/*
 * Map file bytes [off, off+len) of ip at va (nothing there) with perm
 * (0 = PROT_NONE): the file's shared pages, the same for every process;
 * whole pages past the end raise SIGBUS.  Nothing left mapped on error.
 */
int filemap_map_shared(struct mm *mm, struct inode *ip, uint64_t va, uint64_t len, uint64_t off,
		       uint64_t perm);
/* read(): bytes [off, off+n) in buf get what shared pages hold (newer than the file). */
void filemap_overlay(struct inode *ip, uint64_t off, void *buf, uint64_t n);
/* write(): bytes [off, off+n) written to the file go into the shared pages too. */
void filemap_absorb(struct inode *ip, uint64_t off, const void *buf, uint64_t n);
/* truncate(): shared bytes past the new size read 0. */
void filemap_truncated(struct inode *ip, uint64_t size);
/* MS_SYNC: after filemap_sync, the files under [va, va+len) flushed to their disks. */
int filemap_sync_disk(struct mm *mm, uint64_t va, uint64_t len);
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
/* The child of a fork keeps the parent's shared mappings (the same pages). */
int filemap_clone(struct mm *dst, struct mm *src);
/* Does a shared file mapping overlap [va, va+len)? */
int filemap_covers(struct mm *mm, uint64_t va, uint64_t len);
/* Exit, exec: write everything back and drop the records. */
void filemap_release(struct mm *mm);
