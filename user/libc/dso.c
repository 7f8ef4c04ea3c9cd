/*
 * libduetdso.so: the shared object dyntest dlopens.  No libc calls, so the
 * one object serves the glibc and the musl program alike; its constructor
 * and its data relocation show that the loader ran both.
 */
static int base;
static const char *name = "duet-dso";	/* a relative relocation in .data */

__attribute__((constructor)) static void dso_init(void)
{
	base = 40;
}

int dso_answer(int x)
{
	return base + x;
}

const char *dso_name(void)
{
	return name;
}
