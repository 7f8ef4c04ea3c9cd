/*
 * mmtest: demand paging (docs/DYNAMIC.md, "Lazy memory").  Private
 * anonymous memory and brk are demand-zero; Linux's overcommit heuristic
 * refuses one private writable request larger than RAM and nothing else;
 * a process whose fault finds no free page dies of SIGKILL and the rest
 * runs on; fork's copy-on-write keeps working over pages never touched;
 * threads on several harts fault the same lazy pages in at once.
 * MAP_SHARED file mappings are one copy of the file's pages between
 * processes and read()/write(); msync, munmap and exit write them back
 * (with "ext2": msync(MS_SYNC) reaches the disk); sem_open in /dev/shm.
 */
#define _GNU_SOURCE
#include "ut.h"
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>
#include <semaphore.h>
#include <sys/mount.h>
#include <time.h>

#define PG 4096UL

static unsigned long ram_bytes(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return si.totalram * si.mem_unit;
}

static unsigned long free_bytes(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return si.freeram * si.mem_unit;
}

static void *anon(size_t len, int prot, int extra)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

/* 4x RAM in one request: refused as Linux's heuristic does; in pieces, or NORESERVE: given. */
static void test_overcommit(void)
{
	unsigned long ram = ram_bytes(), free0 = free_bytes();
	void *one = anon(4 * ram, PROT_READ | PROT_WRITE, 0);
	UT_CHECK("overcommit-one-4x-ram-refused", one == MAP_FAILED && errno == ENOMEM,
		 "mmap(4 x %lu) gave %p errno %d", ram, one, errno);
	if (one != MAP_FAILED)
		munmap(one, 4 * ram);
	void *nr = anon(4 * ram, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	UT_CHECK("overcommit-noreserve-4x-ram", nr != MAP_FAILED, "errno %d", errno);
	if (nr != MAP_FAILED) {
		char *p = nr;
		for (unsigned long off = 0; off < 4 * ram; off += ram / 2)
			p[off] = (char)(off >> 20) | 1;
		int ok = 1;
		for (unsigned long off = 0; off < 4 * ram; off += ram / 2)
			ok &= p[off] == ((char)(off >> 20) | 1) && p[off + PG] == 0;
		UT_CHECK("overcommit-noreserve-touch", ok, "a touched page lost its byte");
		munmap(nr, 4 * ram);
	}
	/* 8 pieces of RAM/2 each: 4x RAM promised, a few pages used */
	char *piece[8];
	int mapped = 0;
	for (int i = 0; i < 8; i++) {
		piece[i] = anon(ram / 2, PROT_READ | PROT_WRITE, 0);
		mapped += piece[i] != MAP_FAILED;
	}
	UT_CHECK("map-4x-ram-in-pieces", mapped == 8, "%d of 8 pieces of %lu mapped", mapped, ram / 2);
	int ok = mapped == 8;
	for (int i = 0; ok && i < 8; i++) {
		for (unsigned long off = 0; off < ram / 2; off += ram / 16)
			piece[i][off] = (char)(i + 1);
		for (unsigned long off = 0; off < ram / 2; off += ram / 16)
			ok &= piece[i][off] == (char)(i + 1) && piece[i][off + 1] == 0;
	}
	UT_CHECK("map-4x-ram-touch-few", ok, "bytes read back wrong");
	unsigned long used = free0 > free_bytes() ? free0 - free_bytes() : 0;
	UT_CHECK("map-4x-ram-costs-little", used < ram / 8,
		 "%lu KiB of RAM gone for 64 touched pages", used >> 10);
	for (int i = 0; i < 8; i++)
		if (piece[i] != MAP_FAILED)
			munmap(piece[i], ram / 2);
}

/* A counter of /proc/vmstat, -1 if missing. */
static long vmstat(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	long v, found = -1;
	while (f && fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	if (f)
		fclose(f);
	return found;
}

/* Reading untouched memory maps the zero page: RAM stays free. */
static void test_read_zero(void)
{
	unsigned long len = 64UL << 20, free0 = free_bytes();
	long zp0 = vmstat("pgfault_zero_page"), dz0 = vmstat("pgfault_demand_zero");
	volatile char *p = anon(len, PROT_READ | PROT_WRITE, 0);
	unsigned sum = 0;
	for (unsigned long off = 0; off < len; off += PG)
		sum += p[off];
	for (unsigned long off = 0; off < 100 * PG; off += PG)
		p[len / 2 + off] = 1;	/* 100 pages read, then written */
	long zp = vmstat("pgfault_zero_page") - zp0, dz = vmstat("pgfault_demand_zero") - dz0;
	UT_CHECK("vmstat-counts-faults", zp0 >= 0 && zp >= (long)(len / PG) && dz < 50,
		 "zero-page maps %ld, demand-zero pages %ld for %lu pages read", zp, dz, len / PG);
	unsigned long used = free0 > free_bytes() ? free0 - free_bytes() : 0;
	UT_CHECK("read-untouched-is-zero", sum == 0, "sum %u", sum);
	UT_CHECK("read-untouched-costs-no-ram", used < (len >> 2),
		 "%lu KiB gone reading %lu KiB of untouched memory", used >> 10, len >> 10);
	p[PG * 3] = 7;	/* copy-on-write off the zero page */
	UT_CHECK("write-after-read", p[PG * 3] == 7 && p[PG * 2] == 0 && p[PG * 4] == 0,
		 "%d %d %d", p[PG * 2], p[PG * 3], p[PG * 4]);
	munmap((void *)p, len);
}

static sigjmp_buf jb;
static volatile int got_sig, got_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	siglongjmp(jb, 1);
}

/* PROT_NONE stays inaccessible until mprotect, which then gives zeros. */
static void test_prot_none(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	size_t len = 4UL << 20;	/* two whole 2 MiB entries */
	volatile char *p = anon(len, PROT_NONE, 0);
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		(void)p[PG];
	UT_CHECK("prot-none-lazy-segv", got_sig == SIGSEGV && got_code == SEGV_ACCERR,
		 "signal %d code %d", got_sig, got_code);
	int r = mprotect((void *)(p + PG), PG * 2, PROT_READ | PROT_WRITE);
	p[PG] = 5;
	UT_CHECK("mprotect-part-of-lazy", r == 0 && p[PG] == 5 && p[PG * 2] == 0, "r %d", r);
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		p[PG * 3] = 1;	/* outside the mprotect: still PROT_NONE */
	UT_CHECK("mprotect-part-rest-none", got_sig == SIGSEGV, "signal %d", got_sig);
	munmap((void *)(p + (2UL << 20)), 2UL << 20);	/* a whole lazy 2 MiB entry */
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0)
		(void)p[(2UL << 20) + PG];
	UT_CHECK("munmap-lazy-maperr", got_sig == SIGSEGV && got_code == SEGV_MAPERR,
		 "signal %d code %d", got_sig, got_code);
	munmap((void *)p, len);
	signal(SIGSEGV, SIG_DFL);
}

