/*
 * fuzz: random system calls with hostile arguments (NULL, kernel and
 * unmapped addresses, huge sizes, bad fds and flags) from throw-away child
 * processes.  A child may die of a signal or block; the parent kills it
 * after a deadline and starts the next.  The kernel must survive all of it:
 * afterwards fork, pipes, files and exec still work.
 *   fuzz [rounds] [calls-per-round] [seed] [all][,user]
 * With "all", the calls that usually just kill the child (munmap,
 * mprotect, brk, rt_sigaction, rt_sigreturn, MAP_FIXED) are fuzzed too.
 * With "threads", each child runs the calls from four threads at once
 * (futexes, mmap/munmap and signals racing within one address space).
 * With "user", each child becomes uid 1000 first, and may also call kill
 * and reboot (they must fail against root's processes and the machine);
 * a child that finishes checks that it is still uid 1000 everywhere and
 * still cannot read /etc/shadow, and the parent that root's files kept
 * their owner and mode: nothing gained privilege.
 *
 * Each child counts the calls that returned in a MAP_SHARED anonymous
 * page made before fork, so the parent can read the count even after it
 * killed the child or the child closed its fds; fuzzed munmap, mprotect,
 * mremap, madvise and MAP_FIXED never touch that page.  A SIGALRM itimer
 * (handler without SA_RESTART, re-armed every 64 calls) makes a blocking
 * call return EINTR so the child goes on; the parent kills a child that
 * made no progress for 1 s, the last resort.  The parent prints "fuzz: N calls executed" (the sum).
 */
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ut.h"

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char buf[8192];
static volatile long *counter;	/* MAP_SHARED: this child's executed calls */
static int fuzz_all, fuzz_user, fuzz_threads;

#define UID 1000
#define GAINED 99		/* a child's exit status: it gained privilege */

static long hostile_arg(void)
{
	static const long fixed[] = {
		0, 1, -1, 2, 3, 4096, 0x7fffffff, -4096, (long)0xffffffc000000000UL,
		(long)0xffffffff80200000UL, 0x3fffffffff, 0x4000000000, 0x1000,
	};
	switch (next() % 5) {
	case 0: return fixed[next() % (sizeof fixed / sizeof fixed[0])];
	case 1: return (long)(buf + next() % sizeof buf);	/* a valid buffer */
	case 2: return (long)(next() % 64);			/* small: fds, flags */
	case 3: return (long)next();				/* anything */
	default: return (long)(next() % 0x100000);
	}
}

/* Calls that would end the test rather than exercise the kernel. */
static int excluded(long nr)
{
	if (fuzz_all && (nr == 215 || nr == 226 || nr == 134 || nr == 139 || nr == 214 || nr == 222))
		return 0;
	if (fuzz_user && (nr == 129 || nr == 130 || nr == 131 || nr == 142))
		return 0;	/* as a user these must fail against root */
	switch (nr) {
	case 93: case 94:		/* exit */
	case 129: case 130: case 131:	/* kill: could hit the parent or init */
	case 138: case 240:		/* rt_(tg)sigqueueinfo: likewise */
	case 261:			/* prlimit64 on the parent (NOFILE 0) would end the test */
	case 142:			/* reboot */
	case 220: case 435:		/* clone: fork bombs */
	case 221: case 281:		/* execve */
	case 215: case 226:		/* munmap, mprotect: would only kill the child */
	case 134: case 139:		/* random handlers and frames: likewise */
	case 214:			/* brk could shrink under malloc's feet */
		return 1;
	}
	return 0;
}

static void become_user(void)
{
	if (SYS2(SYS_setgroups, 0, 0) || SYS3(SYS_setresgid, UID, UID, UID) ||
	    SYS3(SYS_setresuid, UID, UID, UID))
		_exit(2);
}

/* After the fuzzing: every id still 1000, no groups, and root's secret still closed to us. */
static int still_user(void)
{
	unsigned r = 0, e = 0, s = 0, gr = 0, ge = 0, gs = 0;
	if (SYS3(SYS_getresuid, &r, &e, &s) || SYS3(SYS_getresgid, &gr, &ge, &gs))
		return 1;	/* our own stack may be garbage by now: not a gain */
	long fsu = SYS1(SYS_setfsuid, -1), fsg = SYS1(SYS_setfsgid, -1);
	long shadow = SYS4(SYS_openat, -100, "/etc/shadow", 0, 0);
	return r == UID && e == UID && s == UID && gr == UID && ge == UID && gs == UID &&
	       fsu == UID && fsg == UID && SYS2(SYS_getgroups, 0, 0) == 0 && shadow == -EACCES;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt a blocking call with EINTR */
}

