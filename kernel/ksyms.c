/*
 * Symbol lookup for backtraces.  The build links the kernel twice: the
 * second link adds a table generated from the first one's `nm -n` output
 * (scripts/gen-ksyms.sh), in the .ksyms section placed after the text so
 * text addresses do not move between the links.
 */
#include "kernel/trap.h"
#include <stdint.h>

struct ksym { uint64_t addr; uint32_t name_off; uint32_t pad; };

extern const struct ksym ksym_table[];
extern const uint64_t ksym_count;
extern const char ksym_names[];

const char *ksym_lookup(uint64_t addr, uint64_t *off)
{
	*off = 0;
	if (ksym_count == 0 || addr < ksym_table[0].addr)
		return "?";
	uint64_t lo = 0, hi = ksym_count;	/* find the last entry <= addr */
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*off = addr - ksym_table[lo].addr;
	return ksym_names + ksym_table[lo].name_off;
}
