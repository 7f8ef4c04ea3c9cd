/*
 * The page cache of a regular file (kernel/fs/pagecache.c): page-aligned
 * copies of its bytes that exec maps into every process running the file
 * (shared read-only, copy-on-write where a segment is writable).  Filled a
 * page at a time on first use, dropped whenever the file changes.  Like the
 * rest of the filesystem, used only on the cpu that runs syscalls.
 */
#pragma once
#include <stdint.h>

struct inode;

/* The cached page holding file bytes [index*PGSIZE, +PGSIZE) (zeros past
 * the end), a user page (reference-counted: take one with upage_share to
 * map it); NULL if out of memory. */
void *pcache_page(struct inode *ip, uint64_t index);
struct mm;
/*
 * Map file bytes [off, off+len) at va (nothing mapped there) from the
 * cache with perm (not PROT_NONE): read-only, or copy-on-write if perm has
 * W; whole pages past the end raise SIGBUS.  Fails (nothing left mapped)
 * if the file cannot be cached: the caller copies instead.
 */
int pcache_map(struct mm *mm, struct inode *ip, uint64_t va, uint64_t len, uint64_t off, uint64_t perm);
/* How much of a mapping's part past the end of its file gets SIGBUS pages. */
uint64_t sigbus_len(uint64_t len);
/* execcache=0: exec copies segments instead of mapping the cache (kernel/exec.c) */
extern int exec_cache;
/* The cached page at index if there is one (never fills the cache). */
void *pcache_peek(struct inode *ip, uint64_t index);
/* The file changed or goes away: forget the cached pages (mappings keep theirs). */
void pcache_drop(struct inode *ip);
/*
 * Low memory (free pages under 1/32 of RAM)?  Then mem_reclaim drops the
 * page cache's and the block cache's pages no one maps or holds, writing
 * dirty blocks back first if needed.  The cpu that owns the filesystem,
 * between system calls.
 */
int mem_low(void);
void mem_reclaim(void);
extern uint64_t reclaim_stats[2];
extern uint64_t pcache_reads;	/* pages read into the cache */
