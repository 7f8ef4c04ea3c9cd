/*
 * socktest - sockets (docs/SOCKETS.md): AF_UNIX and AF_INET over loopback,
 * through musl's wrappers (and raw calls where a bad pointer must reach the
 * kernel).  Prints PASS/FAIL lines and "N passed, N failed"; exit status 0
 * iff all passed.  Every wait has a deadline (SO_RCVTIMEO, poll timeouts,
 * alarm), so a missing wake-up fails a test instead of hanging the run.
 *
 *   socktest        the tests
 *   socktest bench  round trips and throughput, with pipes beside them
 */
#define _GNU_SOURCE
#include "ut.h"
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

/* A libc call's result as the raw kernel value: -errno on failure. */
#define R(x) ({ long __v = (long)(x); __v < 0 ? -(long)errno : __v; })

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int wait_child(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static struct sockaddr_in loop_addr(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static int bound_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (getsockname(fd, (void *)&sa, &len) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

/* ---- AF_UNIX ---- */

static void test_unix_stream_pair(void)
{
	int sv[2];
	if (!ut_check_ret("unix-socketpair-stream", R(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)), 0))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		set_timeout(sv[1], 5000);
		char buf[64];
		ssize_t n;
		while ((n = read(sv[1], buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				buf[i] ^= 0x20;
			write(sv[1], buf, (size_t)n);
		}
		_exit(n == 0 ? 0 : 1);
	}
	close(sv[1]);
	set_timeout(sv[0], 5000);
	char buf[16] = { 0 };
	write(sv[0], "hello", 5);
	ssize_t n = read(sv[0], buf, sizeof buf);
	UT_CHECK("unix-stream-echo-fork", n == 5 && !memcmp(buf, "HELLO", 5), "read %zd '%s'", n, buf);
	struct stat st;
	UT_CHECK("unix-fstat-sock", fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
	close(sv[0]);
	ut_check_ret("unix-peer-close-eof-child", wait_child(pid), 0);
}

static void test_unix_dgram_pair(void)
{
	int sv[2];
	if (!ut_check_ret("unix-socketpair-dgram", R(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)), 0))
		return;
	set_timeout(sv[1], 2000);
	send(sv[0], "a", 1, 0);
	send(sv[0], "bb", 2, 0);
	send(sv[0], "cccc", 4, 0);
	char buf[8];
	long r1 = R(recv(sv[1], buf, sizeof buf, 0));
	long r2 = R(recv(sv[1], buf, sizeof buf, MSG_PEEK));
	long r3 = R(recv(sv[1], buf, sizeof buf, 0));
	UT_CHECK("unix-dgram-boundaries", r1 == 1 && r2 == 2 && r3 == 2, "got %ld %ld %ld", r1, r2, r3);
	struct msghdr mh = { .msg_iov = &(struct iovec){ buf, 2 }, .msg_iovlen = 1 };
	long r = R(recvmsg(sv[1], &mh, 0));
	UT_CHECK("unix-dgram-msg-trunc", r == 2 && (mh.msg_flags & MSG_TRUNC), "got %ld flags %x", r, mh.msg_flags);
	ut_check_ret("unix-dgram-dontwait-eagain", R(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT)), -EAGAIN);
	pid_t pid = fork();
	if (pid == 0) {
		char b[32];
		ssize_t n = recv(sv[1], b, sizeof b, 0);	/* parks until the parent sends */
		_exit(n == 3 && !memcmp(b, "xyz", 3) ? 0 : 1);
	}
	usleep(50000);
	send(sv[0], "xyz", 3, 0);
	ut_check_ret("unix-dgram-fork-blocking-recv", wait_child(pid), 0);
	close(sv[1]);
	ut_check_ret("unix-dgram-peer-gone-econnrefused", R(send(sv[0], "q", 1, 0)), -ECONNREFUSED);
	close(sv[0]);
}

static void test_unix_seqpacket(void)
{
	int sv[2];
	if (!ut_check_ret("unix-socketpair-seqpacket", R(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)), 0))
		return;
	send(sv[0], "12", 2, 0);
	send(sv[0], "345", 3, 0);
	char buf[8];
	long a = R(recv(sv[1], buf, sizeof buf, 0)), b = R(recv(sv[1], buf, sizeof buf, 0));
	UT_CHECK("unix-seqpacket-records", a == 2 && b == 3, "got %ld %ld", a, b);
	close(sv[0]);
	ut_check_ret("unix-seqpacket-eof", R(recv(sv[1], buf, sizeof buf, 0)), 0);
	close(sv[1]);

	/* through listen/connect/accept too; a stream socket may not connect to it */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, "\0duet-seq", 9);
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 9;
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	bind(l, (void *)&sa, alen);
	listen(l, 1);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-stream-to-seqpacket-eprototype", R(connect(st, (void *)&sa, alen)), -EPROTOTYPE);
	close(st);
	connect(c, (void *)&sa, alen);
	int acc = accept(l, NULL, NULL);
	send(c, "rec1", 4, 0);
	send(c, "r2", 2, 0);
	long x = R(recv(acc, buf, sizeof buf, 0)), y = R(recv(acc, buf, sizeof buf, 0));
	UT_CHECK("unix-seqpacket-accepted-records", x == 4 && y == 2, "got %ld %ld", x, y);
	close(acc), close(c), close(l);
}

