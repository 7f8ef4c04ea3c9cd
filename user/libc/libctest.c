/*
 * libctest: what a C library's start-up, signals, stdio, locale and the
 * vDSO need from the kernel.  The same source is built against glibc
 * (static and dynamic, Debian's riscv64-linux-gnu-gcc) and musl (dynamic),
 * see mk/userlibc.mk; each run ends with "N passed, N failed".
 */
#define _GNU_SOURCE
#include "../ut.h"
#include <elf.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

static volatile int handled;

static void on_usr1(int sig)
{
	handled = sig;
}

/* The libc's own sigaction (glibc passes no SA_RESTORER on riscv64). */
static void test_signal_return(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	handled = 0;
	raise(SIGUSR1);
	UT_CHECK("signal-handler-returns", handled == SIGUSR1, "handled %d", handled);
}

/* Raw rt_sigaction without SA_RESTORER: the kernel returns via the vDSO. */
struct ksigaction { void (*handler)(int); unsigned long flags; unsigned long mask; };

static void test_raw_no_restorer(void)
{
	struct ksigaction ks = { on_usr1, 0, 0 };
	long r = SYS4(SYS_rt_sigaction, SIGUSR2, &ks, 0, 8);
	handled = 0;
	SYS2(SYS_kill, SYS0(SYS_getpid), SIGUSR2);
	UT_CHECK("raw-sigaction-vdso-return", r == 0 && handled == SIGUSR2,
		 "rt_sigaction %ld, handled %d", r, handled);
}

/* Find a LINUX_4.15 symbol in the vDSO by its dynamic symbol table. */
static void *vdso_sym(const char *name)
{
	const unsigned char *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	if (!base || memcmp(base, ELFMAG, SELFMAG))
		return NULL;
	const Elf64_Ehdr *eh = (const void *)base;
	const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph[i].p_vaddr);
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const Elf32_Word *hash = NULL;
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB) sym = (const void *)(base + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB) str = (const void *)(base + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_HASH) hash = (const void *)(base + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (Elf32_Word i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, name))
			return (void *)(base + sym[i].st_value);
	return NULL;
}

static int64_t ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

static void test_vdso(void)
{
	const unsigned char *ehdr = (const void *)getauxval(AT_SYSINFO_EHDR);
	UT_CHECK("vdso-auxv", ehdr && !memcmp(ehdr, ELFMAG, SELFMAG), "AT_SYSINFO_EHDR %p", (void *)ehdr);
	int (*gettime)(clockid_t, struct timespec *) = vdso_sym("__vdso_clock_gettime");
	int (*getres)(clockid_t, struct timespec *) = vdso_sym("__vdso_clock_getres");
	UT_CHECK("vdso-symbols", gettime && getres && vdso_sym("__vdso_rt_sigreturn") &&
		 vdso_sym("__vdso_gettimeofday") && vdso_sym("__vdso_getcpu") &&
		 vdso_sym("__vdso_flush_icache"), "a symbol is missing");
	if (!gettime || !getres)
		return;
	struct timespec a, b, c, r1, r2;
	int ra = gettime(CLOCK_MONOTONIC, &a);
	long rb = SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	int rc = clock_gettime(CLOCK_MONOTONIC, &c);	/* the libc's path (glibc: the vDSO) */
	UT_CHECK("vdso-clock-gettime-agrees", !ra && !rb && !rc && ts_ns(a) <= ts_ns(b) && ts_ns(b) <= ts_ns(c),
		 "vdso %d %lld, syscall %ld %lld, libc %d %lld", ra, (long long)ts_ns(a), rb,
		 (long long)ts_ns(b), rc, (long long)ts_ns(c));
	gettime(CLOCK_REALTIME, &a);
	SYS2(SYS_clock_gettime, CLOCK_REALTIME, &b);
	UT_CHECK("vdso-realtime-agrees", ts_ns(b) - ts_ns(a) >= 0 && ts_ns(b) - ts_ns(a) < 1000000000LL,
		 "vdso %lld syscall %lld", (long long)ts_ns(a), (long long)ts_ns(b));
	int e1 = getres(CLOCK_MONOTONIC, &r1);
	long e2 = SYS2(SYS_clock_getres, CLOCK_MONOTONIC, &r2);
	UT_CHECK("vdso-getres-agrees", !e1 && !e2 && ts_ns(r1) == ts_ns(r2) && ts_ns(r1) > 0,
		 "vdso %d %lld syscall %ld %lld", e1, (long long)ts_ns(r1), e2, (long long)ts_ns(r2));
	UT_CHECK("vdso-bad-clock", gettime(12345, &a) == -EINVAL, "expected -EINVAL");
	int cpu = sched_getcpu();
	UT_CHECK("getcpu", cpu >= 0 && cpu < 64, "sched_getcpu %d (errno %d)", cpu, errno);
}

