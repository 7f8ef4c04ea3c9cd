/*
 * A process's user address space.  Both harts touch it: the client takes
 * page faults and runs the code, the server (offload=1) runs mmap/brk and
 * copies syscall arguments by walking the table through the direct map.
 * mm->lock serialises every page-table change and every walk; it is a
 * spinlock because neither side ever sleeps while holding it.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "kernel/vm.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/utc.h"
#include <stdatomic.h>

#define USER_STACK_TOP   0x0000003fff000000UL
#define USER_STACK_MAX   (8UL << 20)	/* grows on demand up to 8 MiB */
#define USER_MMAP_TOP    (USER_STACK_TOP - USER_STACK_MAX - (1UL << 30))
#define USER_MMAP_BOTTOM 0x0000002000000000UL

struct mm {
	/* read by the client on every return to user (mm_activate) */
	pagetable_t pgd;
	uint16_t asid;
	uint64_t tlb_gen;		/* bumped when a mapping is removed or narrowed */
	atomic_int refs;		/* the owning process, plus each hart that has it in satp */
	_Atomic uint64_t cpumask;	/* harts with it in satp: mm_shootdown's targets */
	/* taken by the server on every user copy: a line of its own, or each
	 * copy would pull the line above away from the client */
	_Alignas(64) struct spinlock lock;
	struct utc utc;			/* under lock: the last page a copy reached (kernel/utc.h) */
	uint64_t brk_start, brk;	/* heap: [brk_start, brk) mapped */
	uint64_t mmap_next;		/* next anonymous mapping ends here (grows down) */
	struct filemap *filemaps;	/* file mappings (kernel/fs/filemap.c), syscall cpu only */
	struct shm_attach *shm_attached;	/* System V shm attachments (kernel/ipc/shm.c), syscall cpu only */
};

struct mm *mm_create(void);
void mm_put(struct mm *mm);
void uvm_init(void);	/* boot, after mm_init: the shared zero page */
/* What demand paging did (any hart: atomics), shown in /proc/vmstat. */
struct uvm_counters {
	_Atomic uint64_t demand_zero;	/* a first store got a fresh page */
	_Atomic uint64_t zero_page;	/* a first load or fetch mapped the zero page */
	_Atomic uint64_t cow_copies;	/* a store to a shared page copied it */
	_Atomic uint64_t oom_kills;	/* a fault found no page: the process was killed */
};
extern struct uvm_counters uvm_counters;
/*
 * Demand-zero [va, va+len) with perm (0 = PROT_NONE): no page until the
 * first access; entries already there are kept.  Private anonymous memory.
 */
int uvm_map_lazy(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm);
/* Map fresh zeroed pages over [va, va+len) (already-mapped pages kept). */
int uvm_map_zero(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm);
void uvm_mark_shared(struct mm *mm, uint64_t va, uint64_t len);
/*
 * The physical address behind user va (a page mapped, PROT_NONE or not),
 * and whether the page is shared (MAP_SHARED anonymous, System V shm):
 * 0 or -EFAULT.  For futex keys and shmdt.
 */
int uvm_page_lookup(struct mm *mm, uint64_t va, uint64_t *pa, int *shared);
void uvm_unmap(struct mm *mm, uint64_t va, uint64_t len);
/* Map the existing user page pg at va, one more reference on it. */
int uvm_map_page(struct mm *mm, uint64_t va, void *pg, uint64_t perm);
int uvm_protect(struct mm *mm, uint64_t va, uint64_t len, uint64_t perm);
/*
 * Resolve a fault at va (demand-zero, stack growth, copy-on-write); 0 if
 * now mapped with the access allowed, -ENOMEM if that needed a page and
 * there was none (the caller kills, as Linux's OOM path), else -EFAULT.
 */
