/*
 * Helpers shared by the host concurrency tests (ring, waker, idle): the
 * CHECK macro (prints a FAIL line, counts it, returns false), a monotonic
 * clock in seconds and a xorshift64* generator.  Header-only, one copy per
 * test program.
 */
#ifndef DUET_TESTS_HOST_HARNESS_H
#define DUET_TESTS_HOST_HARNESS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int failures __attribute__((unused));	/* CHECK counts here */

#define CHECK(cond, ...)                                                      \
        do {                                                                  \
                if (!(cond)) {                                                \
                        printf("FAIL %s:%d: ", __FILE__, __LINE__);           \
                        printf(__VA_ARGS__);                                  \
                        printf("\n");                                         \
                        fflush(stdout);                                       \
                        failures++;                                           \
                        return false;                                         \
                }                                                             \
        } while (0)

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
        uint64_t x = *s;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *s = x;
        return x * 0x2545f4914f6cdd1dull;
}

#endif
