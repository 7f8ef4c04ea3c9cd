/*
 * AF_INET over loopback only (docs/SOCKETS.md): there is no NIC, so the
 * addresses are 127.0.0.0/8 and INADDR_ANY, and a "packet" never leaves
 * the machine.  This file only names endpoints: one table of bound sockets
 * per protocol (TCP, UDP), ports 1..65535 (below 1024 for root only), port
 * 0 picks an ephemeral one from Linux's 32768..60999.  TCP is the byte
 * stream of kernel/net/sockbuf.c, UDP its datagrams, with the semantics a
 * user sees through Linux's lo: ECONNREFUSED with no listener, a lost
 * datagram when nobody is bound (and ECONNREFUSED on a connected UDP
 * socket's next call, the ICMP "port unreachable" Linux reports).
 * Syscall cpu only.
 */
#include "kernel/net/socket.h"
#include "kernel/cred.h"
#include "kernel/errno.h"
#include <string.h>

struct sockaddr_in_k {
	uint16_t family;
	uint16_t port;		/* network order */
	uint32_t addr;		/* network order */
	uint8_t zero[8];
};
_Static_assert(sizeof(struct sockaddr_in_k) == 16, "struct sockaddr_in");

#define EPHEMERAL_LO 32768
#define EPHEMERAL_HI 60999
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

static struct socket *bound[2];	/* [0] TCP, [1] UDP, by bind_next */
static unsigned next_ephemeral;

static uint16_t bswap16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }
static uint32_t loopback_ip(void) { return __builtin_bswap32(0x7f000001); }
static int is_loopback(uint32_t ip) { return (ip & 0xff) == 127; }	/* 127.0.0.0/8, network order */
static int table_of(struct socket *s) { return s->type == SOCK_DGRAM; }

static struct sockaddr_in_k name_of(const uint8_t *raw)
{
	struct sockaddr_in_k a;
	memcpy(&a, raw, sizeof a);
	return a;
}

static void set_name(uint8_t *raw, int *len, uint32_t ip, uint16_t port_net)
{
	struct sockaddr_in_k a = { AF_INET, port_net, ip, { 0 } };
	memcpy(raw, &a, sizeof a);
	*len = sizeof a;
}

/* An address from the user: EINVAL if short, EAFNOSUPPORT if of another family. */
static int read_addr(const uint8_t *addr, int len, struct sockaddr_in_k *a)
{
	if (!addr || len < (int)sizeof *a)
		return -EINVAL;
	*a = name_of(addr);
	return a->family == AF_INET ? 0 : -EAFNOSUPPORT;
}

/* Does (ip, port) clash with a socket already bound in s's table (bind(2)'s EADDRINUSE)? */
static int port_in_use(struct socket *s, uint32_t ip, uint16_t port_net)
{
	for (struct socket *b = bound[table_of(s)]; b; b = b->bind_next) {
		struct sockaddr_in_k n = name_of(b->laddr);
		if (b == s || n.port != port_net || (n.addr && ip && n.addr != ip))
			continue;
		/* SO_REUSEADDR on both shares a port, but never with a TCP listener */
		if (s->reuseaddr && b->reuseaddr && (s->type == SOCK_DGRAM || b->state != SS_LISTENING))
			continue;
		return 1;
	}
	return 0;
}

static void add_bound(struct socket *s, uint32_t ip, uint16_t port_net)
{
	set_name(s->laddr, &s->llen, ip, port_net);
	s->bound = 1;
	s->bind_next = bound[table_of(s)];
	bound[table_of(s)] = s;
}

static int bind_ephemeral(struct socket *s, uint32_t ip)
{
	unsigned range = EPHEMERAL_HI - EPHEMERAL_LO + 1;
	for (unsigned i = 0; i < range; i++) {
		uint16_t port = bswap16((uint16_t)(EPHEMERAL_LO + next_ephemeral++ % range));
		if (!port_in_use(s, ip, port)) {
			add_bound(s, ip, port);
			return 0;
		}
	}
	return -EADDRINUSE;	/* Linux: every ephemeral port taken */
}

static int inet_bind(struct socket *s, const uint8_t *addr, int len)
{
	struct sockaddr_in_k a;
	int err = read_addr(addr, len, &a);
	if (err == -EAFNOSUPPORT && a.family == AF_UNSPEC && a.addr == 0)
		err = 0;	/* Linux takes AF_UNSPEC with INADDR_ANY, for old programs */
	if (err)
		return err;
	if (s->bound)
		return -EINVAL;
	if (a.addr && !is_loopback(a.addr))
		return -EADDRNOTAVAIL;	/* no NIC: only loopback addresses are ours */
	uint16_t port = bswap16(a.port);
	if (port && port < 1024 && !cred_is_root())
		return -EACCES;		/* CAP_NET_BIND_SERVICE */
	if (!port)
		return bind_ephemeral(s, a.addr);
	if (port_in_use(s, a.addr, a.port))
		return -EADDRINUSE;
	add_bound(s, a.addr, a.port);
	return 0;
}

