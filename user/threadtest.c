/*
 * threadtest - threads, futexes, per-thread signals and timers (issue 10),
 * through musl's pthreads and raw system calls.  Prints PASS/FAIL lines
 * and "N passed, N failed"; exit status 0 iff all passed.
 *
 *   threadtest            every test below but the shootdown one
 *   threadtest shootdown  munmap while a thread on another hart reads the page
 *   threadtest execchild  (internal: what the exec test runs)
 */
#define _GNU_SOURCE
#include "ut.h"
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/futex.h>

static long futex(void *uaddr, int op, int val, long t_or_val2, void *uaddr2, int val3)
{
	return SYS6(SYS_futex, uaddr, op, val, t_or_val2, uaddr2, val3);
}

static long gettid_(void) { return SYS0(SYS_gettid); }

/* ---- create, join, detach ---- */

static atomic_int ran;

static void *count_me(void *arg)
{
	atomic_fetch_add(&ran, 1);
	return (void *)((long)arg * 2);
}

static void test_create_join(void)
{
	pthread_t t[64];
	int bad = 0, made = 0;
	for (long i = 0; i < 64; i++)
		made += pthread_create(&t[i], NULL, count_me, (void *)i) == 0;
	for (long i = 0; i < made; i++) {
		void *r;
		if (pthread_join(t[i], &r) != 0 || (long)r != i * 2)
			bad++;
	}
	UT_CHECK("create-join-64", made == 64 && bad == 0 && ran == 64,
		 "made %d, bad joins %d, ran %d", made, bad, (int)ran);

	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	atomic_store(&ran, 0);
	int ok = 0;
	for (int i = 0; i < 16; i++)
		ok += pthread_create(&t[0], &a, count_me, NULL) == 0;
	for (int i = 0; i < 2000 && ran < 16; i++)
		usleep(1000);
	UT_CHECK("detached-16", ok == 16 && ran == 16, "created %d, ran %d", ok, (int)ran);
}

static void *report_ids(void *arg)
{
	long *ids = arg;
	ids[0] = getpid();
	ids[1] = gettid_();
	return NULL;
}

static atomic_int hold;

static void *held(void *arg)
{
	*(long *)arg = gettid_();
	while (!atomic_load(&hold))
		usleep(1000);
	return NULL;
}

/* /proc/self/task lists exactly our threads' tids */
static void test_proc_task(void)
{
	long tid = 0;
	pthread_t t;
	pthread_create(&t, NULL, held, &tid);
	while (!tid)
		usleep(1000);
	DIR *d = opendir("/proc/self/task");
	int n = 0, seen_main = 0, seen_thread = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL; ) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		seen_main |= atol(e->d_name) == getpid();
		seen_thread |= atol(e->d_name) == tid;
	}
	if (d)
		closedir(d);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%ld/comm", getpid(), tid);
	int fd = open(path, O_RDONLY);
	atomic_store(&hold, 1);
	pthread_join(t, NULL);
	UT_CHECK("proc-self-task", d && n == 2 && seen_main && seen_thread && fd >= 0,
		 "dir %p, %d entries, main %d, thread %d, %s open %d", (void *)d, n, seen_main,
		 seen_thread, path, fd);
	if (fd >= 0)
		close(fd);
}

static void test_ids(void)
{
	long ids[2];
	pthread_t t;
	pthread_create(&t, NULL, report_ids, ids);
	pthread_join(t, NULL);
	UT_CHECK("getpid-is-tgid", ids[0] == getpid() && ids[1] != getpid() && gettid_() == getpid(),
		 "thread getpid %ld tid %ld, main pid %d tid %ld", ids[0], ids[1], getpid(), gettid_());
}