static void test_stdio(void)
{
	FILE *f = fopen("/tmp/libctest.txt", "w+");
	if (!f) {
		ut_fail("stdio-file", "fopen: errno %d", errno);
		return;
	}
	fprintf(f, "%s %d %.3f\n", "pi", 3, 3.14159);
	rewind(f);
	char line[64] = "";
	char *got = fgets(line, sizeof line, f);
	fclose(f);
	UT_CHECK("stdio-file", got && !strcmp(line, "pi 3 3.142\n"), "read back '%s'", line);
	char buf[32];
	snprintf(buf, sizeof buf, "%5.1e|%-4s|%x", 12345.0, "ab", 255);
	UT_CHECK("stdio-format", !strcmp(buf, "1.2e+04|ab  |ff"), "got '%s'", buf);
}

static void test_locale(void)
{
	const char *c = setlocale(LC_ALL, "C");
	UT_CHECK("locale-c", c && !strcmp(c, "C"), "setlocale C: %s", c ? c : "NULL");
	const char *u = setlocale(LC_CTYPE, "C.UTF-8");
	wchar_t wc = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = mbrtowc(&wc, "\xc3\xa9", 2, &st);
	UT_CHECK("locale-utf8", u && n == 2 && wc == 0xe9, "setlocale %s, mbrtowc %zd wc %x",
		 u ? u : "NULL", n, (unsigned)wc);
}

static volatile int thread_hits;

static void on_usr1_thread(int sig)
{
	(void)sig;
	__atomic_fetch_add(&thread_hits, 1, __ATOMIC_RELAXED);	/* only counted */
}

static void *count_and_raise(void *arg)
{
	long *n = arg;
	for (int i = 0; i < 100000; i++)
		(*n)++;
	raise(SIGUSR1);		/* to this thread: its handler returns here */
	return NULL;
}

/* The libc's threads (clone, futex, TLS) with a handler run in each thread. */
static void test_threads(void)
{
	signal(SIGUSR1, on_usr1_thread);
	pthread_t t[4];
	long n[4] = { 0 };
	int made = 0;
	for (int i = 0; i < 4; i++)
		made += pthread_create(&t[i], NULL, count_and_raise, &n[i]) == 0;
	long sum = 0;
	for (int i = 0; i < made; i++) {
		pthread_join(t[i], NULL);
		sum += n[i];
	}
	UT_CHECK("threads-and-handlers", made == 4 && sum == 400000 && thread_hits == 4,
		 "created %d, sum %ld, handler ran %d times", made, sum, thread_hits);
}

static void test_memory(void)
{
	char *p = malloc(1 << 20);
	if (p)
		memset(p, 7, 1 << 20);
	UT_CHECK("malloc-1m", p && p[12345] == 7, "malloc");
	free(p);
}

int main(void)
{
	printf("libctest: hello from %s\n",
#ifdef __GLIBC__
	       "glibc"
#else
	       "musl"
#endif
	);
	test_signal_return();
	test_raw_no_restorer();
	test_vdso();
	test_stdio();
	test_locale();
	test_memory();
	test_threads();
	printf("%d passed, %d failed\n", ut_npass, ut_nfail);
	return ut_nfail != 0;
}