static int inet_autobind(struct socket *s)
{
	return bind_ephemeral(s, 0);
}

/* The socket of s's protocol at (ip, port): an exact address beats INADDR_ANY. */
static struct socket *find(int table, uint32_t ip, uint16_t port_net, int listening)
{
	struct socket *any = NULL;
	for (struct socket *b = bound[table]; b; b = b->bind_next) {
		struct sockaddr_in_k n = name_of(b->laddr);
		if (n.port != port_net || b->closed || (listening && b->state != SS_LISTENING))
			continue;
		if (n.addr == ip)
			return b;
		if (!n.addr && !any)
			any = b;
	}
	return any;
}

/* A destination: INADDR_ANY means this host (127.0.0.1); anything off loopback is unreachable. */
static int dest_ip(uint32_t ip, uint32_t *out)
{
	*out = ip ? ip : loopback_ip();
	return is_loopback(*out) ? 0 : -ENETUNREACH;
}

static int inet_find_listener(struct socket *s, const uint8_t *addr, int len, struct socket **out)
{
	struct sockaddr_in_k a;
	uint32_t ip;
	int err = read_addr(addr, len, &a);
	if (!err)
		err = dest_ip(a.addr, &ip);
	if (err)
		return err;
	struct socket *l = a.port ? find(table_of(s), ip, a.port, 1) : NULL;
	if (!l)
		return -ECONNREFUSED;	/* loopback answers a SYN to a closed port with a reset */
	sock_get(l);
	*out = l;
	return 0;
}

static void inet_connected(struct socket *l, struct socket *c, struct socket *n,
			   const uint8_t *addr, int len)
{
	(void)len;
	struct sockaddr_in_k a = name_of(addr), lc = name_of(c->laddr), ll = name_of(l->laddr);
	uint32_t ip = a.addr ? a.addr : loopback_ip();
	if (!lc.addr)
		set_name(c->laddr, &c->llen, loopback_ip(), lc.port);	/* the source route picks */
	set_name(c->raddr, &c->rlen, ip, a.port);
	set_name(n->laddr, &n->llen, ip, ll.port);
	memcpy(n->raddr, c->laddr, (size_t)c->llen);
	n->rlen = c->llen;
}

static int inet_find_dgram(struct socket *s, const uint8_t *addr, int len, struct socket **out)
{
	struct sockaddr_in_k a;
	if (addr) {
		int err = read_addr(addr, len, &a);
		if (err)
			return err;
	} else if (s->rlen) {
		a = name_of(s->raddr);
	} else {
		return -EDESTADDRREQ;
	}
	uint32_t ip;
	int err = dest_ip(a.addr, &ip);
	if (err)
		return err;
	if (!a.port)
		return -EINVAL;		/* Linux: UDP to port 0 */
	struct socket *d = find(1, ip, a.port, 0);
	*out = d;
	if (d)
		sock_get(d);
	else if (s->rlen)
		s->error = ECONNREFUSED;	/* ICMP port unreachable, for a connected socket */
	return 0;
}

static int inet_dgram_connect(struct socket *s, const uint8_t *addr, int len)
{
	struct sockaddr_in_k a;
	if (len >= 2 && addr[0] == AF_UNSPEC && addr[1] == 0) {
		s->rlen = 0;		/* AF_UNSPEC: dissolve the association */
		return 0;
	}
	uint32_t ip;
	int err = read_addr(addr, len, &a);
	if (!err)
		err = dest_ip(a.addr, &ip);
	if (!err && !s->bound)
		err = bind_ephemeral(s, 0);
	if (err)
		return err;
	struct sockaddr_in_k l = name_of(s->laddr);
	if (!l.addr)
		set_name(s->laddr, &s->llen, loopback_ip(), l.port);
	set_name(s->raddr, &s->rlen, ip, a.port);
	s->error = 0;
	return 0;
}

/* A connected UDP socket takes datagrams only from the address it is connected to. */
static int inet_dgram_filter(struct socket *s, struct socket *d)
{
	if (!d->rlen)
		return 0;
	struct sockaddr_in_k want = name_of(d->raddr), from = name_of(s->laddr);
	if (!from.addr)
		from.addr = loopback_ip();
	return want.port == from.port && want.addr == from.addr ? 0 : 1;
}

static void inet_unbind(struct socket *s)
{
	if (!s->bound)
		return;
	for (struct socket **pp = &bound[table_of(s)]; *pp; pp = &(*pp)->bind_next)
		if (*pp == s) {
			*pp = s->bind_next;
			break;
		}
	s->bound = 0;
}

const struct sock_family inet_family = {
	.family = AF_INET,
	.bind = inet_bind,
	.autobind = inet_autobind,
	.find_listener = inet_find_listener,
	.find_dgram = inet_find_dgram,
	.dgram_connect = inet_dgram_connect,
	.connected = inet_connected,
	.dgram_filter = inet_dgram_filter,
	.unbind = inet_unbind,
};