/* ---- mutex, condvar, barrier, rwlock under contention ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter, queue_len, consumed;
static pthread_barrier_t bar;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b, rw_bad;

static void *mutex_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&mu);
		while (queue_len == 0)
			pthread_cond_wait(&cv, &mu);
		queue_len--;
		consumed++;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *barrier_worker(void *arg)
{
	atomic_int *phase = arg;
	int bad = 0;
	for (int round = 0; round < 50; round++) {
		atomic_fetch_add(&phase[round], 1);
		pthread_barrier_wait(&bar);
		if (atomic_load(&phase[round]) != 4)
			bad++;	/* someone passed the barrier early */
		pthread_barrier_wait(&bar);
	}
	return (void *)(long)bad;
}

static void *rw_worker(void *arg)
{
	long writer = (long)arg;
	for (int i = 0; i < 2000; i++) {
		if (writer) {
			pthread_rwlock_wrlock(&rw);
			rw_a++;
			rw_b++;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			if (rw_a != rw_b)
				__atomic_fetch_add(&rw_bad, 1, __ATOMIC_RELAXED);
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

static void test_sync(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, mutex_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	UT_CHECK("mutex-4x5000", counter == 20000, "counter %ld, want 20000", counter);

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, consumer, NULL);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&mu);
		while (queue_len >= 4)
			pthread_cond_wait(&cv, &mu);
		queue_len++;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	UT_CHECK("condvar-1000", consumed == 1000 && queue_len == 0, "consumed %ld, left %ld",
		 consumed, queue_len);

	static atomic_int phase[50];
	pthread_barrier_init(&bar, NULL, 4);
	long bad = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, barrier_worker, phase);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	UT_CHECK("barrier-4x50", bad == 0, "%ld early passes", bad);

	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, rw_worker, (void *)(i & 1));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	UT_CHECK("rwlock-4x2000", rw_bad == 0 && rw_a == 4000, "torn reads %ld, writes %ld", rw_bad, rw_a);
}

/* ---- raw futex semantics ---- */

static int fword, fword2;
static atomic_int woke;

