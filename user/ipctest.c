/*
 * ipctest - System V IPC (message queues, semaphores, shared memory) and
 * shared futexes between processes (issue 10).  Prints PASS/FAIL lines and
 * "N passed, N failed"; exit status 0 iff all passed.
 *
 * Waits that must block are checked by what the kernel reports (GETNCNT,
 * a child still running), never by how long something took, and every
 * blocking call in a child is bounded by an alarm so a broken kernel
 * fails the test instead of hanging it.
 */
#define _GNU_SOURCE
#include "ut.h"
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/futex.h>

#define BAD ((void *)8)		/* never mapped */

union semun { int val; struct semid_ds *buf; unsigned short *array; };

struct msgbuf_t { long type; char text[256]; };

/* Wait for pid; its exit code, 128+signal if killed, -1 if waitpid failed. */
static int wait_code(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Is the child still running (not exited)? */
static int alive(pid_t pid)
{
	int st;
	return waitpid(pid, &st, WNOHANG) == 0;
}

static void on_alarm(int sig) { (void)sig; }

/* A child's blocking call returns EINTR after s seconds instead of hanging forever. */
static void bound(unsigned s)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarm(s);
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- message queues ---- */

static void test_msg_prodcons(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	enum { N = 150 };
	pid_t pid = fork();
	if (pid == 0) {
		/* 150 x ~200 bytes is far over the 16 KiB queue: the producer blocks on a full queue */
		bound(20);
		struct msgbuf_t m;
		for (int i = 0; i < N; i++) {
			m.type = 1 + i % 3;
			int len = snprintf(m.text, sizeof m.text, "msg %d", i);
			memset(m.text + len + 1, 'x', 190);
			if (msgsnd(q, &m, (size_t)len + 191, 0) != 0)
				_exit(1);
		}
		_exit(0);
	}
	int bad = 0, got = 0;
	struct msgbuf_t m;
	for (int i = 0; i < N; i++) {
		long n = msgrcv(q, &m, sizeof m.text, 0, 0);
		char want[32];
		int len = snprintf(want, sizeof want, "msg %d", i);
		if (n != len + 191 || m.type != 1 + i % 3 || strcmp(m.text, want))
			bad++;
		got++;
	}
	int code = wait_code(pid);
	UT_CHECK("msg-producer-consumer-fork", bad == 0 && got == N && code == 0,
		 "got %d, bad %d, producer exit %d", got, bad, code);
	msgctl(q, IPC_RMID, NULL);
}

static void test_msg_types(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct msgbuf_t m;
	long types[] = { 3, 1, 2, 1, 5 };
	for (int i = 0; i < 5; i++) {
		m.type = types[i];
		snprintf(m.text, sizeof m.text, "%d", i);
		msgsnd(q, &m, 2, 0);
	}
	char order[16] = "";
	/* typ 2: the first of type 2 -> "2"; typ -2: lowest <= 2 -> "1"; EXCEPT 1 -> "0" (type 3);
	 * typ 0 -> "3"; typ -10 -> "4" (type 5) */
	long picks[][2] = { { 2, 0 }, { -2, 0 }, { 1, MSG_EXCEPT }, { 0, 0 }, { -10, 0 } };
	for (int i = 0; i < 5; i++) {
		if (msgrcv(q, &m, sizeof m.text, picks[i][0], (int)picks[i][1] | IPC_NOWAIT) < 0)
			strcat(order, "!");
		else
			strcat(order, m.text);
	}
	UT_CHECK("msg-msgtyp-select", !strcmp(order, "21034"), "order %s, want 21034", order);

	m.type = 7;
	memset(m.text, 'a', 100);
	msgsnd(q, &m, 100, 0);
	long r1 = SYS5(SYS_msgrcv, q, &m, 10, 0, IPC_NOWAIT);
	long r2 = SYS5(SYS_msgrcv, q, &m, 10, 0, IPC_NOWAIT | MSG_NOERROR);
	long r3 = SYS5(SYS_msgrcv, q, &m, 10, 0, IPC_NOWAIT);
	UT_CHECK("msg-e2big-noerror-enomsg", r1 == -E2BIG && r2 == 10 && r3 == -ENOMSG,
		 "too big %ld, MSG_NOERROR %ld, empty %ld", r1, r2, r3);

	/* IPC_NOWAIT on a full queue */
	static long big[4100 / sizeof(long)] = { 1 };
	long r = 0;
	int sent = 0;
	while ((r = SYS4(SYS_msgsnd, q, big, 4000, IPC_NOWAIT)) == 0 && sent < 100)
		sent++;
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	UT_CHECK("msg-nowait-full-eagain", r == -EAGAIN && sent == 4 && ds.msg_qnum == 4 &&
		 ds.msg_cbytes == 16000 && ds.msg_lspid == getpid(),
		 "r %ld after %d sends, qnum %lu cbytes %lu", r, sent, (unsigned long)ds.msg_qnum,
		 (unsigned long)ds.msg_cbytes);
	msgctl(q, IPC_RMID, NULL);
}

static void test_msg_blocking(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	pid_t pid = fork();
	if (pid == 0) {
		bound(20);
		struct msgbuf_t m;
		long n = msgrcv(q, &m, sizeof m.text, 4, 0);
		_exit(n == 6 && !strcmp(m.text, "hello") ? 0 : 1);
	}
	pause_ms(200);
	int blocked = alive(pid);
	struct msgbuf_t m = { .type = 3 };
	strcpy(m.text, "other");
	msgsnd(q, &m, 6, 0);	/* not its type: it stays parked */
	pause_ms(100);
	int still = alive(pid);
	m.type = 4;
	strcpy(m.text, "hello");
	msgsnd(q, &m, 6, 0);
	int code = wait_code(pid);
	UT_CHECK("msg-blocking-receive-woken-by-send", blocked && still && code == 0,
		 "blocked %d, still after other type %d, child exit %d", blocked, still, code);

	/* a receiver parked on a queue that is removed: EIDRM */
	pid = fork();
	if (pid == 0) {
		bound(20);
		long r = SYS5(SYS_msgrcv, q, &m, sizeof m.text, 99, 0);
		_exit(r == -EIDRM ? 0 : 1);
	}
	pause_ms(200);
	blocked = alive(pid);
	msgctl(q, IPC_RMID, NULL);
	code = wait_code(pid);
	UT_CHECK("msg-rmid-wakes-eidrm", blocked && code == 0, "blocked %d, child exit %d", blocked, code);

	/* a signal interrupts a parked msgrcv: EINTR */
	q = msgget(IPC_PRIVATE, 0600);
	pid = fork();
	if (pid == 0) {
		bound(1);
		long r = SYS5(SYS_msgrcv, q, &m, sizeof m.text, 0, 0);
		_exit(r == -EINTR ? 0 : 1);
	}
	code = wait_code(pid);
	UT_CHECK("msg-signal-eintr", code == 0, "child exit %d", code);

	/* even with SA_RESTART: System V IPC calls are never restarted (signal(7)) */
	int s = semget(IPC_PRIVATE, 1, 0600);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		long r1 = SYS5(SYS_msgrcv, q, &m, sizeof m.text, 0, 0);
		alarm(1);
		struct sembuf down = { 0, -1, 0 };
		long r2 = SYS3(SYS_semop, s, &down, 1);
		_exit(r1 == -EINTR && r2 == -EINTR ? 0 : 1);
	}
	int st = 0;
	pid_t w = 0;
	for (int t = 0; t < 1000 && (w = waitpid(pid, &st, WNOHANG)) == 0; t++)
		pause_ms(10);
	if (w == 0) {
		kill(pid, SIGKILL);	/* restarted: it would wait for ever */
		waitpid(pid, &st, 0);
	}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	semctl(s, 0, IPC_RMID);
	UT_CHECK("ipc-eintr-despite-sa-restart", code == 0, "child exit %d (137: restarted and killed)", code);

	/* a sender parked on a full queue is woken by a receive */
	static long big[4100 / sizeof(long)] = { 1 };	/* type 1, 4000 bytes of text */
	for (int i = 0; i < 4; i++)
		msgsnd(q, big, 4000, 0);
	pid = fork();
	if (pid == 0) {
		bound(20);
		_exit(SYS4(SYS_msgsnd, q, big, 4000, 0) == 0 ? 0 : 1);
	}
	pause_ms(200);
	blocked = alive(pid);
	msgrcv(q, big, 4000, 0, IPC_NOWAIT);
	code = wait_code(pid);
	UT_CHECK("msg-blocking-send-woken-by-receive", blocked && code == 0,
		 "blocked %d, child exit %d", blocked, code);
	msgctl(q, IPC_RMID, NULL);
}