/* The first character of `ls -l path`, run through busybox. */
static char ls_type(const char *path)
{
	int p[2];
	if (pipe(p) < 0)
		return '?';
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/bin/ls", "ls", "-l", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char c = '?';
	if (read(p[0], &c, 1) != 1)
		c = '?';
	char sink[256];
	while (read(p[0], sink, sizeof sink) > 0)
		;
	close(p[0]);
	wait_child(pid);
	return c;
}

static void test_unix_path(void)
{
	const char *path = "/tmp/socktest.sock";
	unlink(path);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-bind-path", R(bind(l, (void *)&sa, sizeof sa)), 0);
	struct stat st;
	UT_CHECK("unix-bind-makes-socket-inode", stat(path, &st) == 0 && S_ISSOCK(st.st_mode),
		 "mode %o", st.st_mode);
	char t = ls_type(path);
	UT_CHECK("unix-ls-shows-s", t == 's', "ls -l says '%c'", t);
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-bind-eaddrinuse", R(bind(l2, (void *)&sa, sizeof sa)), -EADDRINUSE);
	close(l2);
	ut_check_ret("unix-open-socket-enxio", R(open(path, O_RDONLY)), -ENXIO);
	int c0 = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-connect-before-listen-econnrefused", R(connect(c0, (void *)&sa, sizeof sa)), -ECONNREFUSED);
	close(c0);
	ut_check_ret("unix-listen", R(listen(l, 4)), 0);
	struct sockaddr_un got;
	socklen_t len = sizeof got;
	getsockname(l, (void *)&got, &len);
	UT_CHECK("unix-getsockname-path", len == 2 + strlen(path) + 1 && !strcmp(got.sun_path, path),
		 "len %u path '%s'", len, got.sun_path);
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		usleep(50000);		/* the parent is parked in accept by now */
		if (connect(c, (void *)&sa, sizeof sa) < 0)
			_exit(2);
		write(c, "ping", 4);
		char b[8];
		set_timeout(c, 5000);
		_exit(read(c, b, sizeof b) == 4 && !memcmp(b, "pong", 4) ? 0 : 3);
	}
	set_timeout(l, 5000);
	int a = accept(l, NULL, NULL);
	UT_CHECK("unix-blocking-accept", a >= 0, "errno %d", errno);
	if (a >= 0) {
		struct ucred cr;
		socklen_t cl = sizeof cr;
		int ok = getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0;
		UT_CHECK("unix-so-peercred", ok && cr.pid == pid && cr.uid == getuid() && cr.gid == getgid(),
			 "pid %d (want %d) uid %u gid %u", cr.pid, pid, cr.uid, cr.gid);
		char b[8];
		set_timeout(a, 5000);
		UT_CHECK("unix-path-stream-data", read(a, b, sizeof b) == 4 && !memcmp(b, "ping", 4), "no ping");
		write(a, "pong", 4);
		close(a);
	}
	ut_check_ret("unix-path-child", wait_child(pid), 0);
	close(l);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-closed-listener-econnrefused", R(connect(c, (void *)&sa, sizeof sa)), -ECONNREFUSED);
	strcpy(sa.sun_path, "/tmp/no-such.sock");
	ut_check_ret("unix-connect-missing-enoent", R(connect(c, (void *)&sa, sizeof sa)), -ENOENT);
	close(c);
	unlink(path);
}

static void test_unix_abstract(void)
{
	static const char name[] = "\0duet-abstract";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, name, sizeof name - 1);
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + sizeof name - 1;
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	ut_check_ret("unix-abstract-bind", R(bind(d, (void *)&sa, alen)), 0);
	int d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	ut_check_ret("unix-abstract-eaddrinuse", R(bind(d2, (void *)&sa, alen)), -EADDRINUSE);
	struct sockaddr_un got;
	socklen_t len = sizeof got;
	getsockname(d, (void *)&got, &len);
	UT_CHECK("unix-abstract-getsockname", len == alen && !memcmp(got.sun_path, name, sizeof name - 1),
		 "len %u", len);
	/* d2 autobinds (family only) so the receiver sees who sent */
	ut_check_ret("unix-autobind", R(bind(d2, (void *)&(struct sockaddr_un){ .sun_family = AF_UNIX },
					 sizeof(sa_family_t))), 0);
	ut_check_ret("unix-abstract-sendto", R(sendto(d2, "abc", 3, 0, (void *)&sa, alen)), 3);
	char buf[8];
	len = sizeof got;
	set_timeout(d, 2000);
	long r = R(recvfrom(d, buf, sizeof buf, 0, (void *)&got, &len));
	UT_CHECK("unix-abstract-recvfrom-autobound-sender", r == 3 && len == 8 && got.sun_path[0] == 0,
		 "r %ld len %u", r, len);
	close(d);
	close(d2);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-abstract-gone-econnrefused", R(connect(s, (void *)&sa, alen)), -ECONNREFUSED);
	close(s);
}

static volatile sig_atomic_t got_sigpipe;
static void on_sigpipe(int sig) { (void)sig; got_sigpipe++; }

