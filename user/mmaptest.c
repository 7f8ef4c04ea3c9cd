/*
 * mmaptest: file mappings (private, shared with msync and write-back),
 * MAP_FIXED(_NOREPLACE), mprotect, madvise, mremap, and the signals faults
 * give: SIGSEGV with SEGV_MAPERR / SEGV_ACCERR and si_addr, SIGBUS past the
 * end of a file, a handler that fixes the protection and returns.
 */
#define _GNU_SOURCE
#include "ut.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define FSIZE 5000
#define PATH "/tmp/mmaptest.dat"

static sigjmp_buf jb;
static volatile int got_sig, got_code, fix_prot;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	if (fix_prot) {	/* make the page writable and retry the store */
		mprotect((void *)((unsigned long)si->si_addr & ~(PG - 1UL)), PG, PROT_READ | PROT_WRITE);
		return;
	}
	siglongjmp(jb, 1);
}

/* Touch p (write if w); returns the signal it raised, 0 if none. */
static int touch(volatile char *p, int w)
{
	got_sig = got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(jb, 1) == 0) {
		if (w)
			*p = 1;
		else
			(void)*p;
	}
	return got_sig;
}

static int make_file(void)
{
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[FSIZE];
	for (int i = 0; i < FSIZE; i++)
		buf[i] = (char)('a' + i % 26);
	if (fd < 0 || write(fd, buf, FSIZE) != FSIZE)
		return -1;
	return fd;
}

static void test_private(int fd)
{
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		ut_fail("private-map", "mmap: errno %d", errno);
		return;
	}
	int ok = 1;
	for (int i = 0; i < FSIZE; i++)
		ok &= m[i] == 'a' + i % 26;
	for (int i = FSIZE; i < 2 * PG; i++)
		ok &= m[i] == 0;
	UT_CHECK("private-contents", ok, "bytes differ from the file (or the tail is not zero)");
	m[0] = 'Z';
	char c = 0;
	pread(fd, &c, 1, 0);
	UT_CHECK("private-not-written-back", c == 'a', "file byte 0 is '%c'", c);
	munmap(m, 2 * PG);
}

static void test_sigbus(int fd)
{
	char *m = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	int s1 = touch(m + PG + 10, 0);		/* in the file's last page */
	int s2 = touch(m + 2 * PG + 8, 0);	/* wholly past the end */
	UT_CHECK("sigbus-past-eof", s1 == 0 && s2 == SIGBUS && got_code == BUS_ADRERR &&
		 got_addr == m + 2 * PG + 8, "last page sig %d, past end sig %d code %d addr %p (want %p)",
		 s1, s2, got_code, got_addr, (void *)(m + 2 * PG + 8));
	munmap(m, 3 * PG);
}

static void test_shared(int fd)
{
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		ut_fail("shared-map", "mmap: errno %d", errno);
		return;
	}
	memcpy(m + 100, "HELLO", 5);
	memcpy(m + 4500, "WORLD", 5);
	m[FSIZE + 10] = 'X';	/* past the end, in the last page: never reaches the file */
	long r = msync(m, 2 * PG, MS_SYNC);
	char a[6] = "", b[6] = "";
	pread(fd, a, 5, 100);
	pread(fd, b, 5, 4500);
	struct stat st;
	fstat(fd, &st);
	UT_CHECK("shared-msync", r == 0 && !memcmp(a, "HELLO", 5) && !memcmp(b, "WORLD", 5) &&
		 st.st_size == FSIZE, "msync %ld, file has '%s' '%s', size %ld", r, a, b, (long)st.st_size);
	/* a write() to a page the mapping never stored to survives a write-back */
	char *m2 = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	m2[0] = 'a';
	pwrite(fd, "PW", 2, 4200);
	msync(m2, 2 * PG, MS_SYNC);
	munmap(m2, 2 * PG);
	char e[3] = "";
	pread(fd, e, 2, 4200);
	UT_CHECK("shared-keeps-unstored-pages", !memcmp(e, "PW", 2), "file has '%s'", e);
	memcpy(m + 200, "MUNMAP", 6);
	munmap(m, 2 * PG);
	char c[7] = "";
	pread(fd, c, 6, 200);
	UT_CHECK("shared-munmap-writes-back", !memcmp(c, "MUNMAP", 6), "file has '%s'", c);
	/* a child writes and exits without msync: the exit writes back */
	pid_t pid = fork();
	if (pid == 0) {
		char *cm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (cm != MAP_FAILED)
			memcpy(cm + 300, "CHILD", 5);
		_exit(cm == MAP_FAILED);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	char d[6] = "";
	pread(fd, d, 5, 300);
	UT_CHECK("shared-exit-writes-back", status == 0 && !memcmp(d, "CHILD", 5),
		 "status %d, file has '%s'", status, d);
	UT_CHECK("msync-bad-flags", msync(m, PG, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL,
		 "errno %d", errno);
	UT_CHECK("msync-unmapped", msync(m, PG, MS_SYNC) == -1 && errno == ENOMEM, "errno %d", errno);
	int ro = open(PATH, O_RDONLY);
	void *x = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	UT_CHECK("shared-write-needs-rdwr", x == MAP_FAILED && errno == EACCES, "mmap %p errno %d", x, errno);
	x = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	int pr = x != MAP_FAILED ? mprotect(x, PG, PROT_READ | PROT_WRITE) : 0;
	UT_CHECK("shared-mprotect-write-needs-rdwr", x != MAP_FAILED && pr == -1 && errno == EACCES,
		 "mmap %p mprotect %d errno %d", x, pr, errno);
	if (x != MAP_FAILED)
		munmap(x, PG);
	close(ro);
}

static void test_segv(void)
{
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 2 * PG, PG);
	int s = touch(m + 2 * PG + 5, 0);
	UT_CHECK("segv-maperr", s == SIGSEGV && got_code == SEGV_MAPERR && got_addr == m + 2 * PG + 5,
		 "sig %d code %d addr %p (want %p)", s, got_code, got_addr, (void *)(m + 2 * PG + 5));
	mprotect(m, PG, PROT_READ);
	s = touch(m + 7, 1);
	UT_CHECK("segv-accerr-write", s == SIGSEGV && got_code == SEGV_ACCERR && got_addr == m + 7,
		 "sig %d code %d addr %p", s, got_code, got_addr);
	UT_CHECK("mprotect-read-still-reads", touch(m + 7, 0) == 0, "read of PROT_READ faulted");
	mprotect(m + PG, PG, PROT_NONE);	/* a guard page */
	s = touch(m + PG, 0);
	UT_CHECK("guard-page", s == SIGSEGV && got_code == SEGV_ACCERR, "sig %d code %d", s, got_code);
	fix_prot = 1;	/* the handler mprotects and returns: the store is retried */
	s = touch(m + 9, 1);
	fix_prot = 0;
	UT_CHECK("handler-fixes-and-returns", s == SIGSEGV && m[9] == 1, "sig %d byte %d", s, m[9]);
	munmap(m, 2 * PG);
}