static void test_msg_bad(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct msgbuf_t m = { .type = 0 };
	ut_check_ret("msg-type0-einval", SYS4(SYS_msgsnd, q, &m, 1, 0), -EINVAL);
	m.type = 1;
	ut_check_ret("msg-too-big-einval", SYS4(SYS_msgsnd, q, &m, 9000, 0), -EINVAL);
	ut_check_ret("msg-bad-id-einval", SYS4(SYS_msgsnd, q + 1, &m, 1, 0), -EINVAL);
	ut_check_ret("msgsnd-efault", SYS4(SYS_msgsnd, q, BAD, 1, 0), -EFAULT);
	msgsnd(q, &m, 1, 0);
	ut_check_ret("msgrcv-efault", SYS5(SYS_msgrcv, q, BAD, 10, 0, 0), -EFAULT);
	ut_check_ret("msgrcv-after-efault-still-queued", SYS5(SYS_msgrcv, q, &m, 10, 0, IPC_NOWAIT), 1);
	ut_check_ret("msgctl-stat-efault", SYS3(SYS_msgctl, q, IPC_STAT, BAD), -EFAULT);
	ut_check_ret("msgrcv-negative-size-einval", SYS5(SYS_msgrcv, q, &m, -1, 0, 0), -EINVAL);
	msgctl(q, IPC_RMID, NULL);
	ut_check_ret("msg-after-rmid-einval", SYS4(SYS_msgsnd, q, &m, 1, 0), -EINVAL);
}