/* vmfill's way: the address space reserved PROT_NONE costs next to no RAM. */
static void test_reserve_space(void)
{
	unsigned long free0 = free_bytes(), total = 0;
	void *maps[64];
	size_t lens[64];
	int n = 0;
	for (size_t len = 1UL << 36; len >= (1UL << 30) && n < 64; ) {
		void *p = anon(len, PROT_NONE, 0);
		if (p == MAP_FAILED) {
			len /= 2;
			continue;
		}
		maps[n] = p;
		lens[n++] = len;
		total += len;
	}
	unsigned long used = free0 > free_bytes() ? free0 - free_bytes() : 0;
	UT_CHECK("reserve-64-gib-prot-none", total >= (64UL << 30) && used < (4UL << 20),
		 "%lu GiB reserved, %lu KiB of RAM used", total >> 30, used >> 10);
	while (n--)
		munmap(maps[n], lens[n]);
}

static void test_brk(void)
{
	unsigned long free0 = free_bytes();
	/* raw brk: musl's sbrk refuses any increment */
	char *base = (char *)SYS1(SYS_brk, 0);
	char *top = (char *)SYS1(SYS_brk, base + (256UL << 20));
	char *p = base;
	UT_CHECK("brk-grow-256-mib", top == base + (256UL << 20), "brk gave %p, base %p", (void *)top, (void *)base);
	if (top != base + (256UL << 20))
		return;
	p[0] = 1;
	p[(256UL << 20) - 1] = 2;
	unsigned long used = free0 > free_bytes() ? free0 - free_bytes() : 0;
	UT_CHECK("brk-lazy", p[1] == 0 && p[0] == 1 && used < (8UL << 20),
		 "%lu KiB used", used >> 10);
	SYS1(SYS_brk, base);
}

