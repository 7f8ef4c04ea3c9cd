/*
 * getrandom(2) as Linux defines it: GRND_NONBLOCK fails with EAGAIN while
 * the generator is unseeded, otherwise the call waits (here: seeds from
 * timer jitter, as Linux does); GRND_RANDOM is the same pool since Linux
 * 5.6; GRND_INSECURE never waits and excludes GRND_RANDOM.  At most
 * 33554431 bytes per call (getrandom(2)); a fault after some bytes returns
 * the count so far.
 */
#include "syscall/sys.h"
#include "kernel/random.h"

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4
#define GETRANDOM_MAX 33554431UL	/* INT_MAX >> 6, the limit getrandom(2) documents */

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
