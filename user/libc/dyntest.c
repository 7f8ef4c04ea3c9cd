/*
 * dyntest: a dynamically linked program (PT_INTERP) that dlopens
 * /lib/libduetdso.so, calls into it and closes it; built against musl and
 * glibc (mk/userlibc.mk).  Ends with "N passed, N failed".
 */
#include "../ut.h"
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <elf.h>

int main(int argc, char **argv)
{
	(void)argc;
	unsigned long base = getauxval(AT_BASE), entry = getauxval(AT_ENTRY);
	UT_CHECK("auxv-interp-base", base != 0 && entry != 0 && base != entry,
		 "AT_BASE %#lx AT_ENTRY %#lx", base, entry);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	UT_CHECK("auxv-execfn", fn && !strcmp(fn, argv[0]), "AT_EXECFN %s argv[0] %s",
		 fn ? fn : "NULL", argv[0]);
	void *h = dlopen("/lib/libduetdso.so", RTLD_NOW);
	UT_CHECK("dlopen", h != NULL, "dlopen: %s", dlerror());
	if (h) {
		int (*answer)(int) = (int (*)(int))dlsym(h, "dso_answer");
		const char *(*name)(void) = (const char *(*)(void))dlsym(h, "dso_name");
		UT_CHECK("dlsym-call", answer && answer(2) == 42, "dso_answer(2) = %d",
			 answer ? answer(2) : -1);
		UT_CHECK("dso-relocated-data", name && !strcmp(name(), "duet-dso"), "dso_name %s",
			 name ? name() : "NULL");
		UT_CHECK("dlsym-missing", dlsym(h, "no_such_symbol") == NULL, "found a missing symbol");
		UT_CHECK("dlclose", dlclose(h) == 0, "dlclose: %s", dlerror());
	}
	UT_CHECK("dlopen-missing", dlopen("/lib/no-such-lib.so", RTLD_NOW) == NULL,
		 "opened a missing library");
	printf("%d passed, %d failed\n", ut_npass, ut_nfail);
	return ut_nfail != 0;
}
