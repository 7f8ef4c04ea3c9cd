/*
 * Socket system calls (docs/SOCKETS.md): copy arguments in and out of user
 * space, check them the way Linux does, and hand over to kernel/net/.
 * Every call holds a reference on its socket, so a close from another
 * thread cannot free it under a blocked accept, connect, send or recv.
 */
#include "syscall/sys.h"
#include "kernel/net/socket.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/cred.h"
#include <string.h>

#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC  O_CLOEXEC
#define UIO_MAXIOV    1024
#define MAX_RW        0x7ffff000UL	/* Linux's MAX_RW_COUNT */
#define SOL_SOCKET    1
#define SCM_RIGHTS    1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD    253
#define OPTMEM_MAX    20480
#define IPPROTO_TCP   6
#define IPPROTO_UDP   17

/* The socket behind fd, referenced (sock_put when done): -EBADF, -ENOTSOCK. */
static struct socket *sock_fd(uint64_t fd, long *err)
{
	struct file *f = fd_get(curproc(), (int)fd);
	struct socket *s = sock_of_file(f);
	*err = !f ? -EBADF : !s ? -ENOTSOCK : 0;
	if (s)
		sock_get(s);
	return s;
}

static int nonblocking(struct socket *s)
{
	return s->file && (s->file->flags & O_NONBLOCK);
}

static int addr_in(uint64_t uaddr, uint64_t ulen, uint8_t *k, int *klen)
{
	if ((int)ulen < 0 || (int)ulen > SADDR_MAX)
		return -EINVAL;
	*klen = (int)ulen;
	if (ulen && copy_from_user(curmm(), k, uaddr, ulen))
		return -EFAULT;
	return 0;
}

