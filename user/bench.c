/*
 * bench NAME [ITERATIONS] [PATH] - time one operation in a loop.
 *
 * Prints exactly one line:  bench <name> iters=<N> ns_per_op=<integer>
 * measured with CLOCK_MONOTONIC over the timed loop, after a short warm-up.
 * If the kernel lacks a system call the benchmark needs (ENOSYS), prints
 * "bench <name> unsupported" and exits 0.
 *
 *   getppid     null system call
 *   write_null  write 1 byte to /dev/null (opened once)
 *   nanosleep0  nanosleep of 0
 *   openclose   openat + close of PATH (default /etc/passwd, else /dev/null)
 *   pipe        1-byte ping-pong with a forked child over two pipes
 *   forkwait    fork, child _exit(0), parent wait4
 *   forkexec    fork, child execve PATH (default /bin/hello, stdout to
 *               /dev/null), parent wait4: lmbench's lat_proc exec
 *   forksh      the same through /bin/sh -c PATH: lmbench's lat_proc shell
 *   loop        an empty loop iteration (no system call): the emulator's floor
 *   callret     a call to and return from an empty function (no system call):
 *               what one call costs the emulator, to weigh kernel paths by
 *   fence       one `fence r,rw` (an acquire's fence) in user mode
 *   futexpp     futex ping-pong between two threads (one op: a round trip)
 *   pthread     pthread_create + pthread_join of a thread that returns at once
 *
 * lmbench's first rows (lat_syscall, lat_select, lat_sig, lat_pagefault,
 * lat_mmap, lat_ctx), same operations, duet's loop and clock:
 *   read_zero   read 1 byte from /dev/zero (opened once)
 *   stat        stat of PATH (default /etc/passwd, else /dev/null)
 *   fstat       fstat of an open PATH
 *   select      select on 100 fds (/dev/null, always ready), 0 timeout; as
 *               many as the fd table holds if fewer (stderr says how many)
 *   siginstall  sigaction install of a handler
 *   sigcatch    kill(getpid(), SIGUSR1) caught by a handler
 *   pagefault   first touch of one page of a fresh anonymous mapping
 *               (per page: mmap of 64 pages, touch each, munmap)
 *   mmapfile    mmap + first touch + munmap of a 64 KiB file; prints
 *               "bench mmapfile n/a <errno>" when the kernel refuses it
 *   ctx2, ctx8  one pass of a token round a ring of 2 or 8 processes
 *               over pipes (lat_ctx with no working set), per switch
 *
 * The timed loop is always bracketed by
 * two marker instructions (addi x0,x0,1 and addi x0,x0,2: HINTs, no-ops for
 * the hart) that the instruction-count plugin (tests/plugin/insn_count.c)
 * snapshots its counters at, so its figures cover the timed loop only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/futex.h>
#include <unistd.h>

static const char *name;
static long iters;
static int fd_a = -1;
static int pp[2][2]; /* pp[0]: parent->child, pp[1]: child->parent */
static const char *path = "/etc/passwd";
static pid_t child = -1;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void unsupported(void)
{
	printf("bench %s unsupported\n", name);
	exit(0);
}

static void die(const char *what)
{
	if (errno == ENOSYS)
		unsupported();
	fprintf(stderr, "bench %s: %s: %s\n", name, what, strerror(errno));
	exit(1);
}

static void op_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void op_loop(long n)
{
	for (long i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void empty_fn(void)
{
	__asm__ volatile("" ::: "memory");
}

static void op_callret(long n)
{
	for (long i = 0; i < n; i++)
		empty_fn();
}

static void op_fence(long n)
{
	for (long i = 0; i < n; i++)
		__asm__ volatile("fence r,rw" ::: "memory");
}

static void op_write_null(long n)
{
	for (long i = 0; i < n; i++)
		if (write(fd_a, "x", 1) != 1)
			die("write");
}

static void op_nanosleep0(long n)
{
	struct timespec z = { 0, 0 };
	for (long i = 0; i < n; i++)
		if (nanosleep(&z, NULL) != 0)
			die("nanosleep");
}

static void op_openclose(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			die("open");
		close(fd);
	}
}

static void op_pipe(long n)
{
	char c = 'p';
	for (long i = 0; i < n; i++) {
		if (write(pp[0][1], &c, 1) != 1 || read(pp[1][0], &c, 1) != 1)
			die("pipe round trip");
	}
}

static void op_forkwait(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0)
			_exit(0);
		if (waitpid(p, NULL, 0) != p)
			die("waitpid");
	}
}