/* ---- keys and permissions ---- */

static void test_keys_perms(void)
{
	key_t k = 0x1d0c0001;
	int q = msgget(k, IPC_CREAT | IPC_EXCL | 0640);
	ut_check_ret("key-excl-eexist", SYS2(SYS_msgget, k, IPC_CREAT | IPC_EXCL | 0600), -EEXIST);
	ut_check_ret("key-same-id", SYS2(SYS_msgget, k, 0), q);
	ut_check_ret("key-missing-enoent", SYS2(SYS_msgget, k + 1, 0600), -ENOENT);
	int s = semget(k, 2, IPC_CREAT | 0600);
	ut_check_ret("sem-key-nsems-too-many-einval", SYS3(SYS_semget, k, 3, 0), -EINVAL);
	int m = shmget(k, 8192, IPC_CREAT | 0644);
	ut_check_ret("shm-key-bigger-einval", SYS3(SYS_shmget, k, 9000, 0), -EINVAL);
	semctl(s, 0, SETVAL, 1);

	pid_t pid = fork();
	if (pid == 0) {
		/* uid 1000, in no group of root's: "other" bits apply */
		if (SYS2(SYS_setgroups, 0, 0) || SYS1(SYS_setgid, 1000) || SYS1(SYS_setuid, 1000))
			_exit(99);
		int bad = 0;
		struct msgbuf_t mb = { .type = 1 };
		struct sembuf op = { 0, -1, IPC_NOWAIT };
		bad |= (SYS2(SYS_msgget, k, 0400) != -EACCES) << 0;	/* 0640: nothing for others */
		bad |= (SYS4(SYS_msgsnd, q, &mb, 1, 0) != -EACCES) << 1;
		bad |= (SYS3(SYS_semop, s, &op, 1) != -EACCES) << 2;	/* 0600 */
		bad |= (SYS4(SYS_semctl, s, 0, GETVAL, 0) != -EACCES) << 3;
		long at = SYS3(SYS_shmat, m, 0, SHM_RDONLY);		/* 0644: read yes, write no */
		bad |= (at < 0) << 4;
		bad |= (SYS3(SYS_shmat, m, 0, 0) != -EACCES) << 5;
		bad |= (SYS3(SYS_msgctl, q, IPC_RMID, 0) != -EPERM) << 6;
		bad |= (SYS3(SYS_shmctl, m, IPC_RMID, 0) != -EPERM) << 7;
		_exit(bad);
	}
	int code = wait_code(pid);
	UT_CHECK("perm-denied-as-uid-1000", code == 0, "child exit %#x (bit per failed check, 99: setuid)", code);

	/* IPC_SET hands a queue to uid 1000: then it may use and remove it */
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.uid = 1000;
	ds.msg_perm.mode = 0600;
	msgctl(q, IPC_SET, &ds);
	pid = fork();
	if (pid == 0) {
		if (SYS2(SYS_setgroups, 0, 0) || SYS1(SYS_setgid, 1000) || SYS1(SYS_setuid, 1000))
			_exit(99);
		struct msgbuf_t mb = { .type = 1 };
		_exit(SYS4(SYS_msgsnd, q, &mb, 1, 0) == 0 && SYS3(SYS_msgctl, q, IPC_RMID, 0) == 0 ? 0 : 1);
	}
	code = wait_code(pid);
	UT_CHECK("perm-ipc-set-new-owner", code == 0 && SYS2(SYS_msgget, k, 0) == -ENOENT,
		 "child exit %d", code);
	semctl(s, 0, IPC_RMID);
	shmctl(m, IPC_RMID, NULL);
}