static void test_epipe(void)
{
	signal(SIGPIPE, on_sigpipe);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	got_sigpipe = 0;
	ut_check_ret("unix-write-closed-epipe", R(write(sv[0], "x", 1)), -EPIPE);
	UT_CHECK("unix-epipe-raises-sigpipe", got_sigpipe == 1, "SIGPIPE seen %d times", (int)got_sigpipe);
	got_sigpipe = 0;
	ut_check_ret("unix-msg-nosignal-epipe", R(send(sv[0], "x", 1, MSG_NOSIGNAL)), -EPIPE);
	UT_CHECK("unix-msg-nosignal-no-sigpipe", got_sigpipe == 0, "SIGPIPE seen %d times", (int)got_sigpipe);
	struct pollfd p = { sv[0], POLLIN | POLLOUT, 0 };
	poll(&p, 1, 0);
	UT_CHECK("unix-poll-hup-after-peer-close", p.revents & POLLHUP, "revents %x", p.revents);
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	shutdown(sv[0], SHUT_WR);
	char c;
	ut_check_ret("unix-shutdown-wr-peer-eof", R(read(sv[1], &c, 1)), 0);
	ut_check_ret("unix-shutdown-wr-other-way-works", R(write(sv[1], "y", 1)), 1);
	ut_check_ret("unix-shutdown-wr-read-still", R(read(sv[0], &c, 1)), 1);
	ut_check_ret("unix-shutdown-bad-how", R(shutdown(sv[0], 7)), -EINVAL);
	close(sv[0]);
	close(sv[1]);
	signal(SIGPIPE, SIG_DFL);
	/* default action: SIGPIPE kills the writer */
	pid_t pid = fork();
	if (pid == 0) {
		int v[2];
		socketpair(AF_UNIX, SOCK_STREAM, 0, v);
		close(v[1]);
		write(v[0], "x", 1);
		_exit(0);
	}
	ut_check_ret("unix-sigpipe-kills-by-default", wait_child(pid), 128 + SIGPIPE);
}

static void test_scm_rights(void)
{
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr mh = { .msg_iov = &(struct iovec){ "F", 1 }, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	ut_check_ret("unix-scm-rights-send", R(sendmsg(sv[0], &mh, 0)), 1);
	close(p[1]);
	char data, rbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr rh = { .msg_iov = &(struct iovec){ &data, 1 }, .msg_iovlen = 1,
			     .msg_control = rbuf, .msg_controllen = sizeof rbuf };
	long r = R(recvmsg(sv[1], &rh, 0));
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
	int fd = -1;
	if (r == 1 && rc && rc->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(rc), sizeof fd);
	char b[4] = { 0 };
	int ok = fd >= 0 && write(fd, "via", 3) == 3 && read(p[0], b, 3) == 3 && !memcmp(b, "via", 3);
	UT_CHECK("unix-scm-rights-pass-pipe", ok, "r %ld fd %d", r, fd);
	close(fd);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);

	/* SO_PASSCRED: the kernel says who sent each datagram */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int one = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	pid_t pid = fork();
	if (pid == 0) {
		send(sv[0], "c", 1, 0);
		_exit(0);
	}
	wait_child(pid);
	char cb[CMSG_SPACE(sizeof(struct ucred))] = { 0 };
	struct msghdr ch = { .msg_iov = &(struct iovec){ &data, 1 }, .msg_iovlen = 1,
			     .msg_control = cb, .msg_controllen = sizeof cb };
	r = R(recvmsg(sv[1], &ch, 0));
	struct cmsghdr *cc = CMSG_FIRSTHDR(&ch);
	struct ucred uc = { 0 };
	if (r == 1 && cc && cc->cmsg_type == SCM_CREDENTIALS)
		memcpy(&uc, CMSG_DATA(cc), sizeof uc);
	UT_CHECK("unix-so-passcred-scm-credentials", uc.pid == pid && uc.uid == getuid(),
		 "r %ld pid %d want %d", r, uc.pid, pid);
	close(sv[0]);
	close(sv[1]);
}

/* ---- AF_INET loopback ---- */

