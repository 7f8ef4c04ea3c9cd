/*
 * The generic socket layer (kernel/net/socket.h): a socket's life, the file
 * that carries it, waiting with SO_RCVTIMEO/SO_SNDTIMEO, and the options
 * every family shares.  Syscall cpu only.
 */
#include "kernel/net/socket.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/cred.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/pollwait.h"
#include "kernel/signal.h"
#include "kernel/timer.h"
#include "kernel/uvm.h"
#include "syscall/sys.h"
#include <string.h>

struct socket *sock_new(const struct sock_family *fam, int type, int proto)
{
	struct socket *s = kzalloc(sizeof *s);
	if (!s)
		return NULL;
	s->family = fam->family;
	s->fam = fam;
	s->type = type;
	s->proto = proto;
	s->refs = 1;
	s->rcvbuf = s->sndbuf = SOCK_BUF_DEFAULT;
	waitq_init(&s->wq);
	return s;
}

void sock_get(struct socket *s) { s->refs++; }

void sock_put(struct socket *s)
{
	if (--s->refs > 0)
		return;
	sock_purge(s);
	kfree(s);
}

void sock_wake(struct socket *s)
{
	waitq_wake_all(&s->wq);
	poll_notify();
}

/*
 * The file (or accept queue) is done with s: connections not yet accepted
 * are reset, the name is released, the peer learns we are gone, and the
 * owner's reference is dropped.
 */
void sock_close(struct socket *s)
{
	s->closed = 1;
	sock_connect_abort(s, 0);
	while (s->pend_head)
		sock_connect_abort(s->pend_head, 1);	/* the listener goes: refused */
	for (struct socket *n; (n = s->acc_head) != NULL; ) {
		s->acc_head = n->acc_next;
		s->nacc--;
		if (n->peer)
			n->peer->error = ECONNRESET;	/* Linux resets a connection never accepted */
		sock_close(n);
	}
	s->state = SS_UNCONNECTED;
	if (s->fam->unbind)
		s->fam->unbind(s);
	struct socket *p = s->peer;
	if (p) {
		if (p->peer == s) {
			/* a connection: the peer reads EOF (or a reset if we left data unread) */
			if (sock_connection(s)) {
				p->eof = 1;
				if (s->rq_head)
					p->error = ECONNRESET;
			}
			p->peer_closed = 1;	/* datagrams: its next send says ECONNREFUSED */
			p->peer = NULL;
			sock_put(s);
		}
		s->peer = NULL;
		sock_wake(p);
		sock_put(p);
	}
	sock_purge(s);
	sock_wake(s);
	sock_put(s);
}

int sock_wait(struct socket *q, int (*cond)(void *), void *arg, int nonblock, uint64_t timeo_ns)
{
	if (cond(arg))
		return 0;
	if (nonblock)
		return -EAGAIN;
	/* one tick more: ns_to_ticks rounds down, and a timeout must not end early */
	uint64_t deadline = timeo_ns ? time_now() + ns_to_ticks(timeo_ns) + 1 : WAIT_FOREVER;
	int r = wait_event_deadline(&q->wq, cond, arg, deadline);
	return r == -ETIMEDOUT ? -EAGAIN : r;
}

struct ucred_k sock_cred_now(void)
{
	struct cred *c = cred_current();
	return (struct ucred_k){ curproc()->pid, c->euid, c->egid };
}

/* EPIPE on a connection also raises SIGPIPE at the calling thread, unless MSG_NOSIGNAL. */
void sock_sigpipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		signal_send_thread(curtask(), SIGPIPE, NULL);
}

/* ---- the file ---- */

/*
 * read/write hold a reference across the call, as the socket calls do: a
 * close by another thread while we are parked must not free the socket.
 */
static long sockf_rw(struct file *f, uint64_t ubuf, size_t n, int write)
{
	struct socket *s = f->priv;
	struct iovec_k iov = { ubuf, n };
	struct msg_k m = { .uio = { &iov, 1, 0, 0, n } };
	int nonblock = f->flags & O_NONBLOCK;
	sock_get(s);
	long r = write ? sock_send(s, &m, 0, nonblock) : sock_recv(s, &m, 0, nonblock);
	if (m.fds) {
		for (int i = 0; i < m.nfds; i++)
			file_put(m.fds[i]);	/* files sent to a plain read are closed, as Linux does */
		kfree(m.fds);
	}
	sock_put(s);
	return r;
}