static void fork_exec(long n, int shell)
{
	static const char *exec_path = "/bin/hello";
	if (path && strcmp(path, "/etc/passwd") != 0)
		exec_path = path;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			if (shell)
				execl("/bin/sh", "sh", "-c", exec_path, (char *)NULL);
			else
				execl(exec_path, exec_path, (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(p, &st, 0) != p || st != 0)
			die("waitpid (or the exec failed)");
	}
}

static void op_forkexec(long n) { fork_exec(n, 0); }
static void op_forksh(long n) { fork_exec(n, 1); }

/* ls -l of a 2000-entry directory: the design log's workload. */
#define LSDIR "/tmp/lsdir"
#define LSDIR_FILES 2000

static void op_lsdir(long n)
{
	for (long i = 0; i < n; i++) {
		DIR *d = opendir(LSDIR);
		struct dirent *e;
		struct stat st;
		long seen = 0;
		if (!d)
			die("opendir");
		while ((e = readdir(d)) != NULL) {
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				die("fstatat");
			seen++;
		}
		closedir(d);
		if (seen != LSDIR_FILES + 2)
			die("readdir count");
	}
}

static void setup_lsdir(void)
{
	char p[64];
	mkdir(LSDIR, 0755);
	for (int i = 0; i < LSDIR_FILES; i++) {
		snprintf(p, sizeof p, LSDIR "/file%04d", i);
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			die("create");
		close(fd);
	}
}

/* Two tasks, each mixing a little compute with a syscall. */
static volatile unsigned long sink;

static void mix_loop(long n)
{
	for (long i = 0; i < n; i++) {
		for (int k = 0; k < 200; k++)
			sink += (unsigned long)k * i;
		syscall(SYS_getppid);
	}
}

static void op_read_zero(long n)
{
	char c;
	for (long i = 0; i < n; i++)
		if (read(fd_a, &c, 1) != 1)
			die("read");
}

static void op_stat(long n)
{
	struct stat st;
	for (long i = 0; i < n; i++)
		if (stat(path, &st) != 0)
			die("stat");
}

static void op_fstat(long n)
{
	struct stat st;
	for (long i = 0; i < n; i++)
		if (fstat(fd_a, &st) != 0)
			die("fstat");
}

#define SELECT_FDS 100
static int select_first, select_n;

static void op_select(long n)
{
	fd_set rd;
	for (long i = 0; i < n; i++) {
		struct timeval tv = { 0, 0 };
		FD_ZERO(&rd);
		for (int k = 0; k < select_n; k++)
			FD_SET(select_first + k, &rd);
		if (select(select_first + select_n, &rd, NULL, NULL, &tv) != select_n)
			die("select");
	}
}

static void setup_select(void)
{
	/* lmbench's lat_select opens the fds to one file; /dev/null is ready */
	for (int k = 0; k < SELECT_FDS; k++) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0 && errno == EMFILE && k >= 10)
			break;
		if (fd < 0)
			die("open /dev/null");
		if (k == 0)
			select_first = fd;
		else if (fd != select_first + k)
			die("fds not consecutive");
		select_n = k + 1;
	}
	if (select_n < SELECT_FDS)
		fprintf(stderr, "bench select: %d fds (the fd table's limit)\n", select_n);
}

static volatile sig_atomic_t caught;
static void on_usr1(int sig) { (void)sig; caught++; }

static void op_siginstall(long n)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	for (long i = 0; i < n; i++)
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			die("sigaction");
}

static void op_sigcatch(long n)
{
	long before = caught;
	pid_t me = getpid();
	for (long i = 0; i < n; i++)
		if (kill(me, SIGUSR1) != 0)
			die("kill");
	if (caught - before != n) {
		errno = EINVAL;
		die("signals caught");
	}
}

#define FAULT_PAGES 64

