/*
 * lmbregress - what lmbench's programs did that duet got wrong, each
 * reproduced in a few lines (tests/qemu/lmbench_regress.sh; lmbench itself
 * is not in the repository, docs/BENCHMARKS.md).
 *
 *   select-100-fds   lat_select -n 100 file: raise RLIMIT_NOFILE's soft
 *                    limit to the hard one (lmbench's morefds), dup one
 *                    file 100 times, select() on them; the fd table had 64
 *                    slots, so the dups failed and the benchmark exited 1
 *   cloexec-high-fd  FD_CLOEXEC on fds above 63 (the flag was one 64-bit word)
 *
 * Prints PASS/FAIL lines and "N passed, N failed"; exits 0 when all pass.
 */
#include "ut.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#define NDUP 100

static void select_100_fds(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) != 0) {
		ut_fail("rlimit-nofile", "getrlimit: errno %d", errno);
		return;
	}
	/* Linux's default soft limit: what lmbench (and most programs) assume */
	if (r.rlim_cur >= 1024)
		ut_pass("rlimit-nofile-1024");
	else
		ut_fail("rlimit-nofile-1024", "expected a soft limit >= 1024, got %lu",
			(unsigned long)r.rlim_cur);
	r.rlim_cur = r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);

	int fid = open("/tmp/lmbregress.f", O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fid < 0) {
		ut_fail("select-100-fds", "open: errno %d", errno);
		return;
	}
	fd_set set;
	FD_ZERO(&set);
	int n, max = 0;
	for (n = 0; n < NDUP; n++) {
		int fd = dup(fid);
		if (fd < 0)
			break;
		FD_SET(fd, &set);
		if (fd > max)
			max = fd;
	}
	if (n == NDUP)
		ut_pass("dup-100");
	else
		ut_fail("dup-100", "expected %d dups, got %d (errno %d)", NDUP, n, errno);

	/* lat_select's loop: a zero timeout, every fd writable */
	fd_set w = set;
	struct timeval tv = { 0, 0 };
	int ready = select(max + 1, NULL, &w, NULL, &tv);
	if (n == NDUP && ready == NDUP && FD_ISSET(max, &w))
		ut_pass("select-100-fds");
	else
		ut_fail("select-100-fds", "expected %d writable fds, got %d (errno %d)", NDUP, ready, errno);

	/* FD_CLOEXEC on a high fd, kept apart from its neighbours */
	int hi = max;
	fcntl(hi, F_SETFD, FD_CLOEXEC);
	if (fcntl(hi, F_GETFD) == FD_CLOEXEC && fcntl(hi - 1, F_GETFD) == 0 &&
	    fcntl(hi % 64, F_GETFD) == 0)
		ut_pass("cloexec-high-fd");
	else
		ut_fail("cloexec-high-fd", "F_GETFD fd %d = %d, fd %d = %d, fd %d = %d", hi,
			fcntl(hi, F_GETFD), hi - 1, fcntl(hi - 1, F_GETFD), hi % 64,
			fcntl(hi % 64, F_GETFD));

	/* exec closes it and keeps the neighbour: a child execs a shell that lists its fds */
	char cmd[128];
	snprintf(cmd, sizeof cmd, "ls /proc/$$/fd >/tmp/lmbregress.fds; "
		 "grep -qx %d /tmp/lmbregress.fds && ! grep -qx %d /tmp/lmbregress.fds", hi - 1, hi);
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)0);
		_exit(127);
	}
	int st = 0;
	waitpid(p, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		ut_pass("cloexec-high-fd-exec");
	else
		ut_fail("cloexec-high-fd-exec", "expected fd %d closed and fd %d open after exec, status %x",
			hi, hi - 1, st);
	for (int fd = 0; fd <= max; fd++)
		if (FD_ISSET(fd, &set))
			close(fd);
	close(fid);
	unlink("/tmp/lmbregress.f");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	select_100_fds();
	printf("%d passed, %d failed\n", ut_npass, ut_nfail);
	return ut_nfail ? 1 : 0;
}
