/*
 * The data paths every family shares (kernel/net/socket.h): listen, connect
 * and accept for connection types; send and receive for byte streams
 * (SOCK_STREAM), records (SOCK_SEQPACKET) and datagrams (SOCK_DGRAM);
 * shutdown and poll.  A sender queues skbs straight into the receiver's
 * queue: the receiver's SO_RCVBUF is the flow-control window, and a sender
 * facing a full one parks on the receiver's wait queue until a read makes
 * room (the pipe's protocol, kernel/fs/pipe.c).  Syscall cpu only.
 */
#include "kernel/net/socket.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/pollwait.h"
#include "kernel/uvm.h"
#include "syscall/sys.h"
#include <string.h>

#define SKB_CHUNK (KMALLOC_MAX - sizeof(struct skb))	/* stream bytes per skb */
#define DGRAM_QLEN 512		/* net.unix.max_dgram_qlen */
#define UDP_MAX 65507		/* largest UDP payload over IPv4 */

/* ---- user vectors ---- */

static int uio_copy(struct uio *u, void *kbuf, size_t n, int in)
{
	uint8_t *k = kbuf;
	while (n) {
		struct iovec_k *v = &u->iov[u->idx];
		size_t c = v->len - u->off;
		if (c == 0) {
			u->idx++, u->off = 0;
			continue;
		}
		if (c > n)
			c = n;
		long r = in ? copy_from_user(curmm(), k, v->base + u->off, c)
			    : copy_to_user(curmm(), v->base + u->off, k, c);
		if (r)
			return -EFAULT;
		k += c, n -= c, u->off += c, u->resid -= c;
	}
	return 0;
}

int uio_copy_in(struct uio *u, void *dst, size_t n) { return uio_copy(u, dst, n, 1); }
int uio_copy_out(struct uio *u, const void *src, size_t n) { return uio_copy(u, (void *)src, n, 0); }

/* ---- queues ---- */

static struct skb *skb_alloc(size_t len)
{
	size_t size = sizeof(struct skb) + len;
	struct skb *b;
	size_t npages = 0;
	if (size <= KMALLOC_MAX) {
		b = kmalloc(size);
	} else {
		npages = (size + PGSIZE - 1) / PGSIZE;
		b = page_alloc_n(npages);
	}
	if (!b)
		return NULL;
	memset(b, 0, sizeof *b);
	b->len = len;
	b->npages = npages;
	return b;
}

static void skb_free(struct skb *b)
{
	for (int i = 0; i < b->nfds; i++)
		file_put(b->fds[i]);
	if (b->fds)
		kfree(b->fds);
	if (b->npages)
		page_free_n(b, b->npages);
	else
		kfree(b);
}

static void rq_push(struct socket *s, struct skb *b)
{
	if (s->rq_tail)
		s->rq_tail->next = b;
	else
		s->rq_head = b;
	s->rq_tail = b;
	s->rq_bytes += b->len;
	s->rq_count++;
}

static void rq_pop(struct socket *s)
{
	struct skb *b = s->rq_head;
	s->rq_head = b->next;
	if (!s->rq_head)
		s->rq_tail = NULL;
	s->rq_bytes -= b->len - b->off;
	s->rq_count--;
	skb_free(b);
}

void sock_purge(struct socket *s)
{
	while (s->rq_head)
		rq_pop(s);
}

long sock_nread(struct socket *s)
{
	if (!sock_connection(s) || s->type == SOCK_SEQPACKET)
		return s->rq_head ? (long)(s->rq_head->len) : 0;
	return (long)s->rq_bytes;
}

/* The sender's address as the receiver's recvfrom reports it. */
static void skb_set_source(struct skb *b, struct socket *from)
{
	b->addrlen = from->llen;
	memcpy(b->addr, from->laddr, (size_t)from->llen);
	b->cred = sock_cred_now();
	if (from->family == AF_INET && b->addrlen >= 8 && !memcmp(b->addr + 4, "\0\0\0\0", 4))
		memcpy(b->addr + 4, "\x7f\0\0\x01", 4);	/* bound to INADDR_ANY: loopback sends from 127.0.0.1 */
}