static void test_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = loop_addr(0);
	ut_check_ret("udp-bind-ephemeral", R(bind(s, (void *)&sa, sizeof sa)), 0);
	int port = bound_port(s);
	UT_CHECK("udp-ephemeral-port", port >= 32768 && port <= 60999, "port %d", port);
	pid_t pid = fork();
	if (pid == 0) {
		char b[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		set_timeout(s, 5000);
		ssize_t n = recvfrom(s, b, sizeof b, 0, (void *)&from, &fl);
		if (n <= 0)
			_exit(1);
		sendto(s, b, (size_t)n, 0, (void *)&from, fl);
		_exit(0);
	}
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	set_timeout(c, 5000);
	sa = loop_addr(port);
	ut_check_ret("udp-sendto", R(sendto(c, "udp!", 4, 0, (void *)&sa, sizeof sa)), 4);
	char b[16] = { 0 };
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	long n = R(recvfrom(c, b, sizeof b, 0, (void *)&from, &fl));
	UT_CHECK("udp-echo-fork", n == 4 && !memcmp(b, "udp!", 4) && ntohs(from.sin_port) == port &&
		 from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "n %ld from port %d", n, ntohs(from.sin_port));
	ut_check_ret("udp-echo-child", wait_child(pid), 0);
	/* connected UDP to a port nobody has: the send goes, the next call is refused */
	int q = socket(AF_INET, SOCK_DGRAM, 0);
	sa = loop_addr(9);
	connect(q, (void *)&sa, sizeof sa);
	long r1 = R(send(q, "x", 1, 0)), r2 = R(recv(q, b, sizeof b, MSG_DONTWAIT));
	UT_CHECK("udp-connected-no-listener-econnrefused", r1 == 1 && r2 == -ECONNREFUSED, "send %ld recv %ld", r1, r2);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	UT_CHECK("udp-getpeername", getpeername(q, (void *)&peer, &pl) == 0 && ntohs(peer.sin_port) == 9,
		 "errno %d", errno);
	ut_check_ret("udp-unconnected-send-edestaddrreq", R(send(c, "x", 1, 0)), -EDESTADDRREQ);
	sa.sin_addr.s_addr = htonl(0x0a000001);
	ut_check_ret("udp-off-loopback-enetunreach", R(sendto(c, "x", 1, 0, (void *)&sa, sizeof sa)), -ENETUNREACH);
	set_timeout(c, 100);
	int64_t t0 = ut_now_ns();
	long r = R(recv(c, b, sizeof b, 0));
	int64_t ms = (ut_now_ns() - t0) / 1000000;
	UT_CHECK("so-rcvtimeo-eagain", r == -EAGAIN && ms >= 90, "r %ld after %lld ms", r, (long long)ms);
	close(q);
	close(c);
	close(s);
}

/* A TCP listener on 127.0.0.1 with an ephemeral port; *port gets it. */
static int tcp_listener(int *port, int backlog)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = loop_addr(0);
	if (bind(l, (void *)&sa, sizeof sa) < 0 || listen(l, backlog) < 0)
		return -1;
	*port = bound_port(l);
	return l;
}

static void test_tcp_echo(void)
{
	int port, l = tcp_listener(&port, 8);
	UT_CHECK("tcp-listen", l >= 0, "errno %d", errno);
	int small = 4096;	/* the accepted end inherits it: the child's writes must park */
	setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	/* more than the 8 KiB window set below, less than the child's own receive buffer */
	enum { TOTAL = 150000 };
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = loop_addr(port);
		if (connect(c, (void *)&sa, sizeof sa) < 0)
			_exit(2);
		int one = 1;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		set_timeout(c, 10000);
		/* more than the peer's window: write parks until the echo drains it */
		static char buf[TOTAL];
		for (int i = 0; i < TOTAL; i++)
			buf[i] = (char)(i * 7);
		if (write(c, buf, TOTAL) != TOTAL)
			_exit(3);
		shutdown(c, SHUT_WR);
		static char back[TOTAL];
		size_t got = 0;
		ssize_t n;
		while ((n = read(c, back + got, TOTAL - got)) > 0)
			got += (size_t)n;
		_exit(got == TOTAL && !memcmp(buf, back, TOTAL) ? 0 : 4);
	}
	set_timeout(l, 10000);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	int a = accept(l, (void *)&peer, &pl);
	UT_CHECK("tcp-accept-peer-addr", a >= 0 && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		 ntohs(peer.sin_port) != port, "a %d errno %d", a, errno);
	int rcv = 0;
	socklen_t ol = sizeof rcv;
	getsockopt(a, SOL_SOCKET, SO_RCVBUF, &rcv, &ol);
	UT_CHECK("tcp-so-rcvbuf-doubled-inherited", rcv == 8192, "SO_RCVBUF %d", rcv);
	set_timeout(a, 10000);
	char buf[5000];
	ssize_t n;
	long total = 0;
	while ((n = read(a, buf, sizeof buf)) > 0) {
		total += n;
		if (write(a, buf, (size_t)n) != n)
			break;
	}
	UT_CHECK("tcp-echo-bytes", total == TOTAL, "echoed %ld of %d", total, TOTAL);
	close(a);
	ut_check_ret("tcp-echo-fork-150k", wait_child(pid), 0);
	close(l);
}