/* Linux's move_addr_to_user: copy what fits, then tell the full length. */
static int addr_out(const uint8_t *k, int klen, uint64_t uaddr, uint64_t ulenp)
{
	int32_t len;
	if (copy_from_user(curmm(), &len, ulenp, sizeof len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > klen)
		len = klen;
	if (len && copy_to_user(curmm(), uaddr, k, (size_t)len))
		return -EFAULT;
	return copy_to_user(curmm(), ulenp, &klen, sizeof klen) ? -EFAULT : 0;
}

/* A name as getsockname/getpeername/accept report it: an unnamed AF_UNIX end is the family alone. */
static int name_of(struct socket *s, const uint8_t *addr, int len, uint8_t *out)
{
	if (len == 0 && s->family == AF_UNIX) {
		uint16_t fam = AF_UNIX;
		memcpy(out, &fam, 2);
		return 2;
	}
	memcpy(out, addr, (size_t)len);
	return len;
}

static int check_type(int family, int *type, int *proto)
{
	switch (family) {
	case AF_UNIX:
		if (*proto && *proto != AF_UNIX)
			return -EPROTONOSUPPORT;
		if (*type == SOCK_RAW)
			*type = SOCK_DGRAM;	/* Linux does the same */
		return *type == SOCK_STREAM || *type == SOCK_DGRAM || *type == SOCK_SEQPACKET ?
		       0 : -ESOCKTNOSUPPORT;
	case AF_INET:
		if (*type == SOCK_STREAM && (*proto == 0 || *proto == IPPROTO_TCP))
			*proto = IPPROTO_TCP;
		else if (*type == SOCK_DGRAM && (*proto == 0 || *proto == IPPROTO_UDP))
			*proto = IPPROTO_UDP;
		else if (*type == SOCK_STREAM || *type == SOCK_DGRAM)
			return -EPROTONOSUPPORT;
		else if (*type == SOCK_RAW)
			return cred_is_root() ? -ESOCKTNOSUPPORT : -EPERM;	/* no raw sockets */
		else
			return -ESOCKTNOSUPPORT;
		return 0;
	default:
		return -EAFNOSUPPORT;	/* AF_INET6 included: loopback IPv4 only */
	}
}

static int sock_create(int family, uint64_t rawtype, int proto, struct socket **out)
{
	int type = (int)rawtype & SOCK_TYPE_MASK;
	if ((int)rawtype & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if ((int)rawtype < 0 || type >= SOCK_MAX)
		return -EINVAL;
	int err = check_type(family, &type, &proto);
	if (err)
		return err;
	struct socket *s = sock_new(family == AF_UNIX ? &unix_family : &inet_family, type, proto);
	if (!s)
		return -ENOMEM;
	if (family == AF_INET) {
		uint16_t fam = AF_INET;
		memcpy(s->laddr, &fam, 2);	/* unbound: 0.0.0.0 port 0 */
		s->llen = 16;
	}
	*out = s;
	return 0;
}

/* A file and an fd for s (its reference goes to the file); on failure s is closed. */
static long install(struct socket *s, int flags)
{
	struct file *f;
	if (sock_make_file(s, flags, &f)) {
		sock_close(s);
		return -ENOMEM;
	}
	int fd = fd_install(curproc(), f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL(socket)
{
	struct socket *s;
	int err = sock_create((int)a[0], a[1], (int)a[2], &s);
	return err ? err : install(s, (int)a[1]);
}

SYSCALL(socketpair)
{
	int family = (int)a[0];
	if (family != AF_UNIX)
		return family == AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
	struct socket *s0, *s1;
	int err = sock_create(family, a[1], (int)a[2], &s0);
	if (err)
		return err;
	err = sock_create(family, a[1], (int)a[2], &s1);
	if (err) {
		sock_close(s0);
		return err;
	}
	sock_pair(s0, s1);
	int fds[2];
	fds[0] = (int)install(s0, (int)a[1]);
	if (fds[0] < 0) {
		sock_close(s1);
		return fds[0];
	}
	fds[1] = (int)install(s1, (int)a[1]);
	if (fds[1] >= 0 && !copy_to_user(curmm(), a[3], fds, sizeof fds))
		return 0;
	struct proc *p = curproc();
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0) {
			struct file *f = p->files[fds[i]];
			p->files[fds[i]] = NULL;
			file_put(f);
		}
	return fds[1] < 0 ? fds[1] : -EFAULT;
}

SYSCALL(bind)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	uint8_t k[SADDR_MAX];
	int len;
	err = addr_in(a[1], a[2], k, &len);
	if (!err)
		err = s->fam->bind(s, k, len);
	sock_put(s);
	return err;
}

SYSCALL(listen)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = sock_listen(s, (int)a[1]);
	sock_put(s);
	return err;
}

static long do_accept(const uint64_t a[6], int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	long err;
	struct socket *s = sock_fd(a[0], &err), *n;
	if (!s)
		return err;
	err = sock_accept(s, nonblocking(s), &n);
	sock_put(s);
	if (err)
		return err;
	if (a[1]) {
		uint8_t k[SADDR_MAX];
		int len = name_of(n, n->raddr, n->rlen, k);
		err = addr_out(k, len, a[1], a[2]);
		if (err) {
			sock_close(n);	/* as Linux: the connection is lost with the bad pointer */
			return err;
		}
	}
	return install(n, flags);
}

SYSCALL(accept) { return do_accept(a, 0); }
SYSCALL(accept4) { return do_accept(a, (int)a[3]); }

SYSCALL(connect)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	uint8_t k[SADDR_MAX];
	int len;
	err = addr_in(a[1], a[2], k, &len);
	if (!err)
		err = sock_connection(s) ? sock_connect_stream(s, k, len, nonblocking(s))
					 : s->fam->dgram_connect(s, k, len);
	sock_put(s);
	return err;
}

static long get_name(const uint64_t a[6], int peer)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	int connected = sock_connection(s) ? s->state == SS_CONNECTED : s->peer || s->rlen;
	if (peer && !connected) {
		sock_put(s);
		return -ENOTCONN;
	}
	uint8_t k[SADDR_MAX];
	int len = peer ? name_of(s, s->raddr, s->rlen, k) : name_of(s, s->laddr, s->llen, k);
	sock_put(s);
	return addr_out(k, len, a[1], a[2]);
}

