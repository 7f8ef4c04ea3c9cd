/*
 * fbtest SECONDS - the in-place fallback (docs/FALLBACK.md) seen from user
 * space, while the test script stops the server hart's vCPU thread for a
 * while (tests/qemu/fallback.sh).
 *
 * A worker process makes calls of the class the client may run itself
 * (getppid, write to /dev/null, read of /dev/zero), checks every result,
 * and stamps the end of each batch of calls in shared memory (the clock is
 * the vDSO's: no system call).  A sampler process reads the fallback line
 * of /proc/duet every 20 ms (calls only the server runs), with a stamp.
 * While the server is stopped the sampler is stuck in its call, so its
 * longest gap between samples is the stop; the worker's stamps inside that
 * gap are calls that completed without the server.
 *
 * Prints, after both ran SECONDS:
 *   fbtest calls N errors E
 *   fbtest stop K ms S batches B worker_max_gap_ms G ns_per_call C inplace I to_local L
 *     (one line per sampler gap over 1 s: a stop; B batches of the
 *     worker completed inside it, I calls ran on the client meanwhile)
 *   fbtest stops K progressed P to_local L to_offload O to_offload_after_last_stop A
 *     (P: stops the worker made progress through; L, O: mode switches
 *     over the whole run; A: back to offloading after the last stop)
 * The sampler's numbers are formatted when its read runs on the server,
 * its stamp taken when the read returns: the sample that ends a stop may
 * carry counters from before it.
 *   fbtest served_minus_syscalls D
 * D: system call handlers run (on any hart, /proc/duet) less calls
 * completed: 1, the read of /proc/duet that measures it, still running;
 * a call run twice would make it 2, a call never run would hang.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 200		/* iterations per stamp (3 calls each) */
#define MAX_STAMPS 200000
#define MAX_SAMPLES 4000

struct sample { long long t; unsigned long inplace, to_local, to_offload; };

struct shared {
	long long stamps[MAX_STAMPS];
	int nstamps;
	struct sample samples[MAX_SAMPLES];
	int nsamples;
	unsigned long calls, errors;
};

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void worker(struct shared *sh, long long end)
{
	pid_t ppid = getppid();
	int null = open("/dev/null", O_WRONLY), zero = open("/dev/zero", O_RDONLY);
	char buf[64];
	if (null < 0 || zero < 0) {
		sh->errors++;
		return;
	}
	while (now_ns() < end && sh->nstamps < MAX_STAMPS) {
		for (int i = 0; i < BATCH; i++) {
			if (getppid() != ppid)
				sh->errors++;
			memset(buf, 0xaa, sizeof buf);
			if (write(null, buf, sizeof buf) != (ssize_t)sizeof buf)
				sh->errors++;
			if (read(zero, buf, sizeof buf) != (ssize_t)sizeof buf)
				sh->errors++;
			for (unsigned k = 0; k < sizeof buf; k++)
				if (buf[k])
					sh->errors++;
		}
		sh->calls += 3 * BATCH;
		sh->stamps[sh->nstamps++] = now_ns();
	}
}

/* the numbers after the words of /proc/duet's "fallback:" line */
static int read_fallback(struct sample *s)
{
	static char text[4096];
	int fd = open("/proc/duet", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	char *l = strstr(text, "fallback");
	if (!l)
		return -1;
	unsigned long reclaims, lost;
	if (sscanf(strchr(l, ':') + 1, " inplace %lu reclaims %lu lost %lu to_local %lu to_offload %lu",
		   &s->inplace, &reclaims, &lost, &s->to_local, &s->to_offload) != 5)
		return -1;
	return 0;
}

static void sampler(struct shared *sh, long long end)
{
	struct timespec pause = { 0, 20000000 };
	while (now_ns() < end && sh->nsamples < MAX_SAMPLES) {
		struct sample s;
		if (read_fallback(&s) == 0) {
			s.t = now_ns();
			sh->samples[sh->nsamples++] = s;
		}
		nanosleep(&pause, NULL);
	}
}

/* served - syscalls, summed over the cpus of /proc/duet */
static long served_minus_syscalls(void)
{
	static char text[4096];
	int fd = open("/proc/duet", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1000000;
	text[n] = 0;
	long d = 0;
	for (char *l = text; (l = strstr(l, "syscalls ")) != NULL; l++) {
		unsigned long sc, sv;
		if (sscanf(l, "syscalls %lu served %lu", &sc, &sv) == 2)
			d += (long)sv - (long)sc;
	}
	return d;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 8;
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("fbtest: no shared memory\n");
		return 1;
	}
	memset(sh, 0, sizeof *sh);	/* touch it all now: no faults during the run */
	long long end = now_ns() + secs * 1000000000LL;
	printf("fbtest start %d s\n", secs);
	fflush(stdout);
	pid_t w = fork();
	if (w == 0) {
		worker(sh, end);
		_exit(0);
	}
	pid_t s = fork();
	if (s == 0) {
		sampler(sh, end);
		_exit(0);
	}
	waitpid(w, NULL, 0);
	waitpid(s, NULL, 0);

	/* the stops: the sampler's gaps over 1 s (it samples every 20 ms) */
	printf("fbtest calls %lu errors %lu\n", sh->calls, sh->errors);
	int stops = 0, progressed = 0, last_stop = -1;
	for (int i = 0; i + 1 < sh->nsamples; i++) {
		struct sample *a = &sh->samples[i], *b = &sh->samples[i + 1];
		long long gap = b->t - a->t;
		if (gap < 1000000000LL)
			continue;
		int during = 0;
		long long wmax = 0, prev = a->t, first = 0, last = 0;
		for (int k = 0; k < sh->nstamps; k++) {
			long long t = sh->stamps[k];
			if (t <= a->t || t >= b->t)
				continue;
			if (!during++)
				first = k ? sh->stamps[k - 1] : a->t;
			if (t - prev > wmax)
				wmax = t - prev;
			prev = last = t;
		}
		if (b->t - prev > wmax)
			wmax = b->t - prev;
		long long per = during > 1 ? (last - first) / ((long long)during * 3 * BATCH) : 0;
		printf("fbtest stop %d ms %lld batches %d worker_max_gap_ms %lld ns_per_call %lld "
		       "inplace %lu to_local %lu\n", stops, gap / 1000000, during, wmax / 1000000, per,
		       b->inplace - a->inplace, b->to_local - a->to_local);
		stops++;
		last_stop = i;
		progressed += during > 0 && b->inplace > a->inplace;
	}
	if (sh->nsamples) {
		/* after the last stop: from the second sample after it (the
		 * first may hold counters formatted before the stop) */
		struct sample *a = &sh->samples[0], *z = &sh->samples[sh->nsamples - 1];
		struct sample *after = last_stop >= 0 && last_stop + 2 < sh->nsamples ?
			&sh->samples[last_stop + 2] : z;
		printf("fbtest stops %d progressed %d to_local %lu to_offload %lu to_offload_after_last_stop %lu\n",
		       stops, progressed, z->to_local - a->to_local, z->to_offload - a->to_offload,
		       z->to_offload - after->to_offload);
	}
	printf("fbtest served_minus_syscalls %ld\n", served_minus_syscalls());
	return sh->errors ? 1 : 0;
}