/* Fork over pages half touched: each side sees its own bytes, zeros where untouched. */
static void test_fork_cow(void)
{
	size_t n = 64;
	char *p = anon(n * PG, PROT_READ | PROT_WRITE, 0);
	char *big = anon(8UL << 30, PROT_READ | PROT_WRITE, MAP_NORESERVE);	/* 1 GiB entries */
	for (size_t i = 0; i < n; i += 2)
		p[i * PG] = (char)i + 1;
	big[(3UL << 30) + 5] = 9;
	pid_t pid = fork();
	if (pid == 0) {
		int ok = 1;
		for (size_t i = 0; i < n; i++)
			ok &= p[i * PG] == (i % 2 ? 0 : (char)i + 1);
		ok &= big[(3UL << 30) + 5] == 9 && big[(5UL << 30) + 5] == 0;
		for (size_t i = 0; i < n; i++)
			p[i * PG] = 100;
		big[(5UL << 30) + 5] = 10;
		big[(3UL << 30) + 5] = 11;
		_exit(ok ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= p[i * PG] == (i % 2 ? 0 : (char)i + 1);
	UT_CHECK("fork-child-sees-lazy-and-touched", WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "status %#x", st);
	UT_CHECK("fork-parent-keeps-its-bytes", ok && big[(3UL << 30) + 5] == 9 && big[(5UL << 30) + 5] == 0,
		 "parent saw the child's stores");
	munmap(p, n * PG);
	munmap(big, 8UL << 30);
}

/* Touch until no page is left: the toucher dies of SIGKILL; its RAM comes back. */
static void test_oom(void)
{
	unsigned long ram = ram_bytes(), free0 = free_bytes();
	pid_t pid = fork();
	if (pid == 0) {
		char *p = anon(2 * ram, PROT_READ | PROT_WRITE, MAP_NORESERVE);
		if (p == MAP_FAILED)
			_exit(2);
		for (unsigned long off = 0; off < 2 * ram; off += PG)
			p[off] = 1;
		_exit(3);	/* more RAM than RAM: cannot get here */
	}
	int st = 0;
	waitpid(pid, &st, 0);
	UT_CHECK("oom-kills-toucher", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	unsigned long back = free_bytes();
	UT_CHECK("oom-ram-comes-back", back + (8UL << 20) >= free0,
		 "free %lu KiB before, %lu KiB after", free0 >> 10, back >> 10);
	char *q = anon(16UL << 20, PROT_READ | PROT_WRITE, 0);
	int ok = q != MAP_FAILED;
	for (unsigned long off = 0; ok && off < (16UL << 20); off += PG)
		q[off] = 3;
	UT_CHECK("oom-survivor-allocates", ok && q[PG * 100] == 3, "mmap %p", (void *)q);
	if (ok)
		munmap(q, 16UL << 20);
}

/* Threads (on several harts with clients=2) fault the same lazy pages at once. */
#define NTHR 4
#define TPAGES 256
static char *shared_lazy;
static pthread_barrier_t bar;

static void *toucher(void *arg)
{
	long id = (long)arg;
	pthread_barrier_wait(&bar);
	for (int i = 0; i < TPAGES; i++)
		((volatile int *)(shared_lazy + i * PG))[id] += 1;	/* a slot of its own */
	return NULL;
}

static void test_threads(void)
{
	shared_lazy = anon(TPAGES * PG, PROT_READ | PROT_WRITE, 0);
	pthread_t t[NTHR];
	pthread_barrier_init(&bar, NULL, NTHR);
	for (long i = 0; i < NTHR; i++)
		pthread_create(&t[i], NULL, toucher, (void *)i);
	for (int i = 0; i < NTHR; i++)
		pthread_join(t[i], NULL);
	int ok = 1;
	for (int i = 0; i < TPAGES; i++)
		for (int j = 0; j < NTHR; j++)
			ok &= ((int *)(shared_lazy + i * PG))[j] == 1;
	UT_CHECK("threads-fault-same-lazy-pages", ok, "a store was lost");
	munmap(shared_lazy, TPAGES * PG);
}


/* Wait for one byte on fd (the other process's go-ahead). */
static void wait_byte(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		_exit(9);
}

static int make_file(const char *path, size_t len, char fill)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[PG];
	memset(buf, fill, sizeof buf);
	for (size_t done = 0; done < len; done += PG)
		write(fd, buf, len - done < PG ? len - done : PG);
	return fd;
}

/* Two processes, each its own mmap of one file: one page between them and read()/write(). */
static void test_shared_file(void)
{
	const char *path = "/tmp/mm-shared.dat";
	int fd = make_file(path, 3 * PG, 'a');
	int to_child[2], to_parent[2];
	pipe(to_child);
	pipe(to_parent);
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid_t pid = fork();
	if (pid == 0) {
		char *c = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		memcpy(c + PG + 100, "from-child", 10);
		write(to_parent[1], "1", 1);
		wait_byte(to_child[0]);	/* the parent wrote with pwrite */
		_exit(c != MAP_FAILED && !memcmp(c + 2 * PG + 7, "via-pwrite", 10) ? 0 : 1);
	}
	wait_byte(to_parent[0]);
	UT_CHECK("shared-file-sees-other-process-store", !memcmp(m + PG + 100, "from-child", 10),
		 "parent's mapping has '%.10s'", m + PG + 100);
	char buf[16] = { 0 };
	pread(fd, buf, 10, PG + 100);
	UT_CHECK("shared-file-read-sees-store", !memcmp(buf, "from-child", 10), "read() gave '%.10s'", buf);
	pwrite(fd, "via-pwrite", 10, 2 * PG + 7);
	UT_CHECK("shared-file-mapping-sees-write", !memcmp(m + 2 * PG + 7, "via-pwrite", 10),
		 "mapping has '%.10s'", m + 2 * PG + 7);
	write(to_child[1], "1", 1);
	int st = 0;
	waitpid(pid, &st, 0);
	UT_CHECK("shared-file-child-sees-write", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);

	/* fork shares the mapping itself too, not a copy-on-write view of it */
	pid = fork();
	if (pid == 0) {
		memcpy(m + 50, "forked-store", 12);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	UT_CHECK("shared-file-fork-shares", !memcmp(m + 50, "forked-store", 12), "'%.12s'", m + 50);

	/* munmap writes back: a fresh open and read after the last mapping went */
	memcpy(m + 3000, "unmapped-back", 13);
	munmap(m, 3 * PG);
	close(fd);
	fd = open(path, O_RDONLY);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 13, 3000);
	char buf2[16] = { 0 };
	pread(fd, buf2, 12, 50);
	UT_CHECK("shared-file-munmap-writes-back", !memcmp(buf, "unmapped-back", 13) && !memcmp(buf2, "forked-store", 12),
		 "'%.13s' '%.12s'", buf, buf2);
	struct stat sb;
	fstat(fd, &sb);
	UT_CHECK("shared-file-size-kept", sb.st_size == 3 * PG, "size %ld", (long)sb.st_size);
	close(fd);

	/* exit writes back too */
	pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR);
		char *c = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		memcpy(c + 10, "exit-back", 9);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	fd = open(path, O_RDONLY);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 9, 10);
	UT_CHECK("shared-file-exit-writes-back", !memcmp(buf, "exit-back", 9), "'%.9s'", buf);
	close(fd);
	unlink(path);
}