/*
 * A fuzzed call may have blocked SIGALRM or stopped the timer: undo that.
 * Each thread has a POSIX timer of its own that signals that thread
 * (SIGEV_THREAD_ID): a process-wide itimer interrupts only one thread, so
 * in "threads" mode the others would stay blocked until the deadline. The
 * sigevent is built by hand (riscv64 layout: value, signo, notify, tid) as
 * this musl has no name for the thread-id field.
 */
static __thread long alarm_timer = -1;

static void arm_alarm(void)
{
	unsigned long set = 1UL << (SIGALRM - 1);
	SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, 0, 8);
	if (alarm_timer < 0) {
		struct { long value; int signo, notify, tid, pad[11]; } sev = {
			0, SIGALRM, 4 /* SIGEV_THREAD_ID */, (int)SYS0(SYS_gettid), { 0 } };
		int id = -1;
		if (SYS3(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) == 0)
			alarm_timer = id;
	}
	struct itimerspec it = { { 0, 20000000 }, { 0, 20000000 } };
	if (alarm_timer < 0 || SYS4(SYS_timer_settime, alarm_timer, 0, &it, 0) != 0) {
		/* no timer left (a fuzzed timer_delete took ours): the process itimer */
		struct itimerval iv = { { 0, 20000 }, { 0, 20000 } };
		alarm_timer = -1;
		SYS3(SYS_setitimer, ITIMER_REAL, &iv, 0);
	}
}

/* Would the call unmap, protect, move or zero the counter's page? */
static int hits_counter(long nr, long a0, long a1, long a3)
{
	if (nr != 215 && nr != 226 && nr != 216 && nr != 233 && !(nr == 222 && (a3 & 0x10)))
		return 0;
	unsigned long lo = (unsigned long)counter, start = (unsigned long)a0 & ~4095UL;
	unsigned long end = (unsigned long)a0 + (unsigned long)a1;
	return end < start || (start < lo + 4096 && end + 4096 > lo);
}

static void fuzz_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (hits_counter(nr, a0, a1, a3))
		return;
	ut_sys6(nr, a0, a1, a2, a3, a4, a5);
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static void calls_loop(long calls)
{
	for (long i = 0; i < calls; i++) {
		long nr = (long)(next() % 300);
		if (excluded(nr))
			continue;
		if (i % 64 == 0)
			arm_alarm();
		long a3 = hostile_arg();
		if (nr == 222 && !fuzz_all)
			a3 &= ~0x10L;	/* no MAP_FIXED over our own code */
		/* the arguments drawn in the same order as before counting, so old seeds still reproduce */
		long a0 = hostile_arg(), a1 = hostile_arg(), a2 = hostile_arg();
		if (nr == 196 && !fuzz_all)
			a2 &= ~040000L;	/* shmat: no SHM_REMAP over our own code or the counter */
		fuzz_call(nr, a0, a1, a2, a3, hostile_arg(), hostile_arg());
	}
}

static void *thread_loop(void *arg)
{
	calls_loop((long)arg);
	return NULL;
}

/* the generator is shared by the threads on purpose: races only perturb it */
static void child(long calls)
{
	pthread_t t[3];
	int n = 0;
	for (int i = 0; fuzz_threads && i < 3; i++)
		n += pthread_create(&t[n], NULL, thread_loop, (void *)calls) == 0;
	calls_loop(calls);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	_exit(fuzz_user && !still_user() ? GAINED : 0);
}

/*
 * Wait for child p while it makes progress. It is given up on (returns 0)
 * only after STALL_MS without one more call returning, or after a 30 s cap:
 * a slow host then makes the run longer, not the count smaller. The alarms
 * bound each blocking call, so a stall is a call that ignores them.
 * Returns 1 with the status in *st once the child has ended.
 */
