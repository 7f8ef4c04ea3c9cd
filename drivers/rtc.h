/*
 * The real-time clock: QEMU virt's google,goldfish-rtc (drivers/rtc_goldfish.c)
 * and its character device /dev/rtc0 with Linux's RTC_RD_TIME and
 * RTC_SET_TIME (drivers/rtc.c).  Design: docs/DEVICES.md.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define RTC_MAJOR 254		/* Linux's rtc class gets a dynamic major; 254 is the usual one */

bool rtc_present(void);
/* Nanoseconds since the epoch as the RTC keeps them; rtc_present() only. */
uint64_t rtc_read_ns(void);
void rtc_write_ns(uint64_t ns);

struct file_ops;
extern const struct file_ops rtc_ops;	/* /dev/rtc0, /dev/misc/rtc */
/* Boot, once /dev exists: the device nodes, only if there is an RTC. */
void rtc_make_nodes(void);
