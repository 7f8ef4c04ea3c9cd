/*
 * The generator's bytes to user space: random_to_user (getrandom,
 * syscall/sys_random.c) and the /dev/random and /dev/urandom devices.
 * Each request takes its own key from the generator (random_request_key)
 * and produces its bytes outside the generator's lock.
 */
#include "kernel/random.h"
#include "kernel/chacha20.h"
#include "kernel/uvm.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/param.h"
#include "drivers/tty.h"
#include "sched/thread.h"

/* The next piece of a user copy: at most cap bytes, never across a page, so a
 * fault stops the copy exactly at the faulting page (Linux's counts). */
static size_t piece(uint64_t uaddr, size_t left, size_t cap)
{
	size_t to_page = PGSIZE - (uaddr & (PGSIZE - 1));
	size_t c = left < cap ? left : cap;
	return c < to_page ? c : to_page;
}

/* Every 64 KiB of a long copy: true if a signal should end it; else let others run. */
static bool long_copy_break(size_t done, size_t *checked)
{
	if (done - *checked < 64 * 1024)
		return false;
	*checked = done;
	if (signal_pending_now())
		return true;	/* Linux: a partial count, never -EINTR after data */
	thread_yield();		/* a 32 MiB request must not hold the cpu */
	return false;
}

long random_to_user(struct mm *mm, uint64_t ubuf, size_t n)
{
	uint8_t buf[1024];	/* one user-memory walk per KiB; a kernel stack is 16 KiB */
	uint32_t k[8], ctr = 0;
	size_t done = 0, checked = 0;
	random_request_key(k);
	while (done < n) {
		size_t c = piece(ubuf + done, n - done, sizeof buf);
		crng_stream(k, &ctr, buf, c);
		if (copy_to_user(mm, ubuf + done, buf, c))
			break;
		done += c;
		if (done < n && long_copy_break(done, &checked))
			break;
	}
	wipe(k, sizeof k);
	wipe(buf, sizeof buf);
	return done ? (long)done : n ? -EFAULT : 0;
}

/* ---- /dev/random, /dev/urandom ---- */

static long urandom_read(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	return random_to_user(curproc()->mm, ubuf, n);
}

static long random_read(struct file *f, uint64_t ubuf, size_t n)
{
	if (!random_ready()) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		random_seed_from_jitter();
	}
	return random_to_user(curproc()->mm, ubuf, n);
}

/* Writes are mixed in, never credited (Linux: only RNDADDENTROPY credits). */
static long random_write(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	uint8_t buf[1024];
	size_t done = 0, checked = 0;
	while (done < n) {
		size_t c = piece(ubuf + done, n - done, sizeof buf);
		if (copy_from_user(curproc()->mm, buf, ubuf + done, c))
			break;
		random_mix(buf, c);
		done += c;
		if (done < n && long_copy_break(done, &checked))
			break;
	}
	wipe(buf, sizeof buf);
	return done ? (long)done : n ? -EFAULT : 0;
}

/*
 * Readable once seeded.  Nothing seeds the generator in the background, so a
 * poller would wait forever: it seeds from jitter, as a blocking read would.
 */
static int random_poll(struct file *f)
{
	(void)f;
	random_seed_from_jitter();
	return 3;
}

static int always_ready(struct file *f) { (void)f; return 3; }

const struct file_ops random_dev_ops = { .read = random_read, .write = random_write, .poll = random_poll };
const struct file_ops urandom_dev_ops = { .read = urandom_read, .write = random_write, .poll = always_ready };