static void test_tcp_nonblock(void)
{
	int port, l = tcp_listener(&port, 1);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	UT_CHECK("tcp-sock-nonblock-cloexec", (fcntl(c, F_GETFL) & O_NONBLOCK) && (fcntl(c, F_GETFD) & FD_CLOEXEC),
		 "flags %x", fcntl(c, F_GETFL));
	struct sockaddr_in sa = loop_addr(port);
	long r = R(connect(c, (void *)&sa, sizeof sa));
	UT_CHECK("tcp-nonblock-connect-einprogress", r == -EINPROGRESS || r == 0, "connect %ld", r);
	struct pollfd p = { c, POLLOUT, 0 };
	ut_check_ret("tcp-nonblock-poll-pollout", R(poll(&p, 1, 5000)), 1);
	int err = -1;
	socklen_t el = sizeof err;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
	ut_check_ret("tcp-so-error-zero", err, 0);
	ut_check_ret("tcp-connect-again-eisconn", R(connect(c, (void *)&sa, sizeof sa)), -EISCONN);
	char b[8];
	ut_check_ret("tcp-nonblock-read-eagain", R(read(c, b, sizeof b)), -EAGAIN);
	/* the listener polls readable, accept4 gives a nonblocking, close-on-exec end */
	struct pollfd lp = { l, POLLIN, 0 };
	ut_check_ret("tcp-listener-poll-pollin", R(poll(&lp, 1, 5000)), 1);
	int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	UT_CHECK("tcp-accept4-flags", a >= 0 && (fcntl(a, F_GETFL) & O_NONBLOCK) && (fcntl(a, F_GETFD) & FD_CLOEXEC),
		 "a %d errno %d", a, errno);
	fcntl(l, F_SETFL, O_NONBLOCK);
	ut_check_ret("tcp-accept-empty-eagain", R(accept(l, NULL, NULL)), -EAGAIN);
	write(c, "peekme", 6);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(a, &rs);
	struct timeval tv = { 5, 0 };
	ut_check_ret("tcp-select-readable", R(select(a + 1, &rs, NULL, NULL, &tv)), 1);
	long p1 = R(recv(a, b, 4, MSG_PEEK)), p2 = R(recv(a, b, sizeof b, 0));
	UT_CHECK("tcp-msg-peek", p1 == 4 && p2 == 6 && !memcmp(b, "peekme", 6), "peek %ld read %ld", p1, p2);
	struct sockaddr_in me, them;
	socklen_t ml = sizeof me, tl = sizeof them;
	getsockname(a, (void *)&me, &ml);
	getpeername(c, (void *)&them, &tl);
	UT_CHECK("tcp-getsockname-getpeername", ntohs(me.sin_port) == port && ntohs(them.sin_port) == port,
		 "%d %d want %d", ntohs(me.sin_port), ntohs(them.sin_port), port);
	/* peer closed: EOF, then (after the one write the reset answers) EPIPE */
	close(a);
	ut_check_ret("tcp-peer-close-eof", R(read(c, b, sizeof b)), 0);
	send(c, "x", 1, MSG_NOSIGNAL);
	ut_check_ret("tcp-write-after-reset-epipe", R(send(c, "x", 1, MSG_NOSIGNAL)), -EPIPE);
	close(c);
	close(l);
}

static void test_tcp_errors(void)
{
	int port, l = tcp_listener(&port, 4);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = loop_addr(port);
	ut_check_ret("tcp-bind-eaddrinuse", R(bind(s, (void *)&sa, sizeof sa)), -EADDRINUSE);
	close(s);
	close(l);
	s = socket(AF_INET, SOCK_STREAM, 0);
	ut_check_ret("tcp-connect-no-listener-econnrefused", R(connect(s, (void *)&sa, sizeof sa)), -ECONNREFUSED);
	close(s);
	int one = 1, x = socket(AF_INET, SOCK_STREAM, 0), y = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(y, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa = loop_addr(0);
	bind(x, (void *)&sa, sizeof sa);
	sa = loop_addr(bound_port(x));
	ut_check_ret("tcp-so-reuseaddr-shares", R(bind(y, (void *)&sa, sizeof sa)), 0);
	close(x);
	close(y);
	s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(0x0a000001);
	ut_check_ret("tcp-bind-foreign-eaddrnotavail", R(bind(s, (void *)&sa, sizeof sa)), -EADDRNOTAVAIL);
	char b;
	ut_check_ret("tcp-recv-unconnected-enotconn", R(recv(s, &b, 1, 0)), -ENOTCONN);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	ut_check_ret("tcp-getpeername-enotconn", R(getpeername(s, (void *)&peer, &pl)), -ENOTCONN);
	int v = 0;
	socklen_t vl = sizeof v;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl);
	ut_check_ret("so-type", v, SOCK_STREAM);
	ut_check_ret("getsockopt-unknown-enoprotoopt", R(getsockopt(s, SOL_SOCKET, 9999, &v, &vl)), -ENOPROTOOPT);
	ut_check_ret("tcp-nodelay-accepted", R(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)), 0);
	close(s);
	/* backlog: a blocking connect parks until accept makes room */
	l = tcp_listener(&port, 0);
	sa = loop_addr(port);
	int c1 = socket(AF_INET, SOCK_STREAM, 0);
	connect(c1, (void *)&sa, sizeof sa);	/* backlog 0 holds one */
	pid_t pid = fork();
	if (pid == 0) {
		int c2 = socket(AF_INET, SOCK_STREAM, 0);
		set_timeout(c2, 10000);
		_exit(connect(c2, (void *)&sa, sizeof sa) == 0 ? 0 : 1);
	}
	usleep(100000);
	int w1 = accept(l, NULL, NULL);
	set_timeout(l, 10000);
	int w2 = accept(l, NULL, NULL);
	UT_CHECK("tcp-backlog-connect-waits-for-accept", w1 >= 0 && w2 >= 0, "accepts %d %d", w1, w2);
	ut_check_ret("tcp-backlog-child", wait_child(pid), 0);
	close(w1);
	close(w2);
	close(c1);
	close(l);
}

