/*
 * exhaust: resource exhaustion degrades, it does not crash.  Fork until the
 * process table is full (EAGAIN), open until the fd table is full (EMFILE),
 * map more memory than the machine has at once (ENOMEM), touch more than it
 * has in a child (killed by SIGKILL), grow brk past memory, then
 * check that everything still works after releasing it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

static void check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok ? "" : ": ", ok ? "" : detail);
	ok ? passed++ : failed++;
}

static void fork_until_full(void)
{
	pid_t kids[512];
	int n = 0, err = 0;
	while (n < 512) {
		pid_t p = fork();
		if (p == 0) {
			pause();	/* until killed */
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		kids[n++] = p;
	}
	char d[96];
	snprintf(d, sizeof d, "expected EAGAIN after some forks, got errno %d after %d", err, n);
	check(n > 10 && err == EAGAIN, "fork-eagain", d);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	snprintf(d, sizeof d, "expected %d children reaped, got %d", n, reaped);
	check(reaped == n, "fork-reap-all", d);
	pid_t p = fork();
	if (p == 0)
		_exit(7);
	int st = 0;
	waitpid(p, &st, 0);
	check(p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork-after-full", "fork failed after the table emptied");
}

static void open_until_full(void)
{
	int n = 0, err = 0, fds[1024];
	while (n < 1024) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			err = errno;
			break;
		}
		fds[n++] = fd;
	}
	check(err == EMFILE, "open-emfile", "expected EMFILE");
	int p[2];
	check(pipe(p) < 0 && errno == EMFILE, "pipe-emfile", "expected EMFILE");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	check(open("/dev/null", O_RDONLY) >= 0, "open-after-close", "open failed after closing");
}

static void memory(void)
{
	void *big = mmap(NULL, 4UL << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(big == MAP_FAILED && errno == ENOMEM, "mmap-4g-enomem", "expected ENOMEM");
	/*
	 * Memory is handed out at the first touch (Linux's overcommit): a child
	 * maps and touches 1 MiB chunks past what the machine has; the fault
	 * that finds no page kills it (SIGKILL), and everything comes back.
	 */
	pid_t pid = fork();
	if (pid == 0) {
		for (int n = 0; n < 2048; n++) {
			void *c = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (c == MAP_FAILED)
				_exit(2);
			memset(c, 0x5a, 1 << 20);
		}
		_exit(3);	/* 2 GiB touched on a 512 MiB machine: cannot get here */
	}
	int st = 0;
	waitpid(pid, &st, 0);
	char d[64];
	snprintf(d, sizeof d, "child status %#x", st);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "touch-until-oom-killed", d);
	void *again = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (again != MAP_FAILED)
		memset(again, 1, 64 << 20);	/* the killed child's pages are free again */
	check(again != MAP_FAILED, "mmap-after-release", "64 MiB mmap failed after releasing");
	if (again != MAP_FAILED)
		munmap(again, 64 << 20);
	void *cur = sbrk(0);
	check(sbrk(2L << 30) == (void *)-1 && sbrk(0) == cur, "brk-too-big", "a 2 GiB brk should fail and leave the break");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	fork_until_full();
	open_until_full();
	memory();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