/* MS_SYNC on ext2: the block device holds the stored bytes before munmap. */
static void test_msync_disk(void)
{
	mkdir("/mnt", 0755);
	int r = mount("/dev/vda", "/mnt", "ext2", 0, NULL);
	UT_CHECK("ext2-mount", r == 0, "errno %d", errno);
	if (r)
		return;
	int fd = make_file("/mnt/msync.dat", 4 * PG, 'z');
	fsync(fd);
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	static const char mark[] = "MSYNC-REACHED-THE-DISK-0123456789";
	memcpy(m + 2 * PG + 123, mark, sizeof mark - 1);
	r = msync(m, 4 * PG, MS_SYNC);
	UT_CHECK("msync-ok", r == 0, "errno %d", errno);
	/* the raw disk, through the block layer: the bytes are there */
	int dfd = open("/dev/vda", O_RDONLY);
	static char blk[64 * 1024];
	int found = 0;
	for (ssize_t n; !found && (n = read(dfd, blk, sizeof blk)) > 0; )
		found = memmem(blk, (size_t)n, mark, sizeof mark - 1) != NULL;
	close(dfd);
	UT_CHECK("msync-bytes-on-disk", found, "the marker is not on /dev/vda");
	munmap(m, 4 * PG);
	close(fd);
	r = umount("/mnt");
	UT_CHECK("ext2-umount", r == 0, "errno %d", errno);
}

