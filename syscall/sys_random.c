/*
 * getrandom(2) as Linux defines it: GRND_NONBLOCK fails with EAGAIN while
 * the generator is unseeded, otherwise the call waits (here: seeds from
 * timer jitter, as Linux does); GRND_RANDOM is the same pool since Linux
 * 5.6; GRND_INSECURE never waits and excludes GRND_RANDOM.  At most
 * MAX_RW_COUNT bytes per call, as since Linux 5.18 (the 33554431-byte limit
 * getrandom(2) still mentions was removed then; the host's kernel returns
 * 32 MiB + 4 KiB in one call, and so does duet); a fault after some bytes
 * returns the count so far.
 */
#include "syscall/sys.h"
#include "kernel/random.h"

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4
#define GETRANDOM_MAX 0x7ffff000UL	/* MAX_RW_COUNT: INT_MAX rounded down to a page */

SYSCALL(getrandom)
{
	unsigned flags = (unsigned)a[2];	/* an unsigned int in Linux: the upper half is ignored */
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (!(flags & GRND_INSECURE) && !random_ready()) {
		if (flags & GRND_NONBLOCK)
			return -EAGAIN;
		random_seed_from_jitter();
	}
	size_t n = a[1] > GETRANDOM_MAX ? GETRANDOM_MAX : a[1];
	return random_to_user(curmm(), a[0], n);
}