static long sockf_read(struct file *f, uint64_t ubuf, size_t n) { return sockf_rw(f, ubuf, n, 0); }
static long sockf_write(struct file *f, uint64_t ubuf, size_t n) { return sockf_rw(f, ubuf, n, 1); }

#define FIONREAD 0x541b
#define FIONBIO  0x5421

static long sockf_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	int v;
	switch (cmd) {
	case FIONREAD:
		v = (int)sock_nread(f->priv);
		return copy_to_user(curmm(), arg, &v, sizeof v) ? -EFAULT : 0;
	case FIONBIO:
		if (copy_from_user(curmm(), &v, arg, sizeof v))
			return -EFAULT;
		f->flags = v ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	default:
		return -ENOTTY;
	}
}

static void sockf_release(struct file *f)
{
	struct socket *s = f->priv;
	s->file = NULL;
	sock_close(s);
}

static int sockf_poll(struct file *f) { return sock_poll(f->priv); }

static const struct file_ops sock_file_ops = {
	.read = sockf_read, .write = sockf_write, .ioctl = sockf_ioctl,
	.release = sockf_release, .poll = sockf_poll,
};

int sock_make_file(struct socket *s, int flags, struct file **out)
{
	struct file *f = file_alloc(&sock_file_ops, NULL, O_RDWR | (flags & O_NONBLOCK));
	if (!f)
		return -ENOMEM;
	f->priv = s;
	s->file = f;
	*out = f;
	return 0;
}

struct socket *sock_of_file(struct file *f)
{
	return f && f->ops == &sock_file_ops ? f->priv : NULL;
}

/* ---- options ---- */

#define SOL_SOCKET   1
#define IPPROTO_IP   0
#define IPPROTO_TCP  6
#define SO_DEBUG     1
#define SO_REUSEADDR 2
#define SO_TYPE      3
#define SO_ERROR     4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF    7
#define SO_RCVBUF    8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER    13
#define SO_REUSEPORT 15
#define SO_PASSCRED  16
#define SO_PEERCRED  17
#define SO_RCVLOWAT  18
#define SO_SNDLOWAT  19
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL  38
#define SO_DOMAIN    39
#define SO_RCVTIMEO_NEW 66	/* the same 64-bit timeval on riscv64 */
#define SO_SNDTIMEO_NEW 67
#define TCP_NODELAY  1
#define TCP_MAXSEG   2
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT  6
#define IP_TOS       1
#define IP_TTL       2

struct timeval_k { int64_t sec, usec; };

static int set_timeo(uint64_t *ns, uint64_t uval, uint32_t len)
{
	struct timeval_k tv;
	if (len < sizeof tv)
		return -EINVAL;
	if (copy_from_user(curmm(), &tv, uval, sizeof tv))
		return -EFAULT;
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		*ns = 1;	/* Linux: a negative time means "do not wait" (0 is "forever") */
		return 0;
	}
	if (tv.sec > 100L * 365 * 24 * 3600)
		tv.sec = 0, tv.usec = 0;	/* longer than anyone waits: forever */
	*ns = (uint64_t)tv.sec * 1000000000UL + (uint64_t)tv.usec * 1000UL;
	return 0;
}

/* Linux doubles a buffer size asked for (bookkeeping room) within [min, 2 * max]. */
static int buf_size(int v)
{
	if (v < 0 || v > SOCK_BUF_MAX)
		v = v < 0 ? 0 : SOCK_BUF_MAX;
	v *= 2;
	return v < SOCK_BUF_MIN ? SOCK_BUF_MIN : v;
}