/* A nonblocking connect to a full backlog is in progress until accept makes room. */
static void test_tcp_connect_in_progress(void)
{
	int port, l = tcp_listener(&port, 0);
	struct sockaddr_in sa = loop_addr(port);
	int c1 = socket(AF_INET, SOCK_STREAM, 0);
	connect(c1, (void *)&sa, sizeof sa);	/* backlog 0 holds this one */
	int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ut_check_ret("tcp-full-backlog-nonblock-einprogress", R(connect(c2, (void *)&sa, sizeof sa)), -EINPROGRESS);
	struct pollfd p = { c2, POLLOUT, 0 };
	ut_check_ret("tcp-in-progress-not-writable", R(poll(&p, 1, 0)), 0);
	ut_check_ret("tcp-in-progress-connect-ealready", R(connect(c2, (void *)&sa, sizeof sa)), -EALREADY);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	ut_check_ret("tcp-in-progress-getpeername-enotconn", R(getpeername(c2, (void *)&peer, &pl)), -ENOTCONN);
	int w1 = accept(l, NULL, NULL);
	p.revents = 0;
	ut_check_ret("tcp-in-progress-completes-on-accept", R(poll(&p, 1, 5000)), 1);
	int err = -1;
	socklen_t el = sizeof err;
	getsockopt(c2, SOL_SOCKET, SO_ERROR, &err, &el);
	int w2 = accept(l, NULL, NULL);
	UT_CHECK("tcp-in-progress-connected", err == 0 && w2 >= 0 && write(c2, "k", 1) == 1,
		 "SO_ERROR %d, accept %d", err, w2);
	/* a connect still in progress when the listener closes is refused */
	int c3 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), c4 = socket(AF_INET, SOCK_STREAM, 0);
	connect(c4, (void *)&sa, sizeof sa);	/* fills the backlog again */
	long r = R(connect(c3, (void *)&sa, sizeof sa));
	close(l);
	err = -1;
	getsockopt(c3, SOL_SOCKET, SO_ERROR, &err, &el);
	UT_CHECK("tcp-in-progress-refused-when-listener-closes", r == -EINPROGRESS && err == ECONNREFUSED,
		 "connect %ld SO_ERROR %d", r, err);
	close(c1), close(c2), close(c3), close(c4), close(w1), close(w2);
}

/* A connection the listener never accepted is reset when the listener closes. */
static void test_unaccepted_reset(void)
{
	int port, l = tcp_listener(&port, 4);
	struct sockaddr_in sa = loop_addr(port);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void *)&sa, sizeof sa);
	close(l);
	char b;
	set_timeout(c, 2000);
	ut_check_ret("tcp-unaccepted-then-listener-closed-econnreset", R(read(c, &b, 1)), -ECONNRESET);
	close(c);
	/* a datagram socket connected elsewhere takes nothing from strangers */
	int sv[2], x = socket(AF_UNIX, SOCK_DGRAM, 0);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	memcpy(un.sun_path, "\0duet-eperm", 11);
	socklen_t ul = offsetof(struct sockaddr_un, sun_path) + 11;
	bind(sv[0], (void *)&un, ul);
	ut_check_ret("unix-dgram-connected-elsewhere-eperm", R(sendto(x, "s", 1, 0, (void *)&un, ul)), -EPERM);
	close(x);
	close(sv[0]);
	close(sv[1]);
	/* SO_RCVTIMEO bounds accept too */
	l = tcp_listener(&port, 1);
	set_timeout(l, 100);
	ut_check_ret("tcp-accept-timeout-eagain", R(accept(l, NULL, NULL)), -EAGAIN);
	close(l);
}

/* ---- bad input ---- */