/* ---- semaphores ---- */

static void test_sem_basic(void)
{
	int s = semget(IPC_PRIVATE, 2, 0600);
	unsigned short v[2] = { 0, 5 };
	semctl(s, 0, SETALL, v);
	/* the whole list or nothing: sem 1 stays 5 when sem 0 would block */
	struct sembuf ops[2] = { { 1, -1, 0 }, { 0, -1, IPC_NOWAIT } };
	long r = SYS3(SYS_semop, s, ops, 2);
	UT_CHECK("sem-atomic-all-or-nothing", r == -EAGAIN && semctl(s, 1, GETVAL) == 5,
		 "semop %ld, sem1 %d", r, semctl(s, 1, GETVAL));
	struct sembuf up = { 0, 2, 0 };
	semop(s, &up, 1);
	r = semop(s, ops, 2);
	unsigned short got[2];
	semctl(s, 0, GETALL, got);
	UT_CHECK("sem-getall-after-op", r == 0 && got[0] == 1 && got[1] == 4 &&
		 semctl(s, 0, GETPID) == getpid(), "semop %ld, vals %u %u", r, got[0], got[1]);

	struct timespec ts = { 0, 100000000 };
	struct sembuf wait0 = { 1, -5, 0 };
	int64_t t0 = ut_now_ns();
	r = SYS4(SYS_semtimedop, s, &wait0, 1, &ts);
	int64_t dt = ut_now_ns() - t0;
	UT_CHECK("semtimedop-timeout-eagain", r == -EAGAIN && dt >= 90000000, "r %ld after %lld ns", r,
		 (long long)dt);

	ut_check_ret("sem-setval-erange", SYS4(SYS_semctl, s, 0, SETVAL, 40000), -ERANGE);
	struct sembuf far = { 2, 1, 0 };
	ut_check_ret("semop-num-efbig", SYS3(SYS_semop, s, &far, 1), -EFBIG);
	ut_check_ret("semop-zero-ops-einval", SYS3(SYS_semop, s, &up, 0), -EINVAL);
	ut_check_ret("semop-too-many-e2big", SYS3(SYS_semop, s, &up, 501), -E2BIG);
	ut_check_ret("semop-efault", SYS3(SYS_semop, s, BAD, 1), -EFAULT);
	struct timespec badts = { 0, 2000000000L };
	ut_check_ret("semtimedop-bad-timeout-einval", SYS4(SYS_semtimedop, s, &wait0, 1, &badts), -EINVAL);
	ut_check_ret("semget-nsems0-private-einval", SYS3(SYS_semget, IPC_PRIVATE, 0, 0600), -EINVAL);

	/* a wait-for-zero sleeper: GETZCNT counts it, reaching zero wakes it */
	semctl(s, 0, SETVAL, 1);
	pid_t pid = fork();
	if (pid == 0) {
		bound(20);
		struct sembuf z = { 0, 0, 0 };
		_exit(semop(s, &z, 1) == 0 ? 0 : 1);
	}
	int zc = 0;
	for (int i = 0; i < 200 && (zc = semctl(s, 0, GETZCNT)) != 1; i++)
		pause_ms(10);
	struct sembuf down = { 0, -1, 0 };
	semop(s, &down, 1);
	int code = wait_code(pid);
	UT_CHECK("sem-wait-for-zero", zc == 1 && code == 0, "zcnt %d, child exit %d", zc, code);

	/* a sleeper on a removed set: EIDRM */
	pid = fork();
	if (pid == 0) {
		bound(20);
		_exit(SYS3(SYS_semop, s, &down, 1) == -EIDRM ? 0 : 1);
	}
	int nc = 0;
	for (int i = 0; i < 200 && (nc = semctl(s, 0, GETNCNT)) != 1; i++)
		pause_ms(10);
	semctl(s, 0, IPC_RMID);
	code = wait_code(pid);
	UT_CHECK("sem-rmid-wakes-eidrm", nc == 1 && code == 0, "ncnt %d, child exit %d", nc, code);
}