int sock_setsockopt(struct socket *s, int level, int name, uint64_t uval, uint32_t len)
{
	int v = 0;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW))
		return set_timeo(&s->rcvtimeo_ns, uval, len);
	if (level == SOL_SOCKET && (name == SO_SNDTIMEO_OLD || name == SO_SNDTIMEO_NEW))
		return set_timeo(&s->sndtimeo_ns, uval, len);
	if (len < sizeof v)
		return -EINVAL;
	if (copy_from_user(curmm(), &v, uval, sizeof v))
		return -EFAULT;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR: case SO_REUSEPORT: s->reuseaddr = !!v; return 0;
		case SO_KEEPALIVE: s->keepalive = !!v; return 0;
		case SO_BROADCAST: s->broadcast = !!v; return 0;
		case SO_PASSCRED: s->passcred = !!v; return 0;
		case SO_RCVBUF: case SO_RCVBUFFORCE: s->rcvbuf = buf_size(v); sock_wake(s); return 0;
		case SO_SNDBUF: case SO_SNDBUFFORCE: s->sndbuf = buf_size(v); return 0;
		case SO_LINGER: {
			struct { int32_t onoff, sec; } l;
			if (len < sizeof l)
				return -EINVAL;
			if (copy_from_user(curmm(), &l, uval, sizeof l))
				return -EFAULT;
			s->linger_on = !!l.onoff;
			s->linger_sec = l.sec;
			return 0;
		}
		case SO_DEBUG: case SO_DONTROUTE: case SO_OOBINLINE: case SO_RCVLOWAT: case SO_SNDLOWAT:
			return 0;	/* accepted; nothing on loopback depends on them */
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_TCP && s->family == AF_INET && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY: s->nodelay = !!v; return 0;
		case TCP_MAXSEG: case TCP_KEEPIDLE: case TCP_KEEPINTVL: case TCP_KEEPCNT:
			return v < 1 ? -EINVAL : 0;
		default: return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_IP && s->family == AF_INET && (name == IP_TOS || name == IP_TTL))
		return 0;
	return -ENOPROTOOPT;
}

/* Copy val (size bytes) out, truncated to the user's length, which then says how much. */
static int put_opt(uint64_t uval, uint64_t ulen, const void *val, uint32_t size)
{
	int32_t len;
	if (copy_from_user(curmm(), &len, ulen, sizeof len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if ((uint32_t)len > size)
		len = (int32_t)size;
	if (copy_to_user(curmm(), uval, val, (size_t)len) ||
	    copy_to_user(curmm(), ulen, &len, sizeof len))
		return -EFAULT;
	return 0;
}

int sock_getsockopt(struct socket *s, int level, int name, uint64_t uval, uint64_t ulen)
{
	int v;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW: case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW: {
			uint64_t ns = (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW) ?
				      s->rcvtimeo_ns : s->sndtimeo_ns;
			struct timeval_k tv = { (int64_t)(ns / 1000000000UL), (int64_t)(ns % 1000000000UL / 1000) };
			return put_opt(uval, ulen, &tv, sizeof tv);
		}
		case SO_PEERCRED: {
			struct ucred_k c = s->has_peercred ? s->peercred : (struct ucred_k){ 0, 65534, 65534 };
			if (s->family != AF_UNIX)
				c = (struct ucred_k){ 0, 65534, 65534 };
			return put_opt(uval, ulen, &c, sizeof c);
		}
		case SO_LINGER: {
			struct { int32_t onoff, sec; } l = { s->linger_on, s->linger_sec };
			return put_opt(uval, ulen, &l, sizeof l);
		}
		case SO_ERROR: v = s->error; s->error = 0; break;
		case SO_TYPE: v = s->type; break;
		case SO_PROTOCOL: v = s->proto; break;
		case SO_DOMAIN: v = s->family; break;
		case SO_ACCEPTCONN: v = s->state == SS_LISTENING; break;
		case SO_REUSEADDR: case SO_REUSEPORT: v = s->reuseaddr; break;
		case SO_KEEPALIVE: v = s->keepalive; break;
		case SO_BROADCAST: v = s->broadcast; break;
		case SO_PASSCRED: v = s->passcred; break;
		case SO_RCVBUF: v = s->rcvbuf; break;
		case SO_SNDBUF: v = s->sndbuf; break;
		case SO_RCVLOWAT: case SO_SNDLOWAT: v = 1; break;
		case SO_DEBUG: case SO_DONTROUTE: case SO_OOBINLINE: v = 0; break;
		default: return -ENOPROTOOPT;
		}
		return put_opt(uval, ulen, &v, sizeof v);
	}
	if (level == IPPROTO_TCP && s->family == AF_INET && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY: v = s->nodelay; break;
		case TCP_MAXSEG: v = 65483; break;	/* loopback's MSS on Linux */
		case TCP_KEEPIDLE: v = 7200; break;
		case TCP_KEEPINTVL: v = 75; break;
		case TCP_KEEPCNT: v = 9; break;
		default: return -ENOPROTOOPT;
		}
		return put_opt(uval, ulen, &v, sizeof v);
	}
	if (level == IPPROTO_IP && s->family == AF_INET && (name == IP_TOS || name == IP_TTL)) {
		v = name == IP_TTL ? 64 : 0;
		return put_opt(uval, ulen, &v, sizeof v);
	}
	return -ENOPROTOOPT;
}