SYSCALL(getsockname) { return get_name(a, 0); }
SYSCALL(getpeername) { return get_name(a, 1); }

SYSCALL(sendto)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	uint8_t k[SADDR_MAX];
	size_t n = a[2] < MAX_RW ? a[2] : MAX_RW;
	struct iovec_k iov = { a[1], n };
	struct msg_k m = { .uio = { &iov, 1, 0, 0, n } };
	if (a[4]) {
		err = addr_in(a[4], a[5], k, &m.destlen);
		m.dest = k;
	}
	if (!err)
		err = sock_send(s, &m, (int)a[3], nonblocking(s));
	sock_put(s);
	return err;
}

SYSCALL(recvfrom)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	uint8_t k[SADDR_MAX];
	size_t n = a[2] < MAX_RW ? a[2] : MAX_RW;
	struct iovec_k iov = { a[1], n };
	struct msg_k m = { .uio = { &iov, 1, 0, 0, n }, .src = k };
	long r = sock_recv(s, &m, (int)a[3], nonblocking(s));
	if (m.fds) {
		for (int i = 0; i < m.nfds; i++)
			file_put(m.fds[i]);	/* files sent to a plain recv are closed, as Linux does */
		kfree(m.fds);
	}
	sock_put(s);
	if (r >= 0 && a[4]) {
		err = addr_out(k, m.srclen, a[4], a[5]);
		if (err)
			return err;
	}
	return r;
}

SYSCALL(setsockopt)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = (int)a[4] < 0 ? -EINVAL : sock_setsockopt(s, (int)a[1], (int)a[2], a[3], (uint32_t)a[4]);
	sock_put(s);
	return err;
}

SYSCALL(getsockopt)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = sock_getsockopt(s, (int)a[1], (int)a[2], a[3], a[4]);
	sock_put(s);
	return err;
}

SYSCALL(shutdown)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = sock_shutdown(s, (int)a[1]);
	sock_put(s);
	return err;
}

/* ---- sendmsg, recvmsg ---- */

/* riscv64 struct msghdr as the kernel reads it (musl zeroes the padding). */
struct msghdr_k {
	uint64_t name;
	uint32_t namelen, pad1;
	uint64_t iov, iovlen;
	uint64_t control, controllen;
	int32_t flags, pad2;
};
_Static_assert(sizeof(struct msghdr_k) == 56, "struct msghdr");

struct cmsghdr_k { uint64_t len; int32_t level, type; };
#define CMSG_ALIGN(n) (((n) + 7) & ~7UL)