static void test_bad_input(void)
{
	ut_check_ret("bad-fd-ebadf", SYS3(SYS_bind, 999, 0, 0), -EBADF);
	int f = open("/tmp/socktest.reg", O_CREAT | O_RDWR, 0600);
	ut_check_ret("regular-file-enotsock", SYS2(SYS_listen, f, 1), -ENOTSOCK);
	close(f);
	unlink("/tmp/socktest.reg");
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	ut_check_ret("bind-bad-pointer-efault", SYS3(SYS_bind, s, 16, 16), -EFAULT);
	struct sockaddr_in sa = loop_addr(0);
	ut_check_ret("bind-len-too-big-einval", SYS3(SYS_bind, s, &sa, 129), -EINVAL);
	ut_check_ret("bind-len-negative-einval", SYS3(SYS_bind, s, &sa, -1), -EINVAL);
	ut_check_ret("bind-len-short-einval", SYS3(SYS_bind, s, &sa, 4), -EINVAL);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	ut_check_ret("bind-wrong-family-eafnosupport", SYS3(SYS_bind, s, &un, sizeof sa), -EAFNOSUPPORT);
	bind(s, (void *)&sa, sizeof sa);
	socklen_t len = sizeof sa;
	ut_check_ret("getsockname-bad-len-pointer-efault", SYS3(SYS_getsockname, s, &sa, 8), -EFAULT);
	len = (socklen_t)-1;
	ut_check_ret("getsockname-negative-len-einval", SYS3(SYS_getsockname, s, &sa, &len), -EINVAL);
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	sa = loop_addr(bound_port(s));
	sendto(c, "z", 1, 0, (void *)&sa, sizeof sa);
	ut_check_ret("recv-bad-buffer-efault", SYS6(SYS_recvfrom, s, 16, 1, 0, 0, 0), -EFAULT);
	ut_check_ret("sendto-bad-buffer-efault", SYS6(SYS_sendto, c, 16, 1, 0, &sa, sizeof sa), -EFAULT);
	ut_check_ret("setsockopt-short-einval", SYS5(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &len, 2), -EINVAL);
	ut_check_ret("setsockopt-bad-pointer-efault", SYS5(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, 16, 4), -EFAULT);
	ut_check_ret("sendmsg-bad-msghdr-efault", SYS3(SYS_sendmsg, c, 16, 0), -EFAULT);
	struct msghdr big = { .msg_name = &sa, .msg_namelen = sizeof sa,
			      .msg_iov = &(struct iovec){ "x", 1 }, .msg_iovlen = 1025 };
	ut_check_ret("sendmsg-1025-iovecs-emsgsize", SYS3(SYS_sendmsg, c, &big, 0), -EMSGSIZE);
	ut_check_ret("accept-on-dgram-eopnotsupp", SYS3(SYS_accept, s, 0, 0), -EOPNOTSUPP);
	ut_check_ret("listen-on-dgram-eopnotsupp", SYS2(SYS_listen, s, 1), -EOPNOTSUPP);
	close(c);
	close(s);
	ut_check_ret("socket-inet6-eafnosupport", SYS3(SYS_socket, AF_INET6, SOCK_STREAM, 0), -EAFNOSUPPORT);
	ut_check_ret("socket-bad-family-eafnosupport", SYS3(SYS_socket, 45, SOCK_STREAM, 0), -EAFNOSUPPORT);
	ut_check_ret("socket-bad-type-einval", SYS3(SYS_socket, AF_INET, 77, 0), -EINVAL);
	ut_check_ret("socket-bad-flags-einval", SYS3(SYS_socket, AF_INET, SOCK_STREAM | 0x100000, 0), -EINVAL);
	ut_check_ret("socket-bad-proto-eprotonosupport", SYS3(SYS_socket, AF_INET, SOCK_STREAM, 17), -EPROTONOSUPPORT);
	int sv[2];
	ut_check_ret("socketpair-inet-eopnotsupp", SYS4(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv), -EOPNOTSUPP);
	ut_check_ret("socketpair-bad-pointer-efault", SYS4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 16), -EFAULT);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	ut_check_ret("unix-listen-unbound-einval", SYS2(SYS_listen, u, 1), -EINVAL);
	ut_check_ret("unix-accept-not-listening-einval", SYS3(SYS_accept, u, 0, 0), -EINVAL);
	close(u);
	/* nothing leaked: the next socket gets the lowest free fd again */
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
	close(b);
	int again = socket(AF_INET, SOCK_STREAM, 0);
	UT_CHECK("fds-reused", again == b, "got %d want %d", again, b);
	close(a);
	close(again);
}

/* ---- lifetime ---- */

static void *blocked_reader(void *arg)
{
	char c;
	return (void *)(long)read(*(int *)arg, &c, 1);
}

/* A thread parked in read while another closes the fd: no crash, and the read ends. */
static void test_close_while_blocked(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pthread_t t;
	pthread_create(&t, NULL, blocked_reader, &sv[0]);
	usleep(50000);
	close(sv[0]);
	close(sv[1]);		/* on Linux the reader sees the peer's EOF */
	void *r;
	pthread_join(t, &r);
	UT_CHECK("close-while-blocked-reader", (long)r == 0 || (long)r == -1, "read returned %ld", (long)r);
}

static void *blocked_acceptor(void *arg)
{
	accept(*(int *)arg, NULL, NULL);
	return NULL;
}

/* accept is a cancellation point: pthread_cancel ends a thread parked in it. */
static void test_cancel_in_accept(void)
{
	int port, l = tcp_listener(&port, 1);
	pthread_t t;
	pthread_create(&t, NULL, blocked_acceptor, &l);
	usleep(50000);
	pthread_cancel(t);
	void *r = NULL;
	pthread_join(t, &r);
	UT_CHECK("pthread-cancel-in-accept", r == PTHREAD_CANCELED, "join gave %p", r);
	close(l);
}