/* A mutex between processes: the holder is killed, SEM_UNDO releases it. */
static void test_sem_undo(void)
{
	int s = semget(IPC_PRIVATE, 1, 0600);
	semctl(s, 0, SETVAL, 1);
	int p[2];
	pipe(p);
	pid_t holder = fork();
	if (holder == 0) {
		struct sembuf lock = { 0, -1, SEM_UNDO };
		semop(s, &lock, 1);
		write(p[1], "L", 1);
		for (;;)
			pause();
	}
	char c;
	read(p[0], &c, 1);
	struct sembuf try = { 0, -1, IPC_NOWAIT };
	long busy = SYS3(SYS_semop, s, &try, 1);
	pid_t waiter = fork();
	if (waiter == 0) {
		bound(20);
		struct sembuf lock = { 0, -1, SEM_UNDO };
		if (semop(s, &lock, 1) != 0)
			_exit(1);
		_exit(semctl(s, 0, GETVAL) == 0 ? 0 : 2);
	}
	int nc = 0;
	for (int i = 0; i < 200 && (nc = semctl(s, 0, GETNCNT)) != 1; i++)
		pause_ms(10);
	int waiting = alive(waiter);
	kill(holder, SIGKILL);
	int hcode = wait_code(holder);
	int wcode = wait_code(waiter);
	int after = semctl(s, 0, GETVAL);	/* the waiter's own undo gave it back */
	UT_CHECK("sem-undo-released-when-holder-killed",
		 busy == -EAGAIN && nc == 1 && waiting && hcode == 128 + SIGKILL && wcode == 0 && after == 1,
		 "busy %ld, ncnt %d, waiting %d, holder %d, waiter %d, value after %d", busy, nc, waiting,
		 hcode, wcode, after);

	/* SETVAL clears the adjustments: the exit then leaves the value alone */
	pid_t pid = fork();
	if (pid == 0) {
		struct sembuf lock = { 0, -1, SEM_UNDO };
		semop(s, &lock, 1);
		semctl(s, 0, SETVAL, 3);
		_exit(0);
	}
	wait_code(pid);
	UT_CHECK("sem-setval-clears-undo", semctl(s, 0, GETVAL) == 3, "value %d, want 3", semctl(s, 0, GETVAL));
	semctl(s, 0, IPC_RMID);
	close(p[0]);
	close(p[1]);
}

/* ---- shared memory ---- */

static unsigned long nattch(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) == 0 ? ds.shm_nattch : (unsigned long)-1;
}

