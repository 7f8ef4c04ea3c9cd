/* Kernel log: levelled lines with time and cpu, never interleaved. */
#pragma once
#include <stdarg.h>

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern int log_level;

int printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unprefixed console output (user-visible banners, tty echo). */
void kputs(const char *s, unsigned long n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_level_parse(const char *s);
/* Copy the most recent log bytes (for dmesg); returns bytes copied. */
unsigned long dmesg_read(char *dst, unsigned long off, unsigned long n);

#define pr_err(...)   printk(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
/* the level test inline: a disabled trace costs a load, not a varargs call */
#define pr_debug(...) do { if (log_level >= LOG_DEBUG) printk(LOG_DEBUG, __VA_ARGS__); } while (0)
#define pr_trace(...) do { if (log_level >= LOG_TRACE) printk(LOG_TRACE, __VA_ARGS__); } while (0)

#define BUG_ON(c) do { if (c) panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)