/* Hand the SCM_RIGHTS files of m to b (m gives up its references). */
static void skb_take_fds(struct skb *b, struct msg_k *m)
{
	b->fds = m->fds;
	b->nfds = m->nfds;
	m->fds = NULL;
	m->nfds = 0;
}

/* Give b's files to the receiver's m (copies of the references when only peeking). */
static void skb_give_fds(struct skb *b, struct msg_k *m, int peek)
{
	if (!b->nfds || m->fds)
		return;
	if (peek) {
		m->fds = kmalloc(sizeof(struct file *) * (size_t)b->nfds);
		if (!m->fds)
			return;
		for (int i = 0; i < b->nfds; i++)
			file_get(m->fds[i] = b->fds[i]);
	} else {
		m->fds = b->fds;
		b->fds = NULL;
	}
	m->nfds = b->nfds;
	if (!peek)
		b->nfds = 0;
}

/* ---- connections ---- */

void sock_pair(struct socket *a, struct socket *b)
{
	sock_get(b);
	a->peer = b;
	sock_get(a);
	b->peer = a;
	if (sock_connection(a))
		a->state = b->state = SS_CONNECTED;
	a->peercred = b->peercred = sock_cred_now();
	a->has_peercred = b->has_peercred = 1;
}

static void complete_pending(struct socket *l);

int sock_listen(struct socket *s, int backlog)
{
	if (!sock_connection(s))
		return -EOPNOTSUPP;
	if (s->state == SS_CONNECTED || s->peer_closed)
		return -EINVAL;
	if (!s->bound) {
		int err = s->fam->autobind ? s->fam->autobind(s) : -EINVAL;
		if (err)
			return err;
	}
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;	/* Linux: a negative backlog is huge, then clamped */
	s->backlog = backlog;
	if (s->state != SS_LISTENING)
		s->listen_cred = sock_cred_now();
	s->state = SS_LISTENING;
	complete_pending(s);	/* a larger backlog */
	sock_wake(s);		/* connecters waiting for room in a larger backlog */
	return 0;
}

/* Linux's sk_acceptq_is_full: a backlog of n holds n + 1 connections. */
static int backlog_room(void *arg)
{
	struct socket *l = arg;
	return l->closed || l->state != SS_LISTENING || l->nacc <= l->backlog;
}

/* Make l's end of a connection from s and queue it for accept (there is room). */
static int establish(struct socket *l, struct socket *s, const uint8_t *addr, int len)
{
	struct socket *n = sock_new(l->fam, l->type, l->proto);
	if (!n)
		return -ENOMEM;
	sock_get(n);
	s->peer = n;
	sock_get(s);
	n->peer = s;
	s->state = n->state = SS_CONNECTED;
	s->peercred = l->listen_cred;	/* Linux: the listener's credentials at listen() */
	n->peercred = sock_cred_now();
	s->has_peercred = n->has_peercred = 1;
	n->rcvbuf = l->rcvbuf, n->sndbuf = l->sndbuf;
	n->nodelay = l->nodelay, n->keepalive = l->keepalive;
	n->rcvtimeo_ns = l->rcvtimeo_ns, n->sndtimeo_ns = l->sndtimeo_ns;
	l->fam->connected(l, s, n, addr, len);
	n->bound = 1;		/* named (bind: EINVAL), though on no family's table */
	/* the accept queue owns n's first reference until accept gives it a file */
	if (l->acc_tail)
		l->acc_tail->acc_next = n;
	else
		l->acc_head = n;
	l->acc_tail = n;
	l->nacc++;
	sock_wake(l);
	sock_wake(s);
	return 0;
}

static void pend_remove(struct socket *l, struct socket *s)
{
	struct socket *prev = NULL;
	for (struct socket **pp = &l->pend_head; *pp; prev = *pp, pp = &(*pp)->pend_next)
		if (*pp == s) {
			*pp = s->pend_next;
			if (l->pend_tail == s)
				l->pend_tail = prev;
			s->pend_next = NULL;
			return;
		}
}