/* The iovec array of h into pages of its own (free with page_free_n(*iov, *npages)). */
static long read_iov(const struct msghdr_k *h, struct uio *u, size_t *npages)
{
	if (h->iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	size_t bytes = h->iovlen * sizeof(struct iovec_k);
	*npages = bytes ? (bytes + PGSIZE - 1) / PGSIZE : 1;
	u->iov = page_alloc_n(*npages);
	if (!u->iov)
		return -ENOMEM;
	u->cnt = (int)h->iovlen;
	u->idx = 0, u->off = 0, u->resid = 0;
	if (bytes && copy_from_user(curmm(), u->iov, h->iov, bytes))
		return -EFAULT;
	for (int i = 0; i < u->cnt; i++) {
		if ((int64_t)u->iov[i].len < 0)
			return -EINVAL;
		if (u->iov[i].len > MAX_RW - u->resid)
			u->iov[i].len = MAX_RW - u->resid;	/* Linux truncates at MAX_RW_COUNT */
		u->resid += u->iov[i].len;
	}
	return 0;
}

static void drop_fds(struct msg_k *m)
{
	for (int i = 0; i < m->nfds; i++)
		file_put(m->fds[i]);
	if (m->fds)
		kfree(m->fds);
	m->fds = NULL;
	m->nfds = 0;
}

/* SCM_RIGHTS from the sender's control buffer: referenced files into m (AF_UNIX only). */
static long read_rights(struct socket *s, const struct msghdr_k *h, struct msg_k *m)
{
	if (s->family != AF_UNIX || !h->controllen)
		return 0;
	if (h->controllen > OPTMEM_MAX)
		return -ENOBUFS;	/* Linux: more than net.core.optmem_max */
	uint64_t pos = 0;
	while (pos + sizeof(struct cmsghdr_k) <= h->controllen) {
		struct cmsghdr_k c;
		if (copy_from_user(curmm(), &c, h->control + pos, sizeof c))
			return -EFAULT;
		if (c.len < sizeof c || c.len > h->controllen - pos || c.level != SOL_SOCKET)
			return -EINVAL;
		if (c.type == SCM_RIGHTS) {
			int n = (int)((c.len - sizeof c) / 4);
			if (n <= 0 || n > SCM_MAX_FD || m->fds)
				return -EINVAL;
			int fds[SCM_MAX_FD];
			if (copy_from_user(curmm(), fds, h->control + pos + sizeof c, (size_t)n * 4))
				return -EFAULT;
			m->fds = kmalloc(sizeof(struct file *) * (size_t)n);
			if (!m->fds)
				return -ENOMEM;
			for (int i = 0; i < n; i++) {
				struct file *f = fd_get(curproc(), fds[i]);
				if (!f)
					return -EBADF;
				file_get(f);
				m->fds[m->nfds++] = f;
			}
		} else if (c.type != SCM_CREDENTIALS) {
			return -EINVAL;		/* credentials are taken from the sender anyway */
		}
		pos += CMSG_ALIGN(c.len);
	}
	return 0;
}

static long do_sendmsg(struct socket *s, uint64_t umsg, int flags)
{
	struct msghdr_k h;
	if (copy_from_user(curmm(), &h, umsg, sizeof h))
		return -EFAULT;
	uint8_t k[SADDR_MAX];
	struct msg_k m = { 0 };
	size_t npages = 0;
	long r = 0;
	if (h.name && h.namelen) {
		r = addr_in(h.name, h.namelen, k, &m.destlen);
		m.dest = k;
	}
	if (!r)
		r = read_iov(&h, &m.uio, &npages);
	if (!r)
		r = read_rights(s, &h, &m);
	if (!r)
		r = sock_send(s, &m, flags, nonblocking(s));
	drop_fds(&m);		/* what the send did not take */
	if (m.uio.iov)
		page_free_n(m.uio.iov, npages);
	return r;
}

/* The receiver's control buffer, filled one cmsg after another. */
struct cbuf {
	uint64_t base, len, pos;
};

/* One SOL_SOCKET cmsg of n data bytes; 0, or -1 when it does not fit (or faults). */
static int cmsg_put(struct cbuf *c, int type, const void *data, size_t n)
{
	struct cmsghdr_k h = { sizeof h + n, SOL_SOCKET, type };
	if (c->len < c->pos || c->len - c->pos < h.len)
		return -1;
	if (copy_to_user(curmm(), c->base + c->pos, &h, sizeof h) ||
	    copy_to_user(curmm(), c->base + c->pos + sizeof h, data, n))
		return -1;
	c->pos += CMSG_ALIGN(h.len);
	if (c->pos > c->len)
		c->pos = c->len;
	return 0;
}

/* Install received files and describe them in the control buffer (MSG_CTRUNC if not all fit). */
static void write_rights(struct msg_k *m, struct cbuf *c, int flags)
{
	if (!m->nfds)
		return;
	uint64_t left = c->len > c->pos ? c->len - c->pos : 0;
	int room = left < sizeof(struct cmsghdr_k) ? 0 : (int)((left - sizeof(struct cmsghdr_k)) / 4);
	int n = m->nfds < room ? m->nfds : room;
	int fds[SCM_MAX_FD];
	int got = 0;
	for (; got < n; got++) {
		fds[got] = fd_install(curproc(), m->fds[got], 0, flags & MSG_CMSG_CLOEXEC);
		if (fds[got] < 0)
			break;
		m->fds[got] = NULL;
	}
	for (int i = got; i < m->nfds; i++)
		if (m->fds[i])
			file_put(m->fds[i]);	/* the ones that did not fit are closed, as Linux does */
	if (got < m->nfds)
		m->flags |= MSG_CTRUNC;
	kfree(m->fds);
	m->fds = NULL;
	m->nfds = 0;
	if (got)
		cmsg_put(c, SCM_RIGHTS, fds, (size_t)got * 4);
}

/* SO_PASSCRED: the sender's credentials first (Linux's scm_recv order), then any files. */
static uint64_t write_control(struct socket *s, struct msg_k *m, const struct msghdr_k *h, int flags)
{
	struct cbuf c = { h->control, h->control ? h->controllen : 0, 0 };
	if (s->family == AF_UNIX && s->passcred && m->has_cred &&
	    cmsg_put(&c, SCM_CREDENTIALS, &m->cred, sizeof m->cred))
		m->flags |= MSG_CTRUNC;
	write_rights(m, &c, flags);
	return c.pos;
}

static long do_recvmsg(struct socket *s, uint64_t umsg, int flags)
{
	struct msghdr_k h;
	if (copy_from_user(curmm(), &h, umsg, sizeof h))
		return -EFAULT;
	if ((int32_t)h.namelen < 0)
		return -EINVAL;
	uint8_t k[SADDR_MAX];
	struct msg_k m = { .src = h.name ? k : NULL };
	size_t npages = 0;
	long r = read_iov(&h, &m.uio, &npages);
	if (!r)
		r = sock_recv(s, &m, flags, nonblocking(s));
	if (m.uio.iov)
		page_free_n(m.uio.iov, npages);
	if (r < 0) {
		drop_fds(&m);
		return r;
	}
	uint64_t clen = write_control(s, &m, &h, flags);
	uint32_t namelen = h.name ? (uint32_t)m.srclen : 0;
	if (h.name && m.srclen &&
	    copy_to_user(curmm(), h.name, k, (size_t)(m.srclen < (int)h.namelen ? m.srclen : (int)h.namelen)))
		return -EFAULT;
	if (copy_to_user(curmm(), umsg + offsetof(struct msghdr_k, namelen), &namelen, sizeof namelen) ||
	    copy_to_user(curmm(), umsg + offsetof(struct msghdr_k, controllen), &clen, sizeof clen) ||
	    copy_to_user(curmm(), umsg + offsetof(struct msghdr_k, flags), &m.flags, sizeof m.flags))
		return -EFAULT;
	return r;
}

SYSCALL(sendmsg)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = do_sendmsg(s, a[1], (int)a[2]);
	sock_put(s);
	return err;
}

