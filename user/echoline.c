/*
 * echoline - read one line from stdin with read(2) and print "echo: <line>".
 * Reads until a newline or end of input; the newline is not echoed twice.
 */
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[1024];
	size_t len = 0;

	/* tells a test harness that the read below is about to block */
	if (write(1, "echoline: waiting\n", 18) != 18)
		return 1;

	while (len < sizeof line) {
		ssize_t n = read(0, line + len, sizeof line - len);
		if (n <= 0)
			break;
		char *nl = memchr(line + len, '\n', (size_t)n);
		if (nl) {
			len = (size_t)(nl - line);
			break;
		}
		len += (size_t)n;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (write(1, "echo: ", 6) != 6 || write(1, line, len) != (ssize_t)len ||
	    write(1, "\n", 1) != 1)
		return 1;
	return 0;
}
