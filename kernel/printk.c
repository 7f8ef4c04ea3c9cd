/*
 * printk formats a whole line into a local buffer (picolibc's integer-only
 * vsnprintf), then writes it to the console under one lock, so lines from
 * two harts never interleave mid-line.  Every line is also kept in a ring
 * for dmesg.  Before the console driver is up, output goes through SBI.
 */
#include "kernel/printk.h"
#include "kernel/cpu.h"
#include "kernel/param.h"
#include "kernel/platform.h"
#include "kernel/spinlock.h"
#include "kernel/trap.h"
#include "drivers/console.h"
#include <stdio.h>
#include <string.h>

int log_level = LOG_INFO;
static struct spinlock con_lock = SPINLOCK_INIT("console");
static char dmesg_buf[DMESG_SIZE];
static unsigned long dmesg_head;	/* total bytes ever logged; under con_lock */
static atomic_int panicking = -1;	/* cpu that panicked: it bypasses the lock */

static const char *const level_names[] = { "ERROR", "WARN ", "INFO ", "DEBUG", "TRACE" };

int log_level_parse(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug", "trace" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void dmesg_append(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		dmesg_buf[(dmesg_head + i) % DMESG_SIZE] = s[i];
	dmesg_head += n;
}

unsigned long dmesg_read(char *dst, unsigned long off, unsigned long n)
{
	spin_lock(&con_lock);
	unsigned long first = dmesg_head > DMESG_SIZE ? dmesg_head - DMESG_SIZE : 0;
	unsigned long done = 0;
	for (unsigned long p = first + off; p < dmesg_head && done < n; p++)
		dst[done++] = dmesg_buf[p % DMESG_SIZE];
	spin_unlock(&con_lock);
	return done;
}

static void emit(const char *s, unsigned long n, int log)
{
	int me = cpuid();
	int locked = atomic_load(&panicking) != me || me < 0;
	if (locked)
		spin_lock(&con_lock);
	console_write(s, n);
	if (log)
		dmesg_append(s, n);
	if (locked)
		spin_unlock(&con_lock);
}

void kputs(const char *s, unsigned long n)
{
	emit(s, n, 0);
}

static int vprintk(int level, const char *fmt, va_list ap)
{
	char line[PRINTK_LINE_MAX];
	uint64_t t = r_time();
	uint64_t tb = plat.timebase ? plat.timebase : 10000000;
	int n = snprintf(line, sizeof line, "[%5lu.%06lu %s cpu%d] ",
			 (unsigned long)(t / tb), (unsigned long)(t % tb * 1000000 / tb),
			 level_names[level], cpuid() < 0 ? 0 : cpuid());
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	int len = n + m;
	if (len >= (int)sizeof line - 1) {
		len = sizeof line - 2;
		line[len++] = '\n';
	}
	if (len > 0 && line[len - 1] != '\n')
		line[len++] = '\n';
	emit(line, (unsigned long)len, 1);
	return len;
}

int printk(int level, const char *fmt, ...)
{
	if (level > log_level && level != LOG_ERROR)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int r = vprintk(level, fmt, ap);
	va_end(ap);
	return r;
}

int kprintf(const char *fmt, ...)
{
	char buf[PRINTK_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	emit(buf, (unsigned long)n, 1);
	return n;
}

_Noreturn void panic(const char *fmt, ...)
{
	intr_off();
	int expect = -1;
	if (!atomic_compare_exchange_strong(&panicking, &expect, cpuid()) && expect == cpuid())
		for (;;)
			wfi();	/* panic inside panic: stop here */
	va_list ap;
	va_start(ap, fmt);
	char msg[160];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pr_err("panic: %s\n", msg);
	backtrace(r_fp());
	system_halt(1);
}
