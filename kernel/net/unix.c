/*
 * AF_UNIX names (unix(7)): a path binds a socket inode (S_IFSOCK) into the
 * filesystem, a name starting with NUL is abstract (bytes, no inode), and
 * a bind with only the family picks an abstract name of 5 hex digits, as
 * Linux's autobind does.  Every bound socket sits on one list; connect and
 * sendto look a name up there (a path by its inode).  The data paths are
 * kernel/net/sockbuf.c's.  Syscall cpu only.
 */
#include "kernel/net/socket.h"
#include "kernel/fs/vfs.h"
#include "kernel/fs/mount.h"
#include "kernel/proc.h"
#include "kernel/perm.h"
#include "kernel/errno.h"
#include <string.h>

#define UNIX_ADDR_MAX 110	/* sizeof(struct sockaddr_un) */

static struct socket *unix_bound;	/* every bound AF_UNIX socket, by bind_next */
static unsigned autobind_next;

/* The path of a filesystem name, NUL-terminated, into path[UNIX_ADDR_MAX - 1]. */
static void addr_path(const uint8_t *addr, int len, char *path)
{
	size_t n = strnlen((const char *)addr + 2, (size_t)len - 2);
	memcpy(path, addr + 2, n);
	path[n] = 0;
}

static int check_addr(const uint8_t *addr, int len)
{
	if (len < 2 || len > UNIX_ADDR_MAX)
		return -EINVAL;
	uint16_t fam;
	memcpy(&fam, addr, 2);
	return fam == AF_UNIX ? 0 : -EINVAL;
}

static int same_inode(struct inode *a, struct inode *b)
{
	return a == b || (a->ino == b->ino && disk_inode_dev(a) == disk_inode_dev(b));
}

static struct socket *find_abstract(const uint8_t *addr, int len)
{
	for (struct socket *b = unix_bound; b; b = b->bind_next)
		if (!b->ip && b->llen == len && !memcmp(b->laddr, addr, (size_t)len))
			return b;
	return NULL;
}

static void add_bound(struct socket *s)
{
	s->bound = 1;
	s->bind_next = unix_bound;
	unix_bound = s;
}

static int unix_autobind(struct socket *s)
{
	uint8_t a[8] = { AF_UNIX, 0, 0 };
	for (int tries = 0; tries < 0x100000; tries++) {
		unsigned v = autobind_next++ & 0xfffff;
		for (int i = 0; i < 5; i++)
			a[3 + i] = "0123456789abcdef"[(v >> (4 * (4 - i))) & 15];
		if (!find_abstract(a, sizeof a)) {
			memcpy(s->laddr, a, sizeof a);
			s->llen = sizeof a;
			add_bound(s);
			return 0;
		}
	}
	return -ENOSPC;		/* Linux: every autobind name taken */
}

/* A path bind makes the socket inode (EADDRINUSE if the name exists), mode 0777 & ~umask. */
static int bind_path(struct socket *s, const uint8_t *addr, int len)
{
	char path[UNIX_ADDR_MAX];
	addr_path(addr, len, path);
	struct inode *dir, *ip;
	char last[NAME_MAX + 1];
	int err = vfs_lookup_parent(curproc()->cwd, path, &dir, last);
	if (err)
		return err;
	err = may_create(dir);
	if (!err)
		err = vfs_create(dir, last, S_IFSOCK | (0777 & ~curproc()->umask), 0, &ip);
	inode_put(dir);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	s->ip = ip;
	s->llen = 2 + (int)strlen(path) + 1;
	memcpy(s->laddr, addr, 2);
	memcpy(s->laddr + 2, path, strlen(path) + 1);
	add_bound(s);
	return 0;
}

static int unix_bind(struct socket *s, const uint8_t *addr, int len)
{
	int err = check_addr(addr, len);
	if (err)
		return err;
	if (s->bound)
		return -EINVAL;
	if (len == 2)
		return unix_autobind(s);
	if (addr[2] != 0)
		return bind_path(s, addr, len);
	if (find_abstract(addr, len))
		return -EADDRINUSE;
	memcpy(s->laddr, addr, (size_t)len);
	s->llen = len;
	add_bound(s);
	return 0;
}