SYSCALL(recvmsg)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	err = do_recvmsg(s, a[1], (int)a[2]);
	sock_put(s);
	return err;
}

/* sendmmsg/recvmmsg: struct mmsghdr is a msghdr and the byte count (64 bytes). */
#define MMSG_SIZE 64
#define MSG_WAITFORONE 0x10000

static long do_mmsg(const uint64_t a[6], int send)
{
	long err;
	struct socket *s = sock_fd(a[0], &err);
	if (!s)
		return err;
	unsigned vlen = (unsigned)a[2] < UIO_MAXIOV ? (unsigned)a[2] : UIO_MAXIOV;
	int flags = (int)a[3];
	long done = 0;
	for (unsigned i = 0; i < vlen; i++) {
		uint64_t u = a[1] + (uint64_t)i * MMSG_SIZE;
		long r = send ? do_sendmsg(s, u, flags) : do_recvmsg(s, u, flags & ~MSG_WAITFORONE);
		if (r < 0) {
			err = r;
			break;
		}
		uint32_t n = (uint32_t)r;
		if (copy_to_user(curmm(), u + sizeof(struct msghdr_k), &n, sizeof n)) {
			err = -EFAULT;
			break;
		}
		done++;
		if (!send && (flags & MSG_WAITFORONE))
			flags |= MSG_DONTWAIT;
	}
	sock_put(s);
	return done ? done : err;
}

SYSCALL(sendmmsg) { return do_mmsg(a, 1); }
SYSCALL(recvmmsg) { return do_mmsg(a, 0); }