static long mem_free_kb(void)
{
	char buf[512];
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strstr(buf, "MemFree:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

/* One of everything, each closed with data, files or connections still queued. */
static void churn(void)
{
	int sv[2], p[2], port;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	pipe(p);
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr mh = { .msg_iov = &(struct iovec){ "F", 1 }, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
	sendmsg(sv[0], &mh, 0);		/* a pipe in flight when both ends close */
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	int l = tcp_listener(&port, 4);
	struct sockaddr_in sa = loop_addr(port);
	int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0);
	connect(c1, (void *)&sa, sizeof sa);
	connect(c2, (void *)&sa, sizeof sa);
	int a = accept(l, NULL, NULL);
	write(c1, "data", 4);
	write(a, "back", 4);
	close(a);
	close(l);		/* c2's connection was never accepted */
	close(c1);
	close(c2);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	sa = loop_addr(0);
	bind(u, (void *)&sa, sizeof sa);
	sa = loop_addr(bound_port(u));
	sendto(u, "self", 4, 0, (void *)&sa, sizeof sa);
	close(u);
}

static void test_no_leak(void)
{
	churn();
	long before = mem_free_kb();
	for (int i = 0; i < 200; i++)
		churn();
	long after = mem_free_kb();
	/* 200 rounds of ~10 sockets: a leak of even one socket a round is > 80 KiB */
	UT_CHECK("no-leak-200-rounds", before > 0 && before - after < 64, "MemFree %ld -> %ld kB", before, after);
}

/* ---- socktest bench: round trips and throughput (docs/SOCKETS.md) ---- */

/* 1-byte ping-pong between a parent and a child over fds (a, b): microseconds per round trip. */
static double pingpong(int a, int b, int rounds)
{
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		for (int i = 0; i < rounds; i++)
			if (read(b, &c, 1) != 1 || write(b, &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	char c = 'p';
	int64_t t0 = ut_now_ns();
	for (int i = 0; i < rounds; i++)
		if (write(a, &c, 1) != 1 || read(a, &c, 1) != 1)
			break;
	int64_t t1 = ut_now_ns();
	wait_child(pid);
	return (double)(t1 - t0) / rounds / 1000.0;
}

/* bytes from a child writing to b, read at a: MB/s */
static double stream_rate(int a, int b, size_t total)
{
	static char buf[65536];
	pid_t pid = fork();
	if (pid == 0) {
		for (size_t done = 0; done < total; done += sizeof buf)
			if (write(b, buf, sizeof buf) != (ssize_t)sizeof buf)
				_exit(1);
		_exit(0);
	}
	int64_t t0 = ut_now_ns();
	size_t got = 0;
	ssize_t n;
	while (got < total && (n = read(a, buf, sizeof buf)) > 0)
		got += (size_t)n;
	int64_t t1 = ut_now_ns();
	wait_child(pid);
	return (double)got / ((double)(t1 - t0) / 1e9) / 1e6;
}

static void tcp_pair(int fds[2])
{
	int port, l = tcp_listener(&port, 1);
	struct sockaddr_in sa = loop_addr(port);
	fds[1] = socket(AF_INET, SOCK_STREAM, 0);
	connect(fds[1], (void *)&sa, sizeof sa);
	fds[0] = accept(l, NULL, NULL);
	close(l);
}

static void udp_pair(int fds[2])
{
	struct sockaddr_in sa = loop_addr(0);
	for (int i = 0; i < 2; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		bind(fds[i], (void *)&sa, sizeof sa);
	}
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in peer = loop_addr(bound_port(fds[1 - i]));
		connect(fds[i], (void *)&peer, sizeof peer);
	}
}

static int bench(void)
{
	enum { ROUNDS = 2000 };
	size_t total = 8u << 20;
	int p[2], q[2], fds[2];
	pipe(p);
	pipe(q);
	/* pipes need two: the parent writes p, reads q */
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		for (int i = 0; i < ROUNDS; i++)
			if (read(p[0], &c, 1) != 1 || write(q[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	char c = 'p';
	int64_t t0 = ut_now_ns();
	for (int i = 0; i < ROUNDS; i++)
		if (write(p[1], &c, 1) != 1 || read(q[0], &c, 1) != 1)
			break;
	printf("BENCH pipe round trip: %.1f us\n", (double)(ut_now_ns() - t0) / ROUNDS / 1000.0);
	wait_child(pid);
	socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
	printf("BENCH unix stream round trip: %.1f us\n", pingpong(fds[0], fds[1], ROUNDS));
	printf("BENCH unix stream throughput: %.1f MB/s\n", stream_rate(fds[0], fds[1], total));
	close(fds[0]), close(fds[1]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, fds);
	printf("BENCH unix dgram round trip: %.1f us\n", pingpong(fds[0], fds[1], ROUNDS));
	close(fds[0]), close(fds[1]);
	tcp_pair(fds);
	printf("BENCH tcp loopback round trip: %.1f us\n", pingpong(fds[0], fds[1], ROUNDS));
	printf("BENCH tcp loopback throughput: %.1f MB/s\n", stream_rate(fds[0], fds[1], total));
	close(fds[0]), close(fds[1]);
	udp_pair(fds);
	printf("BENCH udp loopback round trip: %.1f us\n", pingpong(fds[0], fds[1], ROUNDS));
	close(fds[0]), close(fds[1]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "bench"))
		return bench();
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(100);		/* a lost wake-up fails the run instead of hanging it */
	test_unix_stream_pair();
	test_unix_dgram_pair();
	test_unix_seqpacket();
	test_unix_path();
	test_unix_abstract();
	test_epipe();
	test_scm_rights();
	test_udp();
	test_tcp_echo();
	test_tcp_nonblock();
	test_tcp_errors();
	test_unaccepted_reset();
	test_tcp_connect_in_progress();
	test_bad_input();
	test_close_while_blocked();
	test_cancel_in_accept();
	test_no_leak();
	return ut_summary();
}
