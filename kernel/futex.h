/*
 * Fast user-space mutexes (futex(2)).  A waiter is the future running the
 * caller's futex call, parked on a hashed list keyed (mm, address): the
 * key Linux uses for private anonymous memory, which is all duet maps
 * (there is no MAP_SHARED between processes yet, see docs/THREADS.md).
 */
#pragma once
#include <stdint.h>

struct mm;
struct task;

/* Wake up to n waiters on (mm, uaddr) whatever their bitset; returns how many. */
int futex_wake_addr(struct mm *mm, uint64_t uaddr, int n);
/* Thread exit: the robust mutexes it holds get FUTEX_OWNER_DIED, one waiter each wakes. */
void robust_list_exit(struct task *t);
