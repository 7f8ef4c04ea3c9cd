/*
 * Goldfish RTC (Android's goldfish virtual platform, QEMU virt at 0x101000):
 * a 64-bit count of nanoseconds since the epoch in two 32-bit registers.
 * Reading TIME_LOW latches the upper half, read next from TIME_HIGH; a write
 * to either half replaces that half of the current count, so a setter
 * writes TIME_HIGH, then TIME_LOW (as Linux's rtc-goldfish does).  The
 * alarm registers are not used.  Found through the DTB (plat.rtc_base).
 */
#include "drivers/rtc_goldfish.h"
#include "kernel/platform.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"

#define TIME_LOW  0x00
#define TIME_HIGH 0x04

/* the latch is one per device: a LOW/HIGH pair must not interleave with another hart's */
static struct spinlock rtc_lock = SPINLOCK_INIT("rtc");

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)((uint8_t *)PA2VA(plat.rtc_base) + off);
}

bool rtc_present(void)
{
	return plat.rtc_base != 0;
}

uint64_t rtc_read_ns(void)
{
	spin_lock(&rtc_lock);
	uint64_t lo = *reg(TIME_LOW);
	__asm__ volatile("fence i, i" ::: "memory");	/* the latching read before the latched one */
	uint64_t hi = *reg(TIME_HIGH);
	spin_unlock(&rtc_lock);
	return hi << 32 | lo;
}

void rtc_write_ns(uint64_t ns)
{
	spin_lock(&rtc_lock);
	*reg(TIME_HIGH) = (uint32_t)(ns >> 32);
	__asm__ volatile("fence o, o" ::: "memory");	/* the high half lands first */
	*reg(TIME_LOW) = (uint32_t)ns;
	spin_unlock(&rtc_lock);
}
