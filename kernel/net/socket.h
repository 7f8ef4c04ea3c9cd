/*
 * Sockets (docs/SOCKETS.md): the generic layer (kernel/net/socket.c), the
 * data paths every family shares (kernel/net/sockbuf.c: byte streams,
 * record streams and datagrams between two struct sockets on this
 * machine), and two families that only name the endpoints: AF_UNIX
 * (kernel/net/unix.c: paths, abstract names, socketpair, SO_PEERCRED) and
 * AF_INET over loopback (kernel/net/inet_loop.c: ports on 127.0.0.0/8).
 *
 * There is no wire: a connected stream is two sockets that each queue into
 * the other's receive queue, as AF_UNIX does on Linux; TCP over loopback is
 * the same thing with ports for names.
 *
 * Concurrency: like every file, sockets are touched only by syscall handlers,
 * which run one at a time on the syscall cpu (kernel/fs/file.h): no locks.
 * A handler that must wait parks on the socket's wait queue; whatever changes
 * a socket's state wakes that queue and poll_notify()s (the pipe's protocol).
 *
 * Lifetime: refs counts the open file (or the accept queue, for a
 * connection not yet accepted), a connected or datagram peer's pointer, and
 * each handler in progress on it.  Closing the file ends the socket
 * (sock_close) but the memory goes with the last ref.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "sched/thread.h"

#define AF_UNSPEC 0
#define AF_UNIX   1
#define AF_INET   2
#define AF_INET6  10

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_SEQPACKET 5
#define SOCK_MAX       11
#define SOCK_TYPE_MASK 0xf

#define MSG_OOB       0x1
#define MSG_PEEK      0x2
#define MSG_CTRUNC    0x8
#define MSG_TRUNC     0x20
#define MSG_DONTWAIT  0x40
#define MSG_EOR       0x80
#define MSG_WAITALL   0x100
#define MSG_NOSIGNAL  0x4000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SADDR_MAX 128		/* sizeof(struct sockaddr_storage) */
#define SOCK_BUF_DEFAULT 212992	/* Linux's net.core.[rw]mem_default, as getsockopt reports it */
#define SOCK_BUF_MAX     212992	/* net.core.[rw]mem_max */
#define SOCK_BUF_MIN     2304	/* SOCK_MIN_RCVBUF */
#define SOMAXCONN        4096

struct iovec_k { uint64_t base, len; };

/* A user I/O vector being consumed: send copies from it, recv into it. */
struct uio {
	struct iovec_k *iov;
	int cnt, idx;
	size_t off;		/* bytes done in iov[idx] */
	size_t resid;		/* bytes left in all */
};
/* Copy n bytes (n <= resid) and advance; -EFAULT if a user page is missing. */
int uio_copy_in(struct uio *u, void *dst, size_t n);
int uio_copy_out(struct uio *u, const void *src, size_t n);

struct ucred_k { int32_t pid; uint32_t uid, gid; };

/* One queued datagram or record, or a chunk of a byte stream. */
struct skb {
	struct skb *next;
	size_t len, off;	/* data bytes, bytes already read (streams) */
	size_t npages;		/* 0: kmalloc'd */
	int addrlen;		/* the sender's address, for recvfrom */
	uint8_t addr[112];
	struct file **fds;	/* SCM_RIGHTS: nfds referenced files, or NULL */
	int nfds;
	struct ucred_k cred;	/* the sender, for SCM_CREDENTIALS */
	uint8_t data[];
};

/* SS_CONNECTING: a nonblocking TCP connect waiting for room in a full backlog */
enum sock_state { SS_UNCONNECTED, SS_LISTENING, SS_CONNECTING, SS_CONNECTED };

struct socket;
struct msg_k;

/* What a family provides; everything else is generic. */
struct sock_family {
	int family;
	int (*bind)(struct socket *s, const uint8_t *addr, int len);
	/* an unbound socket about to send, listen or connect gets a name (or keeps none) */
	int (*autobind)(struct socket *s);
	/* the listener at addr (stream, seqpacket), referenced */
	int (*find_listener)(struct socket *s, const uint8_t *addr, int len, struct socket **out);
	/*
	 * Datagrams: where addr (or the connected peer, addr NULL) delivers,
	 * referenced; *out NULL means "sent and lost" (UDP with no receiver).
	 */
	int (*find_dgram)(struct socket *s, const uint8_t *addr, int len, struct socket **out);
	/* datagram connect: remember the default destination (AF_UNSPEC: forget it) */
	int (*dgram_connect)(struct socket *s, const uint8_t *addr, int len);
	/* a connection from c to listener l accepted as n: fill n's and c's addresses */
	void (*connected)(struct socket *l, struct socket *c, struct socket *n, const uint8_t *addr, int len);
	/* a datagram from s is about to queue at d: may d take it (0), drop it (1), or refuse (-err)? */
	int (*dgram_filter)(struct socket *s, struct socket *d);
	void (*unbind)(struct socket *s);
};