static void test_fixed(void)
{
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 5;
	void *r = mmap(m, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	UT_CHECK("fixed-noreplace-eexist", r == MAP_FAILED && errno == EEXIST && m[0] == 5,
		 "mmap %p errno %d", r, errno);
	r = mmap(m, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	UT_CHECK("fixed-replaces", r == m && m[0] == 0, "mmap %p byte %d", r, m[0]);
	munmap(m + PG, PG);
	r = mmap(m + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	UT_CHECK("fixed-noreplace-free", r == m + PG, "mmap %p errno %d", r, errno);
	munmap(m, 2 * PG);
}

static void test_madvise_mremap(void)
{
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 7, 2 * PG);
	int r = madvise(m, 2 * PG, MADV_DONTNEED);
	UT_CHECK("madvise-dontneed-zeroes", r == 0 && m[0] == 0 && m[PG + 1] == 0, "r %d byte %d", r, m[0]);
	memset(m, 9, 2 * PG);
	char *g = mremap(m, 2 * PG, 6 * PG, MREMAP_MAYMOVE);
	int ok = g != MAP_FAILED;
	for (int i = 0; ok && i < 2 * PG; i++)
		ok = g[i] == 9;
	if (ok)
		g[6 * PG - 1] = 3;	/* the grown part is mapped and writable */
	UT_CHECK("mremap-grow-keeps", ok && g[5 * PG] == 0, "mremap %p", (void *)g);
	char *s = mremap(g, 6 * PG, PG, 0);
	UT_CHECK("mremap-shrink", s == g && g[10] == 9, "mremap %p", (void *)s);
	UT_CHECK("madvise-bad", madvise(s, PG, 12345) == -1 && errno == EINVAL, "errno %d", errno);
	munmap(s, PG);
}

/* Copy file from to to (truncating it); 0 on success. */
static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[4096];
	long n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	close(out);
	return in < 0 || out < 0 || n < 0;
}

/* Run path with one argument; its exit status, or -1. */
static int run(const char *path, const char *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execl(path, path, arg, (char *)NULL);
		_exit(126);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * exec maps a file's page cache: rewriting the file must drop it, so the
 * next exec runs the new program, while a mapping made before keeps the
 * bytes it had (MAP_PRIVATE).
 */
static void test_exec_cache(void)
{
	const char *p = "/tmp/mmaptest.prog";
	int a = copy_file("/bin/exitcode", p) ? -2 : run(p, "7");
	int fd = open(p, O_RDONLY);
	unsigned char *m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	unsigned char before = m != MAP_FAILED ? m[100] : 0;
	int b = copy_file("/bin/hello", p) ? -2 : run(p, "7");
	int c = copy_file("/bin/exitcode", p) ? -2 : run(p, "9");
	UT_CHECK("exec-after-rewrite", a == 7 && b == 0 && c == 9, "statuses %d %d %d (want 7 0 9)", a, b, c);
	UT_CHECK("private-map-keeps-old-bytes", m != MAP_FAILED && m[100] == before, "byte changed");
	close(fd);
	unlink(p);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	int fd = make_file();
	if (fd < 0) {
		printf("FAIL setup: errno %d\n0 passed, 1 failed\n", errno);
		return 1;
	}
	test_private(fd);
	test_sigbus(fd);
	test_shared(fd);
	test_segv();
	test_fixed();
	test_madvise_mremap();
	test_exec_cache();
	close(fd);
	unlink(PATH);
	printf("%d passed, %d failed\n", ut_npass, ut_nfail);
	return ut_nfail != 0;
}