static void *futex_waiter(void *arg)
{
	long r = futex(arg, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
	if (r == 0)
		atomic_fetch_add(&woke, 1);
	return (void *)r;
}

static void *bitset_waiter(void *arg)
{
	return (void *)futex(arg, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, NULL, 1);
}

static void wait_until_waiters(int *addr, int n)
{
	/* FUTEX_WAKE with 0 waiters returns 0; probe with REQUEUE onto ourselves (no wake) */
	for (int i = 0; i < 2000; i++) {
		if (futex(addr, FUTEX_CMP_REQUEUE_PRIVATE, 0, 0, addr, *addr) >= n)
			return;
		usleep(1000);
	}
}

static void sigusr_noop(int sig) { (void)sig; }

static void test_futex(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	fword = 1;
	ut_check_ret("futex-wait-eagain", futex(&fword, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0), -EAGAIN);
	fword = 0;
	int64_t t0 = ut_now_ns();
	long r = futex(&fword, FUTEX_WAIT_PRIVATE, 0, (long)&ts, NULL, 0);
	int64_t dt = ut_now_ns() - t0;
	UT_CHECK("futex-wait-etimedout", r == -ETIMEDOUT && dt >= 20000000,
		 "got %ld after %lld ns", r, (long long)dt);
	ut_check_ret("futex-unaligned-einval", futex((char *)&fword + 1, FUTEX_WAKE, 1, 0, NULL, 0), -EINVAL);
	ut_check_ret("futex-bad-op-enosys", futex(&fword, 77, 1, 0, NULL, 0), -ENOSYS);
	ut_check_ret("futex-wait-efault", futex((void *)16, FUTEX_WAIT, 0, 0, NULL, 0), -EFAULT);
	ut_check_ret("futex-bitset0-einval", futex(&fword, FUTEX_WAIT_BITSET, 0, 0, NULL, 0), -EINVAL);
	ts.tv_nsec = 1000000000;
	ut_check_ret("futex-bad-timeout-einval", futex(&fword, FUTEX_WAIT, 0, (long)&ts, NULL, 0), -EINVAL);
	ut_check_ret("futex-wake-none", futex(&fword, FUTEX_WAKE_PRIVATE, 5, 0, NULL, 0), 0);

	/* absolute timeout on CLOCK_REALTIME with WAIT_BITSET */
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
	t0 = ut_now_ns();
	r = futex(&fword, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, (long)&abs, NULL, -1);
	dt = ut_now_ns() - t0;
	UT_CHECK("futex-abs-realtime", r == -ETIMEDOUT && dt >= 20000000 && dt < 2000000000LL,
		 "got %ld after %lld ns", r, (long long)dt);

	/* wake 2 of 3, then requeue: CMP_REQUEUE with a stale value is EAGAIN */
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, futex_waiter, &fword);
	wait_until_waiters(&fword, 3);
	ut_check_ret("futex-wake-2-of-3", futex(&fword, FUTEX_WAKE_PRIVATE, 2, 0, NULL, 0), 2);
	ut_check_ret("futex-cmp-requeue-eagain",
		     futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &fword2, 99), -EAGAIN);
	ut_check_ret("futex-cmp-requeue", futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &fword2, 0), 1);
	ut_check_ret("futex-requeued-wakes-on-new", futex(&fword2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	UT_CHECK("futex-all-woken", woke == 3, "woken %d of 3", (int)woke);

	/* WAKE_OP: fword2 += 5, wake on fword2 if the old value was 0 */
	atomic_store(&woke, 0);
	fword2 = 0;
	pthread_create(&t[0], NULL, futex_waiter, &fword2);
	wait_until_waiters(&fword2, 1);
	r = futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, 1, &fword2, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
	pthread_join(t[0], NULL);
	UT_CHECK("futex-wake-op", r == 1 && fword2 == 5 && woke == 1, "ret %ld, word %d, woken %d",
		 r, fword2, (int)woke);

	/* bitsets: a WAKE_BITSET that misses the waiter's bits wakes nobody */
	pthread_create(&t[0], NULL, bitset_waiter, &fword);
	wait_until_waiters(&fword, 1);
	ut_check_ret("futex-bitset-miss", futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 2), 0);
	ut_check_ret("futex-bitset-hit", futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 1), 1);
	pthread_join(t[0], NULL);

	/* EINTR: a signal with a handler ends the wait */
	struct sigaction sa = { .sa_handler = sigusr_noop };
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t[0], NULL, futex_waiter, &fword);
	wait_until_waiters(&fword, 1);
	pthread_kill(t[0], SIGUSR1);
	void *res;
	pthread_join(t[0], &res);
	ut_check_ret("futex-wait-eintr", (long)res, -EINTR);
}

/* ---- robust mutex: the owner dies ---- */

static pthread_mutex_t robust;

static void *lock_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL;	/* exits holding it */
}

static void test_robust(void)
{
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	pthread_t t;
	pthread_create(&t, NULL, lock_and_die, NULL);
	pthread_join(t, NULL);
	int r = pthread_mutex_lock(&robust);
	UT_CHECK("robust-eownerdead", r == EOWNERDEAD, "lock returned %d (%s)", r, strerror(r));
	if (r == EOWNERDEAD) {
		pthread_mutex_consistent(&robust);
		pthread_mutex_unlock(&robust);
	}
	UT_CHECK("robust-relock", pthread_mutex_lock(&robust) == 0, "relock after consistent failed");
	pthread_mutex_unlock(&robust);
}

/* ---- cancel in a blocking read ---- */

static void *blocked_reader(void *arg)
{
	char c;
	read(*(int *)arg, &c, 1);
	return (void *)1L;	/* not reached if cancelled */
}