#define STALL_MS 1000
static int wait_or_stall(pid_t p, int *st)
{
	int still = 0;
	long last = *counter;
	for (int t = 0; t < 1200 && still < STALL_MS / 25; t++) {
		if (waitpid(p, st, WNOHANG) == p)
			return 1;
		usleep(25000);
		long now = *counter;
		still = now == last ? still + 1 : 0;
		last = now;
	}
	return waitpid(p, st, WNOHANG) == p;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 40;
	long calls = argc > 2 ? atol(argv[2]) : 3000;
	rng = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL) | 1;
	fuzz_all = argc > 4 && strstr(argv[4], "all") != NULL;
	fuzz_user = argc > 4 && strstr(argv[4], "user") != NULL;
	fuzz_threads = argc > 4 && strstr(argv[4], "threads") != NULL;
	struct stat shadow0 = { 0 }, shadow1 = { 0 }, bb0 = { 0 }, bb1 = { 0 };
	stat("/etc/shadow", &shadow0);
	stat("/bin/busybox", &bb0);
	int gained = 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("fuzz: %d rounds x %ld calls, seed %#llx\n", rounds, calls, (unsigned long long)rng);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		return 1;
	/* the count only means something if fork shares the page (Linux does) */
	*counter = 0;
	pid_t q = fork();
	if (q == 0) {
		*counter = 42;
		_exit(0);
	}
	waitpid(q, NULL, 0);
	printf("%s shared-page-survives-fork (expected 42, got %ld)\n", *counter == 42 ? "PASS" : "FAIL", *counter);
	int shared_ok = *counter == 42;
	long executed = 0;
	int finished = 0, signalled = 0, killed = 0;
	for (int r = 0; r < rounds; r++) {
		next();
		*counter = 0;
		pid_t p = fork();
		if (p == 0) {
			/* the child's stdio must not flood the console: point it at /dev/null */
			int fd = open("/dev/null", O_RDWR);
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			signal(SIGPIPE, SIG_IGN);
			struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
			sigaction(SIGALRM, &sa, NULL);
			if (fuzz_user)
				become_user();
			child(calls);
		}
		int st = 0;
		if (!wait_or_stall(p, &st)) {
			kill(p, SIGKILL);
			waitpid(p, &st, 0);
			killed++;
		} else if (WIFSIGNALED(st)) {
			if (signalled++ < 3)
				printf("fuzz: round %d: child died of signal %d\n", r, WTERMSIG(st));
		} else {
			finished++;
			if (WEXITSTATUS(st) == GAINED && gained++ < 3)
				printf("fuzz: round %d: the child ended with changed ids or root's access\n", r);
		}
		executed += *counter;
	}
	printf("fuzz: %d finished, %d died of a signal, %d blocked and killed\n", finished, signalled, killed);
	printf("fuzz: %ld calls executed\n", executed);
	/* the kernel is still whole */
	int ok = 1, pfd[2];
	char c = 0;
	ok &= pipe(pfd) == 0 && write(pfd[1], "x", 1) == 1 && read(pfd[0], &c, 1) == 1 && c == 'x';
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/hello", "hello", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	ok &= waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	int fd = open("/tmp/fuzz-after", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ok &= fd >= 0 && write(fd, "ok", 2) == 2 && lseek(fd, 0, SEEK_SET) == 0 &&
	      read(fd, buf, 2) == 2 && memcmp(buf, "ok", 2) == 0;
	printf("%s kernel-survives-fuzz\n", ok ? "PASS" : "FAIL");
	int kept = 1;
	if (fuzz_user) {
		stat("/etc/shadow", &shadow1);
		stat("/bin/busybox", &bb1);
		kept = !gained && shadow1.st_mode == shadow0.st_mode && shadow1.st_uid == 0 &&
		       bb1.st_mode == bb0.st_mode && bb1.st_uid == 0 && SYS0(SYS_geteuid) == 0;
		printf("fuzz: as uid %d: %d children gained privilege; /etc/shadow %o uid %u, /bin/busybox %o uid %u\n",
		       UID, gained, shadow1.st_mode & 07777, shadow1.st_uid, bb1.st_mode & 07777, bb1.st_uid);
		printf("%s user-gains-nothing\n", kept ? "PASS" : "FAIL");
	}
	printf("%d passed, %d failed\n", ok + (fuzz_user && kept) + shared_ok, !ok + !kept + !shared_ok);
	return !ok || !kept || !shared_ok;
}