static void test_shm(void)
{
	int id = shmget(IPC_PRIVATE, 3 * 4096, 0600);
	char *p = shmat(id, NULL, 0);
	UT_CHECK("shm-attach", p != (void *)-1 && nattch(id) == 1 && p[0] == 0 && p[3 * 4096 - 1] == 0,
		 "p %p nattch %lu", (void *)p, nattch(id));
	strcpy(p, "parent");
	strcpy(p + 8192, "page3");
	int pp[2], back[2];	/* child -> parent, parent -> child */
	pipe(pp);
	pipe(back);
	pid_t pid = fork();
	if (pid == 0) {
		/* the inherited attachment and a second one of our own see the same bytes */
		char *q = shmat(id, NULL, 0);
		int ok = q != (void *)-1 && q != p && !strcmp(q, "parent") && !strcmp(p + 8192, "page3");
		strcpy(p + 100, "child-inherited");
		strcpy(q + 200, "child-own");
		write(pp[1], "x", 1);
		char c;
		read(back[0], &c, 1);	/* wait for the parent's nattch check */
		_exit(ok ? 0 : 1);
	}
	char c;
	read(pp[0], &c, 1);
	unsigned long n3 = nattch(id);	/* ours, the child's inherited one, the child's own */
	write(back[1], "y", 1);
	int code = wait_code(pid);
	UT_CHECK("shm-shared-with-child", code == 0 && !strcmp(p + 100, "child-inherited") &&
		 !strcmp(p + 200, "child-own"), "child exit %d, [%s] [%s]", code, p + 100, p + 200);
	UT_CHECK("shm-nattch-fork-and-exit", n3 == 3 && nattch(id) == 1, "with child %lu, after %lu", n3,
		 nattch(id));

	struct shmid_ds sds;
	/* IPC_RMID while attached: the id goes, the bytes stay until the last detach */
	shmctl(id, IPC_RMID, NULL);
	strcpy(p + 300, "after-rmid");
	UT_CHECK("shm-rmid-keeps-attached", !strcmp(p + 300, "after-rmid") &&
		 SYS3(SYS_shmctl, id, IPC_STAT, &sds) == -EINVAL &&
		 SYS3(SYS_shmat, id, 0, 0) == -EINVAL, "bytes [%s]", p + 300);
	ut_check_ret("shmdt-after-rmid", SYS1(SYS_shmdt, p), 0);
	ut_check_ret("shmdt-again-einval", SYS1(SYS_shmdt, p), -EINVAL);

	/* SHM_RDONLY: a store faults */
	id = shmget(IPC_PRIVATE, 4096, 0600);
	pid = fork();
	if (pid == 0) {
		volatile char *r = shmat(id, NULL, SHM_RDONLY);
		if (r == (void *)-1 || r[0] != 0)
			_exit(1);
		r[0] = 1;
		_exit(2);
	}
	code = wait_code(pid);
	UT_CHECK("shm-rdonly-store-segv", code == 128 + SIGSEGV, "child exit %d", code);

	/* addresses: given, SHM_RND, busy */
	char *want = (char *)0x3000000000UL;
	char *a = shmat(id, want, 0);
	long unal = SYS3(SYS_shmat, id, want + 4096 + 5, 0);
	char *b = shmat(id, want + 4096 + 5, SHM_RND);
	long busy = SYS3(SYS_shmat, id, want, 0);
	a[10] = 'z';
	UT_CHECK("shm-at-address-and-rnd", a == want && unal == -EINVAL && b == want + 4096 &&
		 busy == -EINVAL && b[10] == 'z' && nattch(id) == 2,
		 "a %p, unaligned %ld, rnd %p, busy %ld, nattch %lu", (void *)a, unal, (void *)b, busy, nattch(id));
	shmdt(a);
	shmdt(b);
	UT_CHECK("shm-nattch-after-shmdt", nattch(id) == 0, "nattch %lu", nattch(id));

	ut_check_ret("shmget-size0-einval", SYS3(SYS_shmget, IPC_PRIVATE, 0, 0600), -EINVAL);
	ut_check_ret("shmctl-stat-efault", SYS3(SYS_shmctl, id, IPC_STAT, BAD), -EFAULT);
	ut_check_ret("shmdt-not-attached-einval", SYS1(SYS_shmdt, want), -EINVAL);
	ut_check_ret("shmat-bad-id-einval", SYS3(SYS_shmat, id + 1, 0, 0), -EINVAL);

	/* exec detaches: a child that attaches then execs leaves nattch at 0 */
	pid = fork();
	if (pid == 0) {
		shmat(id, NULL, 0);
		execl("/bin/ipctest", "ipctest", "exit0", (char *)NULL);
		_exit(1);
	}
	code = wait_code(pid);
	UT_CHECK("shm-exec-detaches", code == 0 && nattch(id) == 0, "child exit %d, nattch %lu", code, nattch(id));
	shmctl(id, IPC_RMID, NULL);
}

/* ---- shared futexes ---- */

static long futex(void *uaddr, int op, int val, const struct timespec *ts)
{
	return SYS6(SYS_futex, uaddr, op, val, ts, 0, 0);
}

