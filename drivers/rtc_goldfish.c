/*
 * Goldfish RTC (QEMU hw/rtc/goldfish_rtc.c): a 64-bit count of nanoseconds
 * since the epoch in two 32-bit registers.  Reading TIME_LOW latches the
 * high half into TIME_HIGH, so a read is LOW then HIGH; a write is HIGH
 * then LOW, each half replacing its part of the current count (as Linux's
 * rtc-goldfish does).  The alarm and its interrupt are not used.
 */
#include "drivers/rtc.h"
#include "kernel/platform.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"

#define TIME_LOW	0x00
#define TIME_HIGH	0x04

/* The latch is device state: two harts reading at once could tear it. */
static struct spinlock rtc_lock = SPINLOCK_INIT("rtc");

static volatile uint32_t *rtc_reg(unsigned off)
{
	return (volatile uint32_t *)((uint8_t *)PA2VA(plat.rtc_base) + off);
}

/* Device accesses in program order: the second one depends on the first's side effect. */
static inline void io_fence(void) { __asm__ volatile("fence io, io" ::: "memory"); }

bool rtc_present(void) { return plat.rtc_base != 0; }

uint64_t rtc_read_ns(void)
{
	spin_lock(&rtc_lock);
	uint32_t lo = *rtc_reg(TIME_LOW);
	io_fence();
	uint32_t hi = *rtc_reg(TIME_HIGH);
	spin_unlock(&rtc_lock);
	return (uint64_t)hi << 32 | lo;
}

void rtc_write_ns(uint64_t ns)
{
	spin_lock(&rtc_lock);
	*rtc_reg(TIME_HIGH) = (uint32_t)(ns >> 32);
	io_fence();
	*rtc_reg(TIME_LOW) = (uint32_t)ns;
	spin_unlock(&rtc_lock);
}