void sock_connect_abort(struct socket *s, int refused)
{
	struct socket *l = s->conn_listener;
	if (!l)
		return;
	pend_remove(l, s);
	s->conn_listener = NULL;
	s->state = SS_UNCONNECTED;
	if (refused)
		s->error = ECONNREFUSED;	/* Linux: the reset to the SYN it kept sending */
	sock_put(l);
	sock_put(s);		/* the pending list's reference */
	sock_wake(s);
}

/* Room in l's backlog: connects in progress complete, oldest first (the SYN retransmitted). */
static void complete_pending(struct socket *l)
{
	while (l->pend_head && l->nacc <= l->backlog) {
		struct socket *c = l->pend_head;
		pend_remove(l, c);
		c->conn_listener = NULL;
		c->state = SS_UNCONNECTED;
		if (establish(l, c, c->conn_addr, c->conn_alen))
			c->error = ENOBUFS;
		sock_put(l);
		sock_put(c);
		sock_wake(c);
	}
}

/*
 * A nonblocking TCP connect to a full backlog: in progress until accept
 * makes room (Linux keeps retransmitting the SYN), then poll says POLLOUT.
 */
static int connect_later(struct socket *l, struct socket *s, const uint8_t *addr, int len)
{
	memcpy(s->conn_addr, addr, sizeof s->conn_addr);
	s->conn_alen = len;
	s->conn_listener = l;		/* takes find_listener's reference */
	sock_get(s);			/* the pending list's */
	if (l->pend_tail)
		l->pend_tail->pend_next = s;
	else
		l->pend_head = s;
	l->pend_tail = s;
	s->state = SS_CONNECTING;
	return -EINPROGRESS;
}

/*
 * Connect s to the listener at addr: the listener's side of the connection
 * is made at once and queued for accept (loopback needs no handshake), so a
 * blocking connect waits only for room in the backlog.
 */
int sock_connect_stream(struct socket *s, const uint8_t *addr, int len, int nonblock)
{
	if (s->state == SS_CONNECTING)
		return -EALREADY;
	if (s->state == SS_CONNECTED || s->peer_closed)
		return -EISCONN;
	if (s->state == SS_LISTENING)
		return -EINVAL;
	struct socket *l;
	int err = s->fam->find_listener(s, addr, len, &l);
	if (err)
		return err;
	if (!s->bound && s->fam->autobind)
		err = s->fam->autobind(s);
	int inet = s->family == AF_INET;
	if (!err && inet && nonblock && !backlog_room(l))
		return connect_later(l, s, addr, len);
	if (!err)
		err = sock_wait(l, backlog_room, l, nonblock, s->sndtimeo_ns);
	if (!err && (l->closed || l->state != SS_LISTENING))
		err = -ECONNREFUSED;
	if (!err && s->state != SS_UNCONNECTED)
		err = -EISCONN;		/* another thread connected it while we waited */
	if (!err)
		err = establish(l, s, addr, len);
	sock_put(l);
	if (err)
		return inet && err == -EAGAIN ? -EINPROGRESS : err;	/* SO_SNDTIMEO ran out */
	/* a nonblocking TCP connect says "in progress" even though loopback has finished it */
	return nonblock && inet ? -EINPROGRESS : 0;
}

static int acceptable(void *arg)
{
	struct socket *l = arg;
	return l->acc_head || l->closed || l->state != SS_LISTENING || l->shut_rd;
}

int sock_accept(struct socket *l, int nonblock, struct socket **out)
{
	if (!sock_connection(l))
		return -EOPNOTSUPP;
	if (l->state != SS_LISTENING)
		return -EINVAL;
	int err = sock_wait(l, acceptable, l, nonblock, l->rcvtimeo_ns);
	if (err)
		return err;
	struct socket *n = l->acc_head;
	if (!n)
		return l->closed ? -EBADF : -EINVAL;
	l->acc_head = n->acc_next;
	if (!l->acc_head)
		l->acc_tail = NULL;
	n->acc_next = NULL;
	l->nacc--;
	complete_pending(l);
	sock_wake(l);		/* room in the backlog */
	*out = n;
	return 0;
}