static void test_cancel(void)
{
	int p[2];
	pipe(p);
	pthread_t t;
	pthread_create(&t, NULL, blocked_reader, &p[0]);
	usleep(20000);
	pthread_cancel(t);
	void *r;
	int64_t t0 = ut_now_ns();
	pthread_join(t, &r);
	UT_CHECK("cancel-blocking-read", r == PTHREAD_CANCELED, "join got %p after %lld ns", r,
		 (long long)(ut_now_ns() - t0));
	close(p[0]);
	close(p[1]);
}

/*
 * Cancel at once, many times, a thread on its way into a 2 s sleep: the
 * cancel's signal can reach the kernel while the sleep request is still
 * on its way to the server (with clients=2 the canceller runs on another
 * hart). musl acts on the cancel flag before the syscall, so every join
 * must see PTHREAD_CANCELED, and quickly: a sleep that missed a signal
 * sent before it parked runs its full 2 s and returns normally.
 */
static void *sleeper_2s(void *arg)
{
	(void)arg;
	sleep(2);
	return (void *)1L;	/* not reached if cancelled */
}

static void test_cancel_race(void)
{
	int bad = 0, slow = 0;
	int64_t t0 = ut_now_ns();
	for (int i = 0; i < 40; i++) {
		pthread_t t;
		void *r = NULL;
		int64_t s = ut_now_ns();
		if (pthread_create(&t, NULL, sleeper_2s, NULL))
			break;
		pthread_cancel(t);
		pthread_join(t, &r);
		bad += r != PTHREAD_CANCELED;
		slow += ut_now_ns() - s > 1500000000LL;
	}
	UT_CHECK("cancel-before-sleep-x40", bad == 0 && slow == 0,
		 "%d of 40 not cancelled, %d took the whole sleep (%lld ms in all)", bad, slow,
		 (long long)((ut_now_ns() - t0) / 1000000));
}

/* ---- thread-directed signals, sigtimedwait, sigsuspend, sigaltstack ---- */

static volatile long handler_tid;
static volatile int on_altstack;
static char altstack[16384];

static void record_tid(int sig)
{
	(void)sig;
	handler_tid = gettid_();
	char here;
	on_altstack = &here >= altstack && &here < altstack + sizeof altstack;
}

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	while (nanosleep(&ts, &ts) != 0)
		;
	return (void *)gettid_();
}

