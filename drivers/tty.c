/*
 * The console tty: a line discipline between the UART and read()/write().
 * Input arrives by interrupt (the UART's PLIC source is routed to the cpu
 * that runs syscalls), is edited and echoed here, and a completed line
 * wakes the readers parked on tty.readers.  Canonical mode with echo is
 * the default, as on Linux; TCSETS switches to raw.
 */
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "drivers/console.h"
#include "drivers/tty.h"
#include "kernel/pollwait.h"
#include <string.h>

#define TTY_BUF 1024

/* Linux asm-generic termios, 36 bytes on riscv64 */
struct termios_k {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
struct winsize_k { uint16_t row, col, xpixel, ypixel; };

#define ICRNL  0000400
#define OPOST  0000001
#define ONLCR  0000004
#define ISIG   0000001
#define ICANON 0000002
#define ECHO   0000010
#define ECHOE  0000020
#define ECHOK  0000040
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VMIN 6
#define VSUSP 10

static struct {
	struct spinlock lock;		/* input side: the IRQ and readers */
	char buf[TTY_BUF];		/* bytes ready for read() */
	unsigned head, tail;		/* free-running */
	char line[TTY_BUF];		/* canonical line being edited */
	unsigned line_len;
	int eof;			/* ^D on an empty line: one read returns 0 */
	struct termios_k tio;
	struct winsize_k ws;
	int pgrp;
	struct waitq readers;
} tty;

void tty_init(void)
{
	spin_init(&tty.lock, "tty");
	waitq_init(&tty.readers);
	tty.tio.c_iflag = ICRNL;
	tty.tio.c_oflag = OPOST | ONLCR;
	tty.tio.c_cflag = 0x00bf;	/* B38400 CS8 CREAD */
	tty.tio.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK;
	const uint8_t cc[] = { [VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21,
			       [VEOF] = 4, [VMIN] = 1, [VSUSP] = 26 };
	memcpy(tty.tio.c_cc, cc, sizeof cc);
	tty.ws = (struct winsize_k){ 24, 80, 0, 0 };
}

static void echo(const char *s, unsigned n)
{
	if (tty.tio.c_lflag & ECHO)
		kputs(s, n);
}

/* Caller holds tty.lock. */
static void push_ready(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n && tty.head - tty.tail < TTY_BUF; i++)
		tty.buf[tty.head++ % TTY_BUF] = s[i];
}

static void input_char(char c)
{
	if ((tty.tio.c_iflag & ICRNL) && c == '\r')
		c = '\n';
	if ((tty.tio.c_lflag & ISIG) && (c == tty.tio.c_cc[VINTR] || c == tty.tio.c_cc[VSUSP])) {
		echo(c == 3 ? "^C\n" : "^Z\n", 3);
		tty.line_len = 0;
		tty_signal(c == tty.tio.c_cc[VINTR] ? 2 : 20);	/* SIGINT, SIGTSTP */
		return;
	}
	if (!(tty.tio.c_lflag & ICANON)) {
		push_ready(&c, 1);
		echo(&c, 1);
		return;
	}
	if (c == tty.tio.c_cc[VERASE] || c == '\b') {
		if (tty.line_len) {
			tty.line_len--;
			echo("\b \b", 3);
		}
	} else if (c == tty.tio.c_cc[VEOF]) {
		if (tty.line_len == 0)
			tty.eof = 1;
		push_ready(tty.line, tty.line_len);
		tty.line_len = 0;
	} else if (c == tty.tio.c_cc[VKILL]) {
		while (tty.line_len) {
			tty.line_len--;
			echo("\b \b", 3);
		}
	} else if (tty.line_len < TTY_BUF - 1 || c == '\n') {
		tty.line[tty.line_len++] = c;
		echo(&c, 1);
		if (c == '\n') {
			push_ready(tty.line, tty.line_len);
			tty.line_len = 0;
		}
	}
}

/* PLIC handler for the console UART, on the syscall cpu. */
void tty_irq(unsigned irq)
{
	int c, any = 0;
	pr_trace("tty: irq %u\n", irq);
	spin_lock(&tty.lock);
	while ((c = console_getc()) >= 0) {
		input_char((char)c);
		any = 1;
	}
	int ready = tty.head != tty.tail || tty.eof;
	spin_unlock(&tty.lock);
	if (any && ready) {
		waitq_wake_all(&tty.readers);
		poll_notify();
	}
}


static int tty_has_input(void)
{
	spin_lock(&tty.lock);
	int r = tty.head != tty.tail || tty.eof;
	spin_unlock(&tty.lock);
	return r;
}

static long tty_read(struct file *f, uint64_t ubuf, size_t n)
{
	if (n == 0)
		return 0;
	if (!tty_has_input()) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = wait_event(&tty.readers, tty_has_input(), signal_pending_now() ? -EINTR : 0);
		if (r)
			return r;
	}
	char tmp[TTY_BUF];
	unsigned got = 0;
	spin_lock(&tty.lock);
	if (tty.head == tty.tail && tty.eof) {
		tty.eof = 0;
		spin_unlock(&tty.lock);
		return 0;
	}
	while (got < n && tty.tail != tty.head) {
		char c = tty.buf[tty.tail++ % TTY_BUF];
		tmp[got++] = c;
		if (c == '\n' && (tty.tio.c_lflag & ICANON))
			break;		/* canonical reads end at a line */
	}
	spin_unlock(&tty.lock);
	if (copy_to_user(curproc()->mm, ubuf, tmp, got))
		return -EFAULT;
	return got;
}

static long tty_write(struct file *f, uint64_t ubuf, size_t n)
{
	(void)f;
	char tmp[256];
	size_t done = 0;
	while (done < n) {
		size_t c = n - done < sizeof tmp ? n - done : sizeof tmp;
		if (copy_from_user(curproc()->mm, tmp, ubuf + done, c))
			return done ? (long)done : -EFAULT;
		kputs(tmp, c);	/* the console adds \r before \n (ONLCR) */
		done += c;
	}
	return (long)n;
}

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414

static long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	(void)f;
	struct mm *mm = curproc()->mm;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(mm, arg, &tty.tio, sizeof tty.tio) ? -EFAULT : 0;
	case TCSETS: case TCSETSW: case TCSETSF: {
		struct termios_k t;
		if (copy_from_user(mm, &t, arg, sizeof t))
			return -EFAULT;
		spin_lock(&tty.lock);
		tty.tio = t;
		if (cmd == TCSETSF)
			tty.tail = tty.head;
		spin_unlock(&tty.lock);
		return 0;
	}
	case TIOCGWINSZ:
		return copy_to_user(mm, arg, &tty.ws, sizeof tty.ws) ? -EFAULT : 0;
	case TIOCSWINSZ:
		return copy_from_user(mm, &tty.ws, arg, sizeof tty.ws) ? -EFAULT : 0;
	case TIOCGPGRP:
		return copy_to_user(mm, arg, &tty.pgrp, sizeof tty.pgrp) ? -EFAULT : 0;
	case TIOCSPGRP:
		return copy_from_user(mm, &tty.pgrp, arg, sizeof tty.pgrp) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

int tty_foreground_pgrp(void) { return tty.pgrp; }
void tty_set_foreground(int pgrp) { tty.pgrp = pgrp; }

static int tty_poll(struct file *f)
{
	(void)f;
	return (tty_has_input() ? 1 : 0) | 2;
}

const struct file_ops tty_ops = {
	.read = tty_read, .write = tty_write, .ioctl = tty_ioctl, .poll = tty_poll,
};