static void op_pagefault(long n)
{
	/* n counts pages: whole mappings of FAULT_PAGES pages each */
	long pg = sysconf(_SC_PAGESIZE);
	for (long done = 0; done < n; done += FAULT_PAGES) {
		char *p = mmap(NULL, FAULT_PAGES * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (long k = 0; k < FAULT_PAGES; k++)
			p[k * pg] = 1;
		munmap(p, FAULT_PAGES * pg);
	}
}

#define MMAP_FILE "/tmp/mmapfile"
#define MMAP_SIZE (64 * 1024)
static volatile char mmap_sink;

static void op_mmapfile(long n)
{
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, MMAP_SIZE, PROT_READ, MAP_SHARED, fd_a, 0);
		if (p == MAP_FAILED)
			die("mmap");
		mmap_sink = p[0];
		munmap(p, MMAP_SIZE);
	}
}

/* mmap of a file may not be there (ENODEV and the like): say so, don't fail */
static void setup_mmapfile(void)
{
	static char buf[MMAP_SIZE];
	fd_a = open(MMAP_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd_a < 0)
		die("create " MMAP_FILE);
	memset(buf, 'm', sizeof buf);
	if (write(fd_a, buf, sizeof buf) != (ssize_t)sizeof buf)
		die("write " MMAP_FILE);
	void *p = mmap(NULL, MMAP_SIZE, PROT_READ, MAP_SHARED, fd_a, 0);
	if (p == MAP_FAILED) {
		printf("bench %s n/a %s\n", name, strerror(errno));
		exit(0);
	}
	if (((char *)p)[MMAP_SIZE - 1] != 'm') {
		errno = EIO;
		die("mmap contents");
	}
	munmap(p, MMAP_SIZE);
}

/*
 * lat_ctx: nproc processes in a ring, each reads the token from its pipe and
 * writes it to the next one's; the parent is the ring's first member.  One
 * op is one switch (a pass is nproc of them).
 */
#define CTX_MAX 8
static int ctx_n;
static int ring[CTX_MAX][2];
static pid_t ctx_kids[CTX_MAX];

static void setup_ctx(int nproc)
{
	ctx_n = nproc;
	for (int k = 0; k < nproc; k++)
		if (pipe(ring[k]) != 0)
			die("pipe");
	for (int k = 1; k < nproc; k++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {	/* member k: ring[k] in, ring[(k+1)%n] out */
			char c;
			while (read(ring[k][0], &c, 1) == 1)
				if (write(ring[(k + 1) % nproc][1], &c, 1) != 1)
					break;
			_exit(0);
		}
		ctx_kids[k] = p;
	}
}

static void op_ctx(long n)
{
	char c = 't';
	long passes = (n + ctx_n - 1) / ctx_n;
	for (long i = 0; i < passes; i++)
		if (write(ring[1 % ctx_n][1], &c, 1) != 1 || read(ring[0][0], &c, 1) != 1)
			die("ring pass");
}

static void teardown_ctx(void)
{
	for (int k = 0; k < ctx_n; k++) {
		close(ring[k][0]);
		close(ring[k][1]);
	}
	for (int k = 1; k < ctx_n; k++)
		kill(ctx_kids[k], SIGKILL), waitpid(ctx_kids[k], NULL, 0);
}

static void op_mixed(long n)
{
	pid_t c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		mix_loop(n);
		_exit(0);
	}
	mix_loop(n);
	waitpid(c, NULL, 0);
}

/* futex ping-pong between two threads: one op is a round trip (two waits, two wakes) */
static atomic_int pp_word;