enum { UVM_READ, UVM_WRITE, UVM_EXEC };
int uvm_fault(struct mm *mm, uint64_t va, int access);
/*
 * May the page at va hold stores?  No if unmapped or still copy-on-write
 * (the page cache's or a fork's shared page: a store would have copied it).
 */
int uvm_page_maybe_stored(struct mm *mm, uint64_t va);
/*
 * The highest free [va, va+len) inside [lo, hi), 0 if none: mmap's search
 * once its downward hint (mm->mmap_next) has reached the bottom.
 */
uint64_t uvm_find_hole(struct mm *mm, uint64_t len, uint64_t lo, uint64_t hi);
/* Is any page of [va, va+len) mapped (PROT_NONE and SIGBUS pages count)? */
int uvm_range_mapped(struct mm *mm, uint64_t va, uint64_t len);
/* MADV_DONTNEED: the mapped pages of [va, va+len) become fresh zero pages, same permissions. */
int uvm_zap(struct mm *mm, uint64_t va, uint64_t len);
/* mremap: move the page table entries of [from, from+len) to [to, to+len) (to is free). */
int uvm_move(struct mm *mm, uint64_t from, uint64_t to, uint64_t len);
/* Why an access at va faulted: nothing mapped, a page the access may not use, past a file's end. */
enum { UVM_FAULT_UNMAPPED, UVM_FAULT_ACCESS, UVM_FAULT_BUS };
int uvm_fault_code(struct mm *mm, uint64_t va);
/* [va, va+len) of a file mapping lies past the file's end: accesses raise SIGBUS. */
int uvm_map_sigbus(struct mm *mm, uint64_t va, uint64_t len);
/* Copy a whole address space (fork): eager copy. */
struct mm *mm_clone(struct mm *src);
/* Install this mm on the current hart if it is not already there. */
void mm_activate(struct mm *mm);
int mm_is_active(struct mm *mm);	/* in satp, nothing to flush: mm_activate is a no-op */
/* This hart stops using mm (back to the kernel table). */
void mm_deactivate(struct mm *mm);
/* A mapping was removed or narrowed: every other hart running mm flushes before this returns. */
void mm_shootdown(struct mm *mm);
/* IPI_TLB: flush this hart's mm if its generation moved. */
void mm_flush_stale(void);

/*
 * User memory access.  Default (uaccess=walk): walk the table through the
 * direct map, no SUM toggle, no satp switch.  uaccess=satp: the syscall
 * cpu installs the caller's table and copies with SUM set, a fault in the
 * copy routine resolved or turned into -EFAULT (kernel/trap.c).
 */
enum uaccess_mode { UACCESS_WALK, UACCESS_SATP };
extern enum uaccess_mode uaccess_mode;
int uaccess_fault(uint64_t sepc, uint64_t scause, uint64_t stval, uint64_t *resume);
long copy_to_user(struct mm *mm, uint64_t dst, const void *src, size_t n);
long copy_from_user(struct mm *mm, void *dst, uint64_t src, size_t n);
/* Copies up to n-1 bytes and a NUL; returns the length or -EFAULT / -ENAMETOOLONG. */
long strncpy_from_user(struct mm *mm, char *dst, uint64_t src, size_t n);
long clear_user(struct mm *mm, uint64_t dst, size_t n);
/* Atomic compare-and-swap of an aligned user u32; *old = the value found. 0, -EFAULT, -EINVAL. */
long user_cmpxchg_u32(struct mm *mm, uint64_t uaddr, uint32_t expect, uint32_t desired, uint32_t *old);
/*
 * Linux's access_ok(): [addr, addr + n) lies below the user limit and does
 * not wrap.  A call that clamps its count (read, write: 0x7ffff000) asks
 * this first with the count it was given, so a range reaching into kernel
 * addresses is -EFAULT even when the clamped part would be user memory.
 */
static inline int user_range_ok(uint64_t addr, uint64_t n)
{
	return addr + n >= addr && addr + n <= USER_VA_END;
}
