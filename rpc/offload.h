/* offload=1: the client's syscall path and the server's request executor. */
#pragma once
#include <stdint.h>
struct task;

void offload_init(void);
/* Client, on the task's thread: submit, park, return the result. */
long offload_call(struct task *t, uint64_t nr, const uint64_t a[6]);
/* Executor hooks for the two roles. */
void offload_client_start(void);
/* Client: entering / leaving user mode while other tasks wait for completions. */
int offload_user_enter(void);
void offload_user_exit(void);
void offload_server_start(void);