static void *pp_partner(void *arg)
{
	long n = (long)arg;
	for (long i = 0; i < n; i++) {
		while (atomic_load(&pp_word) != 1)
			syscall(SYS_futex, &pp_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		atomic_store(&pp_word, 0);
		syscall(SYS_futex, &pp_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	return NULL;
}

static void op_futexpp(long n)
{
	pthread_t t;
	atomic_store(&pp_word, 0);
	if (pthread_create(&t, NULL, pp_partner, (void *)n) != 0)
		die("pthread_create");
	for (long i = 0; i < n; i++) {
		atomic_store(&pp_word, 1);
		syscall(SYS_futex, &pp_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		while (atomic_load(&pp_word) != 0)
			syscall(SYS_futex, &pp_word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	}
	pthread_join(t, NULL);
}

static void *nothing(void *arg) { return arg; }

/* pthread_create + pthread_join of a thread that returns at once */
static void op_pthread(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) != 0)
			die("pthread_create");
		pthread_join(t, NULL);
	}
}

static void setup_pipe(void)
{
	if (pipe(pp[0]) != 0 || pipe(pp[1]) != 0)
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char c;
		close(pp[0][1]);
		close(pp[1][0]);
		while (read(pp[0][0], &c, 1) == 1)
			if (write(pp[1][1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(pp[0][0]);
	close(pp[1][1]);
}

static void teardown_pipe(void)
{
	close(pp[0][1]); /* child sees EOF and exits */
	close(pp[1][0]);
	waitpid(child, NULL, 0);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*op)(long);
	} table[] = {
		{ "getppid", op_getppid },     { "write_null", op_write_null },
		{ "nanosleep0", op_nanosleep0 }, { "openclose", op_openclose },
		{ "pipe", op_pipe },           { "forkwait", op_forkwait },
		{ "lsdir", op_lsdir },         { "mixed", op_mixed },
		{ "loop", op_loop },           { "callret", op_callret },
		{ "fence", op_fence },
		{ "futexpp", op_futexpp },     { "pthread", op_pthread },
		{ "read_zero", op_read_zero }, { "stat", op_stat },
		{ "fstat", op_fstat },         { "select", op_select },
		{ "siginstall", op_siginstall }, { "sigcatch", op_sigcatch },
		{ "pagefault", op_pagefault }, { "mmapfile", op_mmapfile },
		{ "ctx2", op_ctx },            { "ctx8", op_ctx },
		{ "forkexec", op_forkexec },   { "forksh", op_forksh },
	};
	void (*op)(long) = NULL;
	long warm;
	int64_t t0, t1;

	if (argc < 2) {
		fprintf(stderr, "usage: bench NAME [ITERATIONS] [PATH]\n"
		                "names: getppid write_null nanosleep0 openclose pipe forkwait lsdir mixed\n"
		                "       read_zero stat fstat select siginstall sigcatch pagefault mmapfile ctx2 ctx8\n");
		return 2;
	}
	name = argv[1];
	iters = argc > 2 ? strtol(argv[2], NULL, 0) : 10000;
	if (iters <= 0)
		iters = 1;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].name, name) == 0)
			op = table[i].op;
	if (!op) {
		fprintf(stderr, "bench: unknown benchmark '%s'\n", name);
		return 2;
	}

	if (op == op_write_null) {
		fd_a = open("/dev/null", O_WRONLY);
		if (fd_a < 0)
			die("open /dev/null");
	} else if (op == op_read_zero) {
		fd_a = open("/dev/zero", O_RDONLY);
		if (fd_a < 0)
			die("open /dev/zero");
	} else if (op == op_openclose || op == op_stat || op == op_fstat) {
		int fd;
		if (argc > 3)
			path = argv[3];
		fd = open(path, O_RDONLY);
		if (fd < 0 && argc <= 3 && errno == ENOENT) {
			path = "/dev/null";
			fd = open(path, O_RDONLY);
		}
		if (fd < 0)
			die("open");
		if (op == op_fstat)
			fd_a = fd;
		else
			close(fd);
	} else if (op == op_select) {
		setup_select();
	} else if (op == op_siginstall || op == op_sigcatch) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		if (sigaction(SIGUSR1, &sa, NULL) != 0)
			die("sigaction");
	} else if (op == op_mmapfile) {
		setup_mmapfile();
	} else if (op == op_ctx) {
		setup_ctx(name[3] == '8' ? 8 : 2);
	} else if (op == op_pipe) {
		setup_pipe();
	} else if (op == op_lsdir) {
		setup_lsdir();
	} else if (op == op_getppid) {
		if (syscall(SYS_getppid) < 0)
			die("getppid");
	}

	warm = iters / 10 < 1000 ? iters / 10 : 1000;
	if (op == op_forkexec || op == op_forksh)
		path = argc > 3 ? argv[3] : NULL;
	if (op == op_lsdir || op == op_forkwait || op == op_mixed || op == op_forkexec || op == op_forksh)
		warm = 1;
	if (warm < 1)
		warm = 1;
	op(warm);
	__asm__ volatile("addi x0, x0, 1" ::: "memory");	/* plugin: start */
	t0 = now_ns();
	op(iters);
	t1 = now_ns();
	__asm__ volatile("addi x0, x0, 2" ::: "memory");	/* plugin: stop */

	if (op == op_pipe)
		teardown_pipe();
	if (op == op_ctx)
		teardown_ctx();
	printf("bench %s iters=%ld ns_per_op=%lld\n", name, iters,
	       (long long)((t1 - t0) / iters));
	return 0;
}
