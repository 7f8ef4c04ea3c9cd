/*
 * vcpu_stop TID MS - stop one thread of another process (QEMU's vCPU
 * thread) for MS milliseconds, the others running on: what a host that
 * deschedules one vCPU does.  A stop signal cannot do this (SIGSTOP stops
 * the whole thread group); ptrace can: PTRACE_SEIZE attaches to the one
 * thread, PTRACE_INTERRUPT stops it, PTRACE_DETACH lets it go.  Needs
 * permission to trace it (root, or Yama ptrace_scope 0).
 * Prints "vcpu_stop: tid T stopped for MS ms"; exit 1 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: vcpu_stop TID MS\n");
		return 2;
	}
	pid_t tid = (pid_t)atoi(argv[1]);
	long ms = atol(argv[2]);
	if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
		fprintf(stderr, "vcpu_stop: PTRACE_SEIZE %d: %s\n", tid, strerror(errno));
		return 1;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
		fprintf(stderr, "vcpu_stop: PTRACE_INTERRUPT %d: %s\n", tid, strerror(errno));
		return 1;
	}
	int st;
	if (waitpid(tid, &st, __WALL) != tid || !WIFSTOPPED(st)) {
		fprintf(stderr, "vcpu_stop: %d did not stop\n", tid);
		return 1;
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	if (ptrace(PTRACE_DETACH, tid, 0, 0) != 0) {
		fprintf(stderr, "vcpu_stop: PTRACE_DETACH %d: %s\n", tid, strerror(errno));
		return 1;
	}
	printf("vcpu_stop: tid %d stopped for %ld ms\n", tid, ms);
	return 0;
}
