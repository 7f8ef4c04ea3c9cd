/* hello - the smallest user program: one line on stdout, exit 0. */
#include <stdio.h>

int main(void)
{
	puts("hello from user space");
	return 0;
}