static void test_signals(void)
{
	struct sigaction sa = { .sa_handler = record_tid };
	sigaction(SIGUSR2, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	usleep(20000);
	pthread_kill(t, SIGUSR2);
	void *tid;
	pthread_join(t, &tid);
	UT_CHECK("tgkill-to-thread", handler_tid == (long)tid && handler_tid != gettid_(),
		 "handler ran in %ld, target %ld", handler_tid, (long)tid);

	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	siginfo_t si;
	ut_check_ret("sigtimedwait-eagain", sigtimedwait(&set, &si, &ts) < 0 ? -errno : 0, -EAGAIN);
	union sigval v = { .sival_int = 1234 };
	sigqueue(getpid(), SIGUSR1, v);
	int s = sigtimedwait(&set, &si, &ts);
	UT_CHECK("sigqueue-sigtimedwait", s == SIGUSR1 && si.si_code == SI_QUEUE &&
		 si.si_value.sival_int == 1234 && si.si_pid == getpid(),
		 "sig %d code %d value %d pid %d", s, si.si_code, si.si_value.sival_int, si.si_pid);
	SYS3(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	int pending = sigismember(&pend, SIGUSR1);
	s = sigwaitinfo(&set, &si);
	UT_CHECK("tgkill-sigwaitinfo", pending && s == SIGUSR1 && si.si_code == SI_TKILL,
		 "pending %d sig %d code %d", pending, s, si.si_code);

	/* sigsuspend returns EINTR after the handler, with the old mask back */
	sa.sa_handler = sigusr_noop;
	sigaction(SIGUSR1, &sa, NULL);
	SYS3(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
	sigset_t none;
	sigemptyset(&none);
	int r = sigsuspend(&none);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_CHECK("sigsuspend", r == -1 && errno == EINTR && sigismember(&now, SIGUSR1),
		 "ret %d errno %d, mask restored %d", r, errno, sigismember(&now, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);

	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	sa.sa_handler = record_tid;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	UT_CHECK("sigaltstack", on_altstack == 1, "handler not on the alternate stack");
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

/* ---- timers ---- */

static volatile int alarms, rt_sigs, rt_code, rt_val;
static volatile long rt_tid;

static void on_alarm(int sig) { (void)sig; alarms++; }

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	rt_sigs++;
	rt_code = si->si_code;
	rt_val = si->si_value.sival_int;
	rt_tid = gettid_();
}

static volatile long target_tid;

static void *rt_target(void *arg)
{
	target_tid = gettid_();
	sleeper(arg);
	return (void *)gettid_();
}

/* ---- ITIMER_VIRTUAL, ITIMER_PROF: process cpu time ---- */

static volatile sig_atomic_t vt_hits, prof_hits;
static void on_vtalrm(int sig) { (void)sig; vt_hits++; }
static void on_prof(int sig) { (void)sig; prof_hits++; }

/* Spin in user mode until *hits reaches n or 20 s of wall time pass; the wall ns spun. */
static int64_t spin_until(volatile sig_atomic_t *hits, int n)
{
	int64_t t0 = ut_now_ns();
	while (*hits < n && ut_now_ns() - t0 < 20000000000LL)
		for (volatile int i = 0; i < 10000; i++)
			;
	return ut_now_ns() - t0;
}

static void test_cpu_itimers(void)
{
	struct sigaction sa = { .sa_handler = on_vtalrm };
	sigaction(SIGVTALRM, &sa, NULL);
	sa.sa_handler = on_prof;
	sigaction(SIGPROF, &sa, NULL);

	/* sleeping uses no cpu time: a 100 ms virtual timer does not fire in 400 ms of sleep */
	struct itimerval it = { { 0, 0 }, { 0, 100000 } }, got;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	usleep(400000);
	getitimer(ITIMER_VIRTUAL, &got);
	long left_us = got.it_value.tv_sec * 1000000L + got.it_value.tv_usec;
	UT_CHECK("itimer-virtual-not-while-sleeping", vt_hits == 0 && left_us > 50000,
		 "fired %d times, %ld us left", (int)vt_hits, left_us);
	/* spinning does: it fires once the 100 ms of cpu time are used (no sooner in wall time) */
	int64_t spun = spin_until(&vt_hits, 1);
	getitimer(ITIMER_VIRTUAL, &got);
	UT_CHECK("itimer-virtual-fires-on-cpu-time", vt_hits == 1 && spun >= 50000000 &&
		 got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0,
		 "fired %d after %lld ms of spinning, then %ld.%06ld left", (int)vt_hits,
		 (long long)(spun / 1000000), (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);

	/* ITIMER_PROF, periodic: three SIGPROF while spinning, then disarmed */
	it = (struct itimerval){ { 0, 30000 }, { 0, 30000 } };
	setitimer(ITIMER_PROF, &it, NULL);
	getitimer(ITIMER_PROF, &got);
	int armed = got.it_interval.tv_usec == 30000 && got.it_value.tv_usec > 0;
	spin_until(&prof_hits, 3);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &it, NULL);
	int hits = prof_hits;
	usleep(100000);
	UT_CHECK("itimer-prof-periodic", armed && hits >= 3 && prof_hits == hits,
		 "armed %d, SIGPROF %d, after disarm %d", armed, hits, (int)prof_hits);
}

static void test_timers(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, got;
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &got);
	int armed = got.it_interval.tv_usec == 20000 && got.it_value.tv_usec > 0;
	for (int i = 0; i < 500 && alarms < 3; i++)
		usleep(5000);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	UT_CHECK("setitimer-periodic", armed && alarms >= 3, "armed %d, alarms %d", armed, alarms);

	alarms = 0;
	alarm(1);
	unsigned left = alarm(1);
	int64_t t0 = ut_now_ns();
	while (alarms == 0 && ut_now_ns() - t0 < 3000000000LL)
		usleep(10000);
	UT_CHECK("alarm", left == 1 && alarms == 1, "alarm left %u, alarms %d", left, alarms);

	struct sigaction rs = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	sigaction(SIGRTMIN + 2, &rs, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2 };
	ev.sigev_value.sival_int = 77;
	timer_t tm;
	int r = timer_create(CLOCK_MONOTONIC, &ev, &tm);
	struct itimerspec its = { { 0, 10000000 }, { 0, 10000000 } }, cur;
	timer_settime(tm, 0, &its, NULL);
	timer_gettime(tm, &cur);
	for (int i = 0; i < 500 && rt_sigs < 3; i++)
		usleep(5000);
	int ovr = timer_getoverrun(tm);
	timer_delete(tm);
	UT_CHECK("posix-timer-signal", r == 0 && rt_sigs >= 3 && rt_code == SI_TIMER && rt_val == 77 &&
		 cur.it_interval.tv_nsec == 10000000 && ovr >= 0,
		 "create %d, signals %d code %d value %d interval %ld overrun %d", r, rt_sigs, rt_code,
		 rt_val, cur.it_interval.tv_nsec, ovr);
	ut_check_ret("timer-deleted-einval", timer_getoverrun(tm) < 0 ? -errno : 0, -EINVAL);

	/* SIGEV_THREAD_ID: the signal goes to that thread */
	pthread_t t;
	pthread_create(&t, NULL, rt_target, NULL);
	while (!target_tid)
		usleep(1000);
	rt_sigs = 0;
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_notify_thread_id = (pid_t)target_tid;
	int id;
	long kr = SYS3(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id);
	struct itimerspec one = { { 0, 0 }, { 0, 5000000 } };
	SYS4(SYS_timer_settime, id, 0, &one, NULL);
	void *tid;
	pthread_join(t, &tid);
	SYS1(SYS_timer_delete, id);
	UT_CHECK("timer-thread-id", kr == 0 && rt_sigs == 1 && rt_tid == (long)tid,
		 "create %ld, signals %d in %ld, target %ld", kr, rt_sigs, rt_tid, (long)tid);

	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	UT_CHECK("clock-nanosleep-abstime", r == 0 && (now.tv_sec > abs.tv_sec ||
		 (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec)), "ret %d, woke early", r);
}

/* ---- exit vs exit_group, execve from a threaded process ---- */

static void *spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		usleep(1000);
	return NULL;
}

static void *exit_group_now(void *arg)
{
	(void)arg;
	usleep(10000);
	_exit(7);	/* exit_group: the main thread (in pause) dies too */
}

static void *exec_now(void *arg)
{
	usleep(10000);
	execl((char *)arg, (char *)arg, "execchild", (char *)NULL);
	return NULL;
}

static void *park_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* A thread bomb: pthread_create fails with EAGAIN; afterwards fork and exec still work. */
static void test_thread_bomb(const char *self)
{
	int pfd[2], st;
	pipe(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 16384);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		int n = 0, err;
		pthread_t t;
		while ((err = pthread_create(&t, &a, park_forever, NULL)) == 0 && n < 100000)
			n++;
		int out[2] = { n, err };
		write(pfd[1], out, sizeof out);
		_exit(0);	/* exit_group takes all of them down */
	}
	int got[2] = { 0, 0 };
	read(pfd[0], got, sizeof got);
	waitpid(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "execchild", (char *)NULL);
		_exit(1);
	}
	int st2;
	waitpid(pid, &st2, 0);
	UT_CHECK("thread-bomb-eagain", got[1] == EAGAIN && got[0] >= 64 && WIFEXITED(st) &&
		 WIFEXITED(st2) && WEXITSTATUS(st2) == 42,
		 "%d threads then error %d (%s), bomb status %#x, exec after %#x", got[0], got[1],
		 strerror(got[1]), st, st2);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_lifecycle(const char *self)
{
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, spin_forever, NULL);
		pthread_create(&t, NULL, exit_group_now, NULL);
		pause();
		_exit(1);
	}
	waitpid(pid, &st, 0);
	UT_CHECK("exit-group-from-thread", WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);

	/* the main thread leaves with pthread_exit: the process lives on in the other */
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exit_group_now, NULL);
		pthread_exit(NULL);
	}
	waitpid(pid, &st, 0);
	UT_CHECK("main-pthread-exit", WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);

	pid = fork();
	if (pid == 0) {
		pthread_t t;
		for (int i = 0; i < 4; i++)
			pthread_create(&t, NULL, spin_forever, NULL);
		pthread_create(&t, NULL, exec_now, (void *)self);
		pause();
		_exit(1);
	}
	waitpid(pid, &st, 0);
	UT_CHECK("execve-from-thread", WIFEXITED(st) && WEXITSTATUS(st) == 42, "status %#x", st);
}