/* ---- sending ---- */

/* The peer of a connection while it still reads, else NULL. */
static struct socket *conn_peer(struct socket *s)
{
	return s->peer && !s->peer->closed ? s->peer : NULL;
}

static int take_error(struct socket *s)
{
	int e = s->error;
	s->error = 0;
	return -e;
}

/* A sender waits on the receiver's queue for `need` bytes of room (or for any reason to stop). */
struct room_wait {
	struct socket *s, *p;
	size_t need;
};

static int has_room(struct socket *p, size_t need)
{
	if (!sock_connection(p) && p->rq_count >= DGRAM_QLEN)
		return 0;
	/* a record bigger than the whole window still goes into an empty queue */
	return p->rq_bytes + need <= (size_t)p->rcvbuf || (need > 1 && !p->rq_head);
}

static int room_or_stop(void *arg)
{
	struct room_wait *w = arg;
	struct socket *s = w->s, *p = w->p;
	if (s->closed || s->shut_wr || p->closed || p->shut_rd)
		return 1;
	if (sock_connection(s) && conn_peer(s) != p)
		return 1;
	return has_room(p, w->need);
}

static long send_fail_pipe(int flags)
{
	sock_sigpipe(flags);
	return -EPIPE;
}

/* Wait for room at p; 0 when there is (or the caller must re-check why not), else -errno. */
static int wait_room(struct socket *s, struct socket *p, size_t need, int nonblock)
{
	struct room_wait w = { s, p, need };
	if (room_or_stop(&w))
		return 0;
	if (nonblock)
		return -EAGAIN;
	sock_get(p);
	int err = sock_wait(p, room_or_stop, &w, 0, s->sndtimeo_ns);
	sock_put(p);
	return err;
}

static int not_connecting(void *arg) { return ((struct socket *)arg)->state != SS_CONNECTING; }

static long send_conn(struct socket *s, struct msg_k *m, int flags, int nonblock)
{
	int err = sock_wait(s, not_connecting, s, nonblock, s->sndtimeo_ns);
	if (err)
		return err;
	if (s->state != SS_CONNECTED) {
		if (s->family == AF_INET)
			return send_fail_pipe(flags);	/* Linux: EPIPE for an unconnected TCP socket */
		return -ENOTCONN;
	}
	if (s->error)
		return take_error(s);
	int record = s->type == SOCK_SEQPACKET;
	size_t total = m->uio.resid, done = 0;
	if (record && total > (size_t)s->sndbuf)
		return -EMSGSIZE;
	if (!record && total == 0)
		return 0;
	for (;;) {
		struct socket *p = conn_peer(s);
		if (!p && s->family == AF_INET && !s->reset_seen && !s->shut_wr) {
			/* TCP: the first write after the peer closed goes out and meets a reset */
			s->reset_seen = 1;
			return (long)total;
		}
		if (s->shut_wr || !p || (p->shut_rd && s->family == AF_UNIX))
			return done ? (long)done : send_fail_pipe(flags);
		if (p->shut_rd)
			return (long)total;	/* TCP: the peer drops what it will not read */
		size_t need = record ? total : 1;
		if (!has_room(p, need)) {
			int err = wait_room(s, p, need, nonblock);
			if (err)
				return done ? (long)done : err;
			continue;
		}
		size_t c = total - done;
		if (!record) {
			size_t room = (size_t)p->rcvbuf - p->rq_bytes;
			c = c < room ? c : room;
			c = c < SKB_CHUNK ? c : SKB_CHUNK;
		}
		struct skb *b = skb_alloc(c);
		if (!b)
			return done ? (long)done : -ENOBUFS;
		if (uio_copy_in(&m->uio, b->data, c)) {
			skb_free(b);
			return done ? (long)done : -EFAULT;
		}
		skb_set_source(b, s);
		if (m->nfds)
			skb_take_fds(b, m);
		rq_push(p, b);
		done += c;
		sock_wake(p);
		if (record || done == total)
			return (long)done;
	}
}