/* FUTEX_WAIT in a child, FUTEX_WAKE in the parent, on one shared word seen at w (parent) and cw (child). */
static void futex_pair(const char *name, atomic_int *w, atomic_int *(*child_view)(void))
{
	atomic_store(w, 0);
	pid_t pid = fork();
	if (pid == 0) {
		atomic_int *cw = child_view ? child_view() : w;
		struct timespec ts = { 10, 0 };
		long r = 0;
		while (atomic_load(cw) == 0 && (r = futex(cw, FUTEX_WAIT, 0, &ts)) == 0)
			;
		_exit(r == -ETIMEDOUT ? 2 : atomic_load(cw) == 1 ? 0 : 1);
	}
	/* wake until the child has been woken once: it may not be parked yet at first */
	long woken = 0;
	for (int i = 0; i < 500 && woken == 0; i++) {
		pause_ms(10);
		if (i < 20)
			continue;	/* let it park first, so the wake below meets a waiter */
		atomic_store(w, 1);
		woken = futex(w, FUTEX_WAKE, 1, NULL);
	}
	int code = wait_code(pid);
	UT_CHECK(name, woken == 1 && code == 0, "wake returned %ld, child exit %d", woken, code);
}

static int shm_for_futex;
static atomic_int *child_attach(void) { return shmat(shm_for_futex, NULL, 0); }

struct pshared {
	pthread_mutex_t m;
	pthread_cond_t c;
	pthread_barrier_t b;
	int counter, flag;
};

static void test_futex_shared(void)
{
	atomic_int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	futex_pair("futex-shared-mmap-fork", w, NULL);
	shm_for_futex = shmget(IPC_PRIVATE, 4096, 0600);
	atomic_int *sw = shmat(shm_for_futex, NULL, 0);
	futex_pair("futex-shared-shm-other-address", sw, child_attach);
	shmctl(shm_for_futex, IPC_RMID, NULL);

	/* a private futex stays private: the other process's wake does not reach it */
	atomic_store(w, 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 300000000 };
		_exit(futex(w, FUTEX_WAIT_PRIVATE, 0, &ts) == -ETIMEDOUT ? 0 : 1);
	}
	pause_ms(100);
	long woken = futex(w, FUTEX_WAKE, 1, NULL);
	int code = wait_code(pid);
	UT_CHECK("futex-private-not-shared", woken == 0 && code == 0, "wake %ld, child exit %d", woken, code);

	/* PTHREAD_PROCESS_SHARED mutex, condvar and barrier in shared memory */
	struct pshared *ps = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&ps->m, &ma);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&ps->c, &ca);
	pthread_barrierattr_t ba;
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&ps->b, &ba, 2);
	enum { ROUNDS = 500 };
	pid = fork();
	if (pid == 0) {
		bound(60);
		for (int i = 0; i < ROUNDS; i++) {
			pthread_mutex_lock(&ps->m);
			ps->counter++;
			pthread_mutex_unlock(&ps->m);
		}
		pthread_barrier_wait(&ps->b);
		pthread_mutex_lock(&ps->m);
		ps->flag = 1;
		pthread_cond_signal(&ps->c);
		pthread_mutex_unlock(&ps->m);
		pthread_barrier_wait(&ps->b);
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&ps->m);
		ps->counter++;
		pthread_mutex_unlock(&ps->m);
	}
	pthread_barrier_wait(&ps->b);
	int at_barrier = ps->counter;
	pthread_mutex_lock(&ps->m);
	while (!ps->flag)
		pthread_cond_wait(&ps->c, &ps->m);
	pthread_mutex_unlock(&ps->m);
	pthread_barrier_wait(&ps->b);
	code = wait_code(pid);
	UT_CHECK("pthread-process-shared-mutex-cond-barrier", at_barrier == 2 * ROUNDS && ps->flag && code == 0,
		 "counter at barrier %d, flag %d, child exit %d", at_barrier, ps->flag, code);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exit0"))
		return 0;
	bound(110);	/* a call that never returns fails the run with EINTR instead of hanging it */
	void (*tests[])(void) = { test_msg_prodcons, test_msg_types, test_msg_blocking, test_msg_bad,
				  test_keys_perms, test_sem_basic, test_sem_undo, test_shm, test_futex_shared };
	for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int64_t t0 = ut_now_ns();
		tests[i]();
		printf("time group %u: %lld ms\n", i, (long long)((ut_now_ns() - t0) / 1000000));
	}
	return ut_summary();
}
