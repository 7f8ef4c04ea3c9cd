/* exitcode - exit with the status given as argv[1] (default 0). */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? (int)strtol(argv[1], NULL, 0) : 0;
}