static long send_dgram(struct socket *s, struct msg_k *m, int flags, int nonblock)
{
	if (s->error)
		return take_error(s);	/* e.g. UDP's ECONNREFUSED from an earlier send */
	if (s->shut_wr)
		return send_fail_pipe(flags);
	size_t len = m->uio.resid;
	if (len > (s->family == AF_INET ? UDP_MAX : (size_t)s->sndbuf))
		return -EMSGSIZE;
	if (!s->bound && s->fam->autobind) {
		int err = s->fam->autobind(s);
		if (err)
			return err;
	}
	struct socket *d;
	int err = s->fam->find_dgram(s, m->dest, m->destlen, &d);
	if (err)
		return err;
	for (;;) {
		if (!d)
			return (long)len;	/* nobody there: lost, as UDP loses it */
		err = s->fam->dgram_filter ? s->fam->dgram_filter(s, d) : 0;
		if (err || d->closed || d->shut_rd) {
			sock_put(d);
			return err < 0 ? err : err > 0 || d->shut_rd ? (long)len : -ECONNREFUSED;
		}
		if (has_room(d, len ? len : 1))
			break;
		if (s->family == AF_INET) {
			sock_put(d);
			return (long)len;	/* UDP drops what a full receiver cannot take */
		}
		err = wait_room(s, d, len ? len : 1, nonblock);
		if (err) {
			sock_put(d);
			return err;
		}
	}
	struct skb *b = skb_alloc(len);
	if (!b || uio_copy_in(&m->uio, b->data, len)) {
		if (b)
			skb_free(b);
		sock_put(d);
		return b ? -EFAULT : -ENOBUFS;
	}
	skb_set_source(b, s);
	if (m->nfds)
		skb_take_fds(b, m);
	rq_push(d, b);
	sock_wake(d);
	sock_put(d);
	return (long)len;
}

long sock_send(struct socket *s, struct msg_k *m, int flags, int nonblock)
{
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!sock_connection(s))
		return send_dgram(s, m, flags, nonblock);
	if (m->dest && s->family == AF_UNIX)
		return s->state == SS_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	return send_conn(s, m, flags, nonblock);
}

/* ---- receiving ---- */

static int recv_ready(void *arg)
{
	struct socket *s = arg;
	return s->rq_head || s->eof || s->shut_rd || s->error || s->closed;
}

static void give_source(struct socket *s, struct skb *b, struct msg_k *m)
{
	if (!m->has_cred) {
		m->cred = b->cred;
		m->has_cred = 1;
	}
	if (!m->src)
		return;
	if (s->family == AF_INET && s->type == SOCK_STREAM) {
		m->srclen = 0;		/* TCP's recvfrom names no sender */
		return;
	}
	m->srclen = b->addrlen;
	memcpy(m->src, b->addr, (size_t)b->addrlen);
}

/* One datagram or record: what fits, MSG_TRUNC if not all did. */
static long recv_record(struct socket *s, struct msg_k *m, int flags)
{
	struct skb *b = s->rq_head;
	size_t n = b->len < m->uio.resid ? b->len : m->uio.resid;
	if (uio_copy_out(&m->uio, b->data, n))
		return -EFAULT;
	if (n < b->len)
		m->flags |= MSG_TRUNC;
	give_source(s, b, m);
	skb_give_fds(b, m, flags & MSG_PEEK);
	size_t full = b->len;
	if (!(flags & MSG_PEEK)) {
		rq_pop(s);
		sock_wake(s);	/* room for blocked senders */
	}
	return (long)((flags & MSG_TRUNC) && s->type == SOCK_DGRAM ? full : n);
}

