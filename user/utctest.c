/*
 * utctest - the kernel's user translation cache (kernel/utc.h) must never
 * hand out a page the address space no longer maps there.  Each check
 * makes the kernel copy to a user page (read of /dev/zero or a pipe), so
 * that the page is the cached one, then changes the mapping and copies
 * again.  Prints "PASS utc-<name>" or "FAIL utc-<name>: expected ..., got
 * ..." per check, then "utctest done".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void check(const char *name, int ok, const char *expected, long got)
{
	if (ok) {
		printf("PASS utc-%s\n", name);
	} else {
		printf("FAIL utc-%s: expected %s, got %ld\n", name, expected, got);
		failures++;
	}
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int zero = open("/dev/zero", O_RDONLY);
	int p[2];
	if (zero < 0 || pipe(p) != 0) {
		printf("FAIL utc-setup: expected /dev/zero and a pipe, got errno %d\n", errno);
		return 1;
	}

	/* unmapped after a copy: the next copy faults */
	char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 'a';
	/* no other copy between the two reads (a printf is one): the page
	 * must still be the cached one when it is gone */
	long r1 = read(zero, a, 1);
	int a0 = a[0];
	munmap(a, pg);
	errno = 0;
	long r = read(zero, a, 1);
	int e = errno;
	check("read-mapped", r1 == 1 && a0 == 0, "1 byte of zero", r1);
	check("read-unmapped", r == -1 && e == EFAULT, "-1 with EFAULT", r == -1 ? -e : r);

	/* made read-only after a copy: a copy to it faults, one from it works */
	char *b = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = read(zero, b, 1);
	mprotect(b, pg, PROT_READ);
	errno = 0;
	r = read(zero, b, 1);
	e = errno;
	check("read-readonly", r == -1 && e == EFAULT, "-1 with EFAULT", r == -1 ? -e : r);
	r = write(p[1], b, 1);
	check("write-from-readonly", r == 1, "1", r);
	char c;
	r = read(p[0], &c, 1);
	munmap(b, pg);

	/* fork after a copy: the parent's page turned copy-on-write; a copy
	 * into it by the parent (no other copy in between) must not reach the
	 * page the child still shares */
	static char buf[64];
	int go[2];
	if (pipe(go) != 0)
		return 1;
	strcpy(buf, "parent");
	write(p[1], "again", 6);	/* queued now: no copy after the cached one */
	fflush(stdout);			/* nothing buffered for the child to print again */
	r = read(zero, buf + 32, 1);	/* cached: buf's page, writable */
	pid_t kid = fork();
	if (kid == 0) {
		char g;
		read(go[0], &g, 1);	/* the parent has written by now */
		_exit(strcmp(buf, "parent") == 0 ? 0 : 3);
	}
	r = read(p[0], buf, 6);
	write(go[1], "g", 1);
	int st = -1;
	waitpid(kid, &st, 0);
	check("fork-parent-copy", r == 6 && strcmp(buf, "again") == 0, "6 bytes \"again\"", r);
	check("fork-child-untouched", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child exit 0 (its buf still \"parent\")", st);

	printf("utctest done\n");
	return failures ? 1 : 0;
}
