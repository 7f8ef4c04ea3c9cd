/* crash: dereferences a null pointer; the kernel must kill it with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	volatile int *p = (int *)0;
	printf("crash: about to fault\n");
	fflush(stdout);
	*p = 1;
	printf("crash: still alive?!\n");
	return 0;
}