/* Bytes from the stream, up to want; stops before a chunk that carries files. */
static long recv_bytes(struct socket *s, struct msg_k *m, size_t want, int peek)
{
	size_t done = 0;
	struct skb *b = s->rq_head;
	if (b)
		give_source(s, b, m);
	while (b && done < want) {
		if (done && b->nfds)
			break;		/* files arrive with the bytes they were sent with */
		size_t n = b->len - b->off;
		n = n < want - done ? n : want - done;
		if (uio_copy_out(&m->uio, b->data + b->off, n))
			return done ? (long)done : -EFAULT;
		skb_give_fds(b, m, peek);
		done += n;
		if (peek) {
			b = b->next;
			continue;
		}
		b->off += n;
		s->rq_bytes -= n;
		if (b->off == b->len) {
			rq_pop(s);
			b = s->rq_head;
		}
	}
	if (done && !peek)
		sock_wake(s);	/* room for the blocked writer */
	return (long)done;
}

long sock_recv(struct socket *s, struct msg_k *m, int flags, int nonblock)
{
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (flags & MSG_OOB)
		return s->family == AF_INET ? -EINVAL : -EOPNOTSUPP;
	if (s->state == SS_CONNECTING) {
		int err = sock_wait(s, not_connecting, s, nonblock, s->rcvtimeo_ns);
		if (err)
			return err;
	}
	if (sock_connection(s) && s->state != SS_CONNECTED)
		return s->family == AF_INET ? -ENOTCONN : -EINVAL;
	size_t want = m->uio.resid, done = 0;
	int stream = s->type == SOCK_STREAM;
	if (stream && want == 0)
		return 0;
	for (;;) {
		if (s->rq_head) {
			if (!stream)
				return recv_record(s, m, flags);
			long r = recv_bytes(s, m, want - done, flags & MSG_PEEK);
			if (r < 0)
				return done ? (long)done : r;
			done += (size_t)r;
			if (done >= want || !(flags & MSG_WAITALL) || (flags & MSG_PEEK) || r == 0)
				return (long)done;
		}
		if (s->error)
			return done ? (long)done : take_error(s);
		if (s->eof || s->shut_rd || s->closed)
			return (long)done;
		int err = sock_wait(s, recv_ready, s, nonblock, s->rcvtimeo_ns);
		if (err)
			return done ? (long)done : err;
	}
}

/* ---- shutdown, poll ---- */

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

int sock_shutdown(struct socket *s, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (sock_connection(s) && (s->state == SS_UNCONNECTED || s->state == SS_CONNECTING))
		return -ENOTCONN;
	if (s->family == AF_INET && !sock_connection(s) && !s->rlen)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->shut_rd = 1;
	if (how != SHUT_RD)
		s->shut_wr = 1;
	struct socket *p = conn_peer(s);
	if (p && sock_connection(s) && s->shut_wr) {
		p->eof = 1;		/* the peer reads EOF once it has read what we sent */
		sock_wake(p);
	}
	sock_wake(s);
	return 0;
}

int sock_poll(struct socket *s)
{
	if (s->state == SS_LISTENING)
		return s->acc_head ? POLL_READABLE : 0;
	int r = s->error ? POLL_ERROR : 0;
	if (s->rq_head || s->shut_rd || (sock_connection(s) && s->eof))
		r |= POLL_READABLE;
	struct socket *p = conn_peer(s);
	if (sock_connection(s)) {
		if (s->state == SS_CONNECTING)
			return r;		/* POLLOUT once the connection is made */
		if (s->state != SS_CONNECTED)
			return r | (s->family == AF_INET ? POLL_HANGUP : 0);
		/* unix: the peer's close ends both ways; TCP: both directions shut */
		if ((s->family == AF_UNIX && s->peer_closed) || (s->eof && s->shut_wr))
			r |= POLL_HANGUP;
		if (!p || s->shut_wr || has_room(p, 1))
			r |= POLL_WRITABLE;	/* a write would not block (it may fail) */
	} else if (!p || p->closed || has_room(p, 1)) {
		r |= POLL_WRITABLE;
	}
	return r;
}
