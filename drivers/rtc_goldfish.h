/* The wall-clock chip: QEMU virt's google,goldfish-rtc (drivers/rtc_goldfish.c). */
#pragma once
#include <stdint.h>
#include <stdbool.h>

bool rtc_present(void);
/* Nanoseconds since the epoch, UTC.  Only when rtc_present(). */
uint64_t rtc_read_ns(void);
void rtc_write_ns(uint64_t ns);