/* ---- munmap shootdown: a thread on another hart reads the page ---- */

static volatile char *shared_page;
static atomic_int unmapped, reader_state;	/* 1 reading, 2 faulted, 3 read after unmap */
static sigjmp_buf reader_jmp;

static void on_segv(int sig) { (void)sig; siglongjmp(reader_jmp, 1); }

static atomic_int reader_cpu = -1;

static void *page_reader(void *arg)
{
	(void)arg;
	atomic_store(&reader_cpu, sched_getcpu());
	struct sigaction sa = { .sa_handler = on_segv };
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(reader_jmp, 1)) {
		atomic_store(&reader_state, 2);
		return NULL;
	}
	atomic_store(&reader_state, 1);
	for (;;) {
		/* the flag first: if it was set before this read, the read must fault */
		int after = atomic_load(&unmapped);
		(void)shared_page[0];
		if (after) {
			atomic_store(&reader_state, 3);
			return NULL;
		}
	}
}

static int test_shootdown(void)
{
	shared_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared_page[0] = 1;
	/* threads are spread over the clients in turn: one lands on another hart */
	pthread_t t;
	int me = sched_getcpu(), tries = 0;
	for (;;) {
		pthread_create(&t, NULL, page_reader, NULL);
		while (atomic_load(&reader_state) == 0)
			;
		if (atomic_load(&reader_cpu) != me || ++tries == 4)
			break;
		atomic_store(&unmapped, 1);	/* same hart: let it go, try again */
		pthread_join(t, NULL);
		atomic_store(&unmapped, 0);
		atomic_store(&reader_state, 0);
	}
	UT_CHECK("reader-on-other-hart", reader_cpu != me, "reader and main both on cpu %d", me);
	/* let it spin in user mode on its own hart for a while */
	int64_t t0 = ut_now_ns();
	while (ut_now_ns() - t0 < 50000000)
		;
	munmap((void *)shared_page, 4096);
	atomic_store(&unmapped, 1);
	pthread_join(t, NULL);
	UT_CHECK("munmap-shootdown", reader_state == 2, "reader state %d (3: it read the page after munmap returned)",
		 (int)reader_state);
	return ut_summary();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "execchild"))
		return 42;
	if (argc > 1 && !strcmp(argv[1], "shootdown"))
		return test_shootdown();
	test_ids();
	test_proc_task();
	test_create_join();
	test_sync();
	test_futex();
	test_robust();
	test_cancel();
	test_cancel_race();
	test_signals();
	test_timers();
	test_cpu_itimers();
	test_lifecycle(argv[0][0] == '/' ? argv[0] : "/bin/threadtest");
	test_thread_bomb(argv[0][0] == '/' ? argv[0] : "/bin/threadtest");
	return ut_summary();
}
