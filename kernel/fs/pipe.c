/*
 * Pipes: a ring buffer of one page and two wait queues.  Readers park on
 * `readable`, writers on `writable`; each side wakes the other after it
 * moves data.  Runs on the syscall cpu (its executor serialises access).
 */
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "drivers/tty.h"
#include "kernel/pollwait.h"
#include "syscall/sys.h"

#define PIPE_SIZE PGSIZE

struct pipe {
	char *buf;
	uint64_t rpos, wpos;	/* free-running */
	int readers, writers;
	struct waitq readable, writable;
};

static long pipe_read(struct file *f, uint64_t ubuf, size_t n)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	if (p->rpos == p->wpos) {
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = wait_event(&p->readable, p->rpos != p->wpos || !p->writers,
				    signal_pending_now() ? -EINTR : 0);
		if (r)
			return r;
	}
	size_t done = 0;
	while (done < n && p->rpos != p->wpos) {
		size_t off = p->rpos % PIPE_SIZE;
		size_t c = PIPE_SIZE - off;
		if (c > p->wpos - p->rpos)
			c = p->wpos - p->rpos;
		if (c > n - done)
			c = n - done;
		if (copy_to_user(curmm(), ubuf + done, p->buf + off, c))
			return done ? (long)done : -EFAULT;
		p->rpos += c;
		done += c;
	}
	waitq_wake_all(&p->writable);
	poll_notify();
	return (long)done;
}

static long pipe_write(struct file *f, uint64_t ubuf, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	while (done < n) {
		if (!p->readers) {
			pipe_sigpipe();
			return done ? (long)done : -EPIPE;
		}
		if (p->wpos - p->rpos == PIPE_SIZE) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			long r = wait_event(&p->writable, p->wpos - p->rpos < PIPE_SIZE || !p->readers,
					    signal_pending_now() ? -EINTR : 0);
			if (r)
				return done ? (long)done : r;
			continue;
		}
		size_t off = p->wpos % PIPE_SIZE;
		size_t c = PIPE_SIZE - off;
		if (c > PIPE_SIZE - (p->wpos - p->rpos))
			c = PIPE_SIZE - (p->wpos - p->rpos);
		if (c > n - done)
			c = n - done;
		if (copy_from_user(curmm(), p->buf + off, ubuf + done, c))
			return done ? (long)done : -EFAULT;
		p->wpos += c;
		done += c;
		waitq_wake_all(&p->readable);
		poll_notify();
	}
	return (long)done;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	waitq_wake_all(&p->readable);
	waitq_wake_all(&p->writable);
	poll_notify();
	if (!p->readers && !p->writers) {
		page_free(p->buf);
		kfree(p);
	}
}

static int pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	int r = 0;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->rpos != p->wpos)
			r |= POLL_READABLE;
		if (!p->writers)
			r |= POLL_HANGUP;
	} else {
		if (p->wpos - p->rpos < PIPE_SIZE)
			r |= POLL_WRITABLE;
		if (!p->readers)
			r |= POLL_ERROR;
	}
	return r;
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .release = pipe_release, .poll = pipe_poll,
};


SYSCALL(pipe2)
{
	int flags = (int)a[1];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct pipe *p = kzalloc(sizeof *p);
	char *buf = p ? page_alloc() : NULL;
	struct file *r = buf ? file_alloc(&pipe_ops, NULL, O_RDONLY | (flags & O_NONBLOCK)) : NULL;
	struct file *w = r ? file_alloc(&pipe_ops, NULL, O_WRONLY | (flags & O_NONBLOCK)) : NULL;
	if (!w) {
		if (r)
			kfree(r);
		if (buf)
			page_free(buf);
		kfree(p);
		return -ENOMEM;
	}
	p->buf = buf;
	p->readers = p->writers = 1;
	waitq_init(&p->readable);
	waitq_init(&p->writable);
	r->priv = w->priv = p;
	struct proc *pr = curproc();
	int fds[2];
	fds[0] = fd_install(pr, r, 0, flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? -EMFILE : fd_install(pr, w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0 || copy_to_user(curmm(), a[0], fds, sizeof fds)) {
		if (fds[0] >= 0)
			pr->files[fds[0]] = NULL;
		if (fds[1] >= 0)
			pr->files[fds[1]] = NULL;
		file_put(r);
		file_put(w);
		return fds[1] < 0 ? -EMFILE : -EFAULT;
	}
	return 0;
}