/* The socket bound to addr, referenced: ECONNREFUSED if none, EPROTOTYPE if of another type. */
static int lookup(const uint8_t *addr, int len, int type, struct socket **out)
{
	int err = check_addr(addr, len);
	if (err)
		return err;
	if (len == 2)
		return -EINVAL;
	struct socket *found = NULL;
	if (addr[2] == 0) {
		found = find_abstract(addr, len);
	} else {
		char path[UNIX_ADDR_MAX];
		struct inode *ip;
		addr_path(addr, len, path);
		err = vfs_lookup(curproc()->cwd, path, 1, &ip);
		if (err)
			return err;
		if (!S_ISSOCK(ip->mode))
			err = -ECONNREFUSED;
		else
			err = inode_permission(ip, MAY_WRITE);	/* connecting writes to the socket */
		for (struct socket *b = unix_bound; !err && b && !found; b = b->bind_next)
			if (b->ip && same_inode(b->ip, ip))
				found = b;
		inode_put(ip);
		if (err)
			return err;
	}
	if (!found || found->closed)
		return -ECONNREFUSED;
	if (found->type != type)
		return -EPROTOTYPE;
	sock_get(found);
	*out = found;
	return 0;
}

static int unix_find_listener(struct socket *s, const uint8_t *addr, int len, struct socket **out)
{
	return lookup(addr, len, s->type, out);
}

static int unix_find_dgram(struct socket *s, const uint8_t *addr, int len, struct socket **out)
{
	if (addr)
		return lookup(addr, len, SOCK_DGRAM, out);
	struct socket *p = s->peer;
	if (p && p->closed) {
		/* Linux: the first send after the peer died is refused, and disconnects */
		s->peer = NULL;
		sock_put(p);
		return -ECONNREFUSED;
	}
	if (!p && s->peer_closed) {
		s->peer_closed = 0;
		return -ECONNREFUSED;
	}
	if (!p)
		return -ENOTCONN;
	sock_get(p);
	*out = p;
	return 0;
}

static int unix_dgram_connect(struct socket *s, const uint8_t *addr, int len)
{
	uint16_t fam = 0;
	if (len >= 2)
		memcpy(&fam, addr, 2);
	struct socket *p = NULL;
	if (fam != AF_UNSPEC) {
		int err = lookup(addr, len, SOCK_DGRAM, &p);
		if (err)
			return err;
	}
	if (s->peer)
		sock_put(s->peer);
	s->peer = p;
	s->peer_closed = 0;
	s->rlen = p ? p->llen : 0;
	if (p)
		memcpy(s->raddr, p->laddr, (size_t)p->llen);
	return 0;
}

/* Linux's unix_may_send: a socket connected elsewhere takes datagrams only from its peer. */
static int unix_dgram_filter(struct socket *s, struct socket *d)
{
	return d->peer && d->peer != s ? -EPERM : 0;
}

static void unix_connected(struct socket *l, struct socket *c, struct socket *n,
			   const uint8_t *addr, int len)
{
	(void)addr, (void)len;
	memcpy(n->laddr, l->laddr, (size_t)l->llen);	/* the accepted end carries the listener's name */
	n->llen = l->llen;
	memcpy(c->raddr, l->laddr, (size_t)l->llen);
	c->rlen = l->llen;
	memcpy(n->raddr, c->laddr, (size_t)c->llen);
	n->rlen = c->llen;
}

static void unix_unbind(struct socket *s)
{
	if (!s->bound)
		return;	/* accepted ends carry the listener's name but are not on the list */
	for (struct socket **pp = &unix_bound; *pp; pp = &(*pp)->bind_next)
		if (*pp == s) {
			*pp = s->bind_next;
			break;
		}
	if (s->ip)
		inode_put(s->ip);	/* the inode stays in the filesystem, as on Linux */
	s->ip = NULL;
	s->bound = 0;
}

const struct sock_family unix_family = {
	.family = AF_UNIX,
	.bind = unix_bind,
	.find_listener = unix_find_listener,
	.find_dgram = unix_find_dgram,
	.dgram_connect = unix_dgram_connect,
	.connected = unix_connected,
	.dgram_filter = unix_dgram_filter,
	.unbind = unix_unbind,
};