struct socket {
	int family, type, proto;
	const struct sock_family *fam;
	enum sock_state state;
	int refs;
	int closed;		/* its file is gone: waiters give up */
	struct file *file;	/* NULL for a connection in an accept queue */
	struct waitq wq;	/* readers, writers, accepters, connecters: any change wakes all */
	/* receive queue */
	struct skb *rq_head, *rq_tail;
	size_t rq_bytes;
	int rq_count;
	int rcvbuf, sndbuf;	/* as set (getsockopt reports them) */
	/* connection */
	struct socket *peer;	/* referenced: the other end, or a datagram default destination */
	int shut_rd, shut_wr;	/* our own shutdown(2) */
	int eof;		/* the peer sends no more (closed, or shut its writing side) */
	int peer_closed;	/* the peer is gone: sends fail */
	int reset_seen;		/* TCP: the one write after the peer's close that "succeeds" */
	int error;		/* pending SO_ERROR (positive errno) */
	struct ucred_k peercred;
	int has_peercred;
	/* listening */
	struct socket *acc_head, *acc_tail, *acc_next;
	int backlog, nacc;
	/* connects in progress (SS_CONNECTING), completed as accept makes room */
	struct socket *pend_head, *pend_tail, *pend_next;
	struct socket *conn_listener;	/* SS_CONNECTING: where (referenced), and the address asked */
	uint8_t conn_addr[16];
	int conn_alen;
	struct ucred_k listen_cred;
	/* names (family format): local, and the peer's */
	uint8_t laddr[112], raddr[112];
	int llen, rlen;
	int bound;
	/* options */
	uint64_t rcvtimeo_ns, sndtimeo_ns;	/* 0: wait forever */
	int reuseaddr, keepalive, nodelay, passcred, broadcast, linger_on, linger_sec;
	/* family private */
	struct socket *bind_next;	/* the family's table of bound sockets */
	struct inode *ip;		/* AF_UNIX: the socket inode a path bind made */
};

/* A message being sent or received (sendmsg/recvmsg and all the simpler calls). */
struct msg_k {
	struct uio uio;
	const uint8_t *dest;	/* send: destination, or NULL */
	int destlen;
	uint8_t *src;		/* recv: the sender's address goes here (SADDR_MAX bytes), if not NULL */
	int srclen;
	uint64_t control;	/* user cmsg buffer */
	uint64_t controllen;	/* in: its size; out (recv): bytes written */
	int flags;		/* recv: MSG_TRUNC, MSG_CTRUNC out */
	struct file **fds;	/* SCM_RIGHTS files: send: taken from the caller; recv: received */
	int nfds;
	struct ucred_k cred;	/* recv: the sender of the first skb read */
	int has_cred;
};

extern const struct sock_family unix_family, inet_family;

/* kernel/net/socket.c: life, files, waiting */
struct socket *sock_new(const struct sock_family *fam, int type, int proto);
void sock_get(struct socket *s);
void sock_put(struct socket *s);
void sock_close(struct socket *s);
/* A socket's file, with SOCK_NONBLOCK in flags; -ENOMEM. Takes over the caller's ref. */
int sock_make_file(struct socket *s, int flags, struct file **out);
struct socket *sock_of_file(struct file *f);	/* NULL: not a socket */
void sock_wake(struct socket *s);
/* Park on q's wait queue until cond(arg); 0, -EAGAIN (nonblock, or the timeout ran out), -EINTR. */
int sock_wait(struct socket *q, int (*cond)(void *), void *arg, int nonblock, uint64_t timeo_ns);
struct ucred_k sock_cred_now(void);
void sock_sigpipe(int flags);
int sock_setsockopt(struct socket *s, int level, int name, uint64_t uval, uint32_t len);
int sock_getsockopt(struct socket *s, int level, int name, uint64_t uval, uint64_t ulen);

/* kernel/net/sockbuf.c: the shared data paths */
int sock_listen(struct socket *s, int backlog);
int sock_connect_stream(struct socket *s, const uint8_t *addr, int len, int nonblock);
int sock_accept(struct socket *l, int nonblock, struct socket **out);
long sock_send(struct socket *s, struct msg_k *m, int flags, int nonblock);
long sock_recv(struct socket *s, struct msg_k *m, int flags, int nonblock);
int sock_shutdown(struct socket *s, int how);
int sock_poll(struct socket *s);
long sock_nread(struct socket *s);	/* FIONREAD */
void sock_purge(struct socket *s);
/* s closes or its listener does: forget a connect in progress (refused if refused) */
void sock_connect_abort(struct socket *s, int refused);
/* Connect two fresh sockets to each other (socketpair). */
void sock_pair(struct socket *a, struct socket *b);
static inline int sock_connection(const struct socket *s) { return s->type != SOCK_DGRAM; }
