/* offload=1: the client's syscall path and the server's request executor. */
#pragma once
#include <stdint.h>
struct task;

void offload_init(void);
/* Client, on the task's thread: submit, park, return the result. */
long offload_call(struct task *t, uint64_t nr, const uint64_t a[6]);
/* The same in two halves for the trap's fast path (interrupts off in the
 * first): -1 nothing submitted, 1 done (*r), 0 in flight: offload_wait. */
int offload_try_fast(struct task *t, uint64_t nr, const uint64_t a[6], long *r);
long offload_wait(struct task *t);
/* Executor hooks for the two roles. */
void offload_client_start(void);
/* Client: entering / leaving user mode while other tasks wait for completions. */
int offload_user_enter(void);
void offload_user_exit(void);
void offload_server_start(void);