/* A named semaphore between two processes (musl: a file in /dev/shm mapped MAP_SHARED). */
static void test_sem_open(void)
{
	struct stat sb;
	int r = stat("/dev/shm", &sb);
	UT_CHECK("dev-shm-1777", r == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 01777,
		 "stat %d mode %o", r, (unsigned)sb.st_mode);
	sem_unlink("/mmtest-sem");
	sem_t *s = sem_open("/mmtest-sem", O_CREAT | O_EXCL, 0600, 0);
	UT_CHECK("sem-open", s != SEM_FAILED, "errno %d", errno);
	if (s == SEM_FAILED)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		sem_t *c = sem_open("/mmtest-sem", 0);	/* the same name, opened afresh */
		if (c == SEM_FAILED)
			_exit(1);
		sem_post(c);
		sem_post(c);
		_exit(0);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	int a = sem_timedwait(s, &ts), b = sem_timedwait(s, &ts), v = -1;
	sem_getvalue(s, &v);
	int st = 0;
	waitpid(pid, &st, 0);
	UT_CHECK("sem-open-two-processes", a == 0 && b == 0 && v == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "waits %d %d value %d status %#x errno %d", a, b, v, st, errno);
	sem_close(s);
	UT_CHECK("sem-unlink", sem_unlink("/mmtest-sem") == 0, "errno %d", errno);
}


/*
 * More file data than RAM through the page cache: four files of 40 MiB on
 * ext2, each mapped whole, checked page by page and unmapped, on a guest
 * with 160 MiB, all four kept open.  The cache of the files no longer
 * mapped has to go.
 */
static void test_reclaim(void)
{
	mkdir("/mnt", 0755);
	int r = mount("/dev/vda", "/mnt", "ext2", MS_RDONLY, NULL);
	UT_CHECK("reclaim-mount", r == 0, "errno %d", errno);
	if (r)
		return;
	int fds[4];	/* all kept open: the cache of a file open but not mapped may go */
	for (int f = 0; f < 4; f++) {
		char path[32];
		snprintf(path, sizeof path, "/mnt/big%d", f);
		fds[f] = open(path, O_RDONLY);
	}
	for (int round = 0; round < 2; round++)
		for (int f = 0; f < 4; f++) {
			char path[32], want[32];
			snprintf(path, sizeof path, "/mnt/big%d", f);
			int fd = fds[f];
			struct stat sb;
			fstat(fd, &sb);
			char *m = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			int bad = -1;
			for (long pg = 0; m != MAP_FAILED && bad < 0 && pg < sb.st_size / (long)PG; pg++) {
				int n = snprintf(want, sizeof want, "file %d page %ld\n", f, pg);
				if (memcmp(m + pg * PG, want, n))
					bad = (int)pg;
			}
			char name[48];
			snprintf(name, sizeof name, "reclaim-map-%s-round%d", path + 5, round);
			UT_CHECK(name, m != MAP_FAILED && bad < 0 && sb.st_size >= (40L << 20),
				 "map %p size %ld bad page %d errno %d", (void *)m, (long)sb.st_size, bad, errno);
			if (m != MAP_FAILED)
				munmap(m, sb.st_size);
		}
	for (int f = 0; f < 4; f++)
		close(fds[f]);
	umount("/mnt");
}

/* 4 MiB of bss: an exec maps it demand-zero, so "exec-probe" costs one page of it */
static char big_bss[4 << 20];

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec-probe")) {
		big_bss[12345] = 1;
		printf("exec-probe: free %lu KiB while running\n", free_bytes() >> 10);
		return big_bss[12345] - 1;
	}
	if (argc > 1 && !strcmp(argv[1], "reclaim")) {
		test_reclaim();
		return ut_summary();
	}
	if (argc > 1 && !strcmp(argv[1], "ext2")) {
		test_msync_disk();
		return ut_summary();
	}
	test_overcommit();
	test_read_zero();
	test_prot_none();
	test_reserve_space();
	test_brk();
	test_fork_cow();
	test_threads();
	test_shared_file();
	test_sem_open();
	test_oom();
	return ut_summary();
}
