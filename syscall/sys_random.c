/* getrandom(2), with the flags and limits Linux (5.6 and later) gives it. */
#include "syscall/sys.h"
#include "kernel/random.h"

#define GRND_NONBLOCK	0x0001
#define GRND_RANDOM	0x0002	/* since Linux 5.6: the same pool, the same blocking rule */
#define GRND_INSECURE	0x0004	/* never wait, even before the generator is ready */
/* The man page's per-call limit (INT_MAX >> 6); larger requests get a partial count. */
#define GETRANDOM_MAX	33554431UL

SYSCALL(getrandom)
{
	unsigned flags = (unsigned)a[2];	/* an unsigned int in Linux: the upper bits are not looked at */
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (!(flags & GRND_INSECURE)) {
		int err = random_wait_ready(flags & GRND_NONBLOCK);
		if (err)
			return err;
	}
	return random_read_user(a[0], a[1] > GETRANDOM_MAX ? GETRANDOM_MAX : a[1]);
}
