/* Flattened device tree reader; see fdt.h. No allocation, no global state. */
#include "kernel/fdt.h"
#include <string.h>

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t tok_at(const struct fdt *f, uint32_t off)
{
	if (off > f->size_struct || f->size_struct - off < 4)
		return FDT_END;
	return fdt32(f->blob + f->off_struct + off);
}

static uint32_t align4(uint32_t x) { return (x + 3) & ~3u; }

uint32_t fdt_total_size(const void *blob)
{
	return fdt32((const uint8_t *)blob + 4);
}

int fdt_open(struct fdt *f, const void *blob)
{
	const uint8_t *b = blob;
	/* v17 is the first version with size_dt_struct (offset 36) */
	if (fdt32(b) != FDT_MAGIC || fdt32(b + 20) < 17)
		return -1;
	f->blob = b;
	f->size = fdt32(b + 4);
	f->off_struct = fdt32(b + 8);
	f->off_strings = fdt32(b + 12);
	f->off_rsvmap = fdt32(b + 16);
	f->size_strings = fdt32(b + 32);
	f->size_struct = fdt32(b + 36);
	/* in 64 bits: an offset + size that wraps 2^32 must not pass */
	if (f->size < 40 ||
	    (uint64_t)f->off_struct + f->size_struct > f->size ||
	    (uint64_t)f->off_strings + f->size_strings > f->size ||
	    f->off_rsvmap < 40 || (uint64_t)f->off_rsvmap + 16 > f->size)
		return -1;
	return 0;
}

/* Offset just past the token at `off` (skipping its payload). */
static uint32_t skip_token(const struct fdt *f, uint32_t off)
{
	uint32_t tok = tok_at(f, off);
	off += 4;
	if (tok == FDT_BEGIN_NODE) {
		const char *name = (const char *)f->blob + f->off_struct + off;
		off += align4((uint32_t)strnlen(name, f->size_struct - off) + 1);
	} else if (tok == FDT_PROP) {
		uint32_t len = tok_at(f, off);
		/* a value running past the block ends the walk (no wrap-around) */
		if (f->size_struct - off < 8 || len > f->size_struct - off - 8)
			return f->size_struct;
		off += 8 + align4(len);
	}
	return off;
}

int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	uint32_t off = (uint32_t)node;
	if (node < 0)
		return -1;
	off = skip_token(f, off);
	for (;;) {
		uint32_t tok = tok_at(f, off);
		if (tok == FDT_BEGIN_NODE) {
			/* the name must end inside the block */
			const char *name = (const char *)f->blob + f->off_struct + off + 4;
			uint32_t room = f->size_struct - off - 4;
			if (!memchr(name, '\0', room))
				return -1;
			if (depth)
				(*depth)++;
			return (int)off;
		}
		if (tok == FDT_END)
			return -1;
		if (tok == FDT_END_NODE && depth)
			(*depth)--;
		off = skip_token(f, off);
	}
}

int fdt_first_child(const struct fdt *f, int node)
{
	int depth = 0;
	int n = fdt_next_node(f, node, &depth);
	return (n >= 0 && depth == 1) ? n : -1;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	int depth = 0;
	for (int n = fdt_next_node(f, node, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
		if (depth == 0)
			return n;
		if (depth < 0)
			return -1;	/* the parent ended first */
	}
	return -1;
}

int fdt_parent(const struct fdt *f, int node)
{
	int stack[32];
	int depth = 0, n = 0;
	stack[0] = 0;
	while (n >= 0 && n != node) {
		n = fdt_next_node(f, n, &depth);
		if (n < 0 || depth >= 32 || depth < 0)
			return -1;
		stack[depth] = n;
	}
	return depth > 0 ? stack[depth - 1] : -1;
}

const char *fdt_name(const struct fdt *f, int node)
{
	return (const char *)f->blob + f->off_struct + node + 4;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, int *len)
{
	uint32_t off = skip_token(f, (uint32_t)node);
	for (;;) {
		uint32_t tok = tok_at(f, off);
		if (tok == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tok != FDT_PROP)
			return NULL;
		uint32_t plen = tok_at(f, off + 4);
		uint32_t nameoff = tok_at(f, off + 8);
		if (f->size_struct - off < 12 || plen > f->size_struct - off - 12)
			return NULL;	/* the value runs past the struct block */
		const char *strs = (const char *)f->blob + f->off_strings;
		if (nameoff < f->size_strings &&
		    memchr(strs + nameoff, '\0', f->size_strings - nameoff) &&
		    strcmp(strs + nameoff, name) == 0) {
			if (len)
				*len = (int)plen;
			return f->blob + f->off_struct + off + 12;
		}
		off = skip_token(f, off);
	}
}

/* Does the node's unit name match `comp` ("cpus" matches "cpus", "cpu@0" matches "cpu@0" and "cpu")? */
static int name_matches(const char *name, const char *comp, size_t n)
{
	if (strncmp(name, comp, n) != 0)
		return 0;
	return name[n] == '\0' || (name[n] == '@' && memchr(comp, '@', n) == NULL);
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = 0;
	if (*path != '/')
		return -1;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		const char *end = strchr(path, '/');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		int c;
		for (c = fdt_first_child(f, node); c >= 0; c = fdt_next_sibling(f, c))
			if (name_matches(fdt_name(f, c), path, n))
				break;
		if (c < 0)
			return -1;
		node = c;
		path += n;
	}
	return node;
}

int fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	int len;
	const char *p = fdt_prop(f, node, "compatible", &len);
	if (!p)
		return 0;
	size_t clen = strlen(compat);
	for (const char *end = p + len; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
		if (strnlen(p, (size_t)(end - p)) == clen && memcmp(p, compat, clen) == 0)
			return 1;
	return 0;
}

int fdt_find_compatible(const struct fdt *f, int after, const char *compat)
{
	int depth = 0;
	for (int n = fdt_next_node(f, after < 0 ? 0 : after, &depth); n >= 0;
	     n = fdt_next_node(f, n, &depth))
		if (fdt_is_compatible(f, n, compat))
			return n;
	return -1;
}

int fdt_by_phandle(const struct fdt *f, uint32_t phandle)
{
	int depth = 0;
	for (int n = 0; n >= 0; n = fdt_next_node(f, n, &depth)) {
		int len;
		const void *p = fdt_prop(f, n, "phandle", &len);
		if (p && len == 4 && fdt32(p) == phandle)
			return n;
	}
	return -1;
}

uint32_t fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t dflt)
{
	int len;
	const void *p = fdt_prop(f, node, name, &len);
	return (p && len >= 4) ? fdt32(p) : dflt;
}

int fdt_addr_cells(const struct fdt *f, int node)
{
	int parent = fdt_parent(f, node);
	return (int)fdt_prop_u32(f, parent < 0 ? 0 : parent, "#address-cells", 2);
}

int fdt_size_cells(const struct fdt *f, int node)
{
	int parent = fdt_parent(f, node);
	return (int)fdt_prop_u32(f, parent < 0 ? 0 : parent, "#size-cells", 1);
}

uint64_t fdt_read_cells(const void *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32((const uint8_t *)p + 4 * i);
	return v;
}

int fdt_reg(const struct fdt *f, int node, int i, uint64_t *base, uint64_t *size)
{
	int len;
	const uint8_t *p = fdt_prop(f, node, "reg", &len);
	int ac = fdt_addr_cells(f, node), sc = fdt_size_cells(f, node);
	if (ac < 0 || sc < 0 || ac > 4 || sc > 4)
		return -1;	/* also keeps the products below from overflowing */
	int stride = 4 * (ac + sc);
	if (!p || stride == 0 || i < 0 || (i + 1) * stride > len)
		return -1;
	p += i * stride;
	*base = fdt_read_cells(p, ac);
	*size = fdt_read_cells(p + 4 * ac, sc);
	return 0;
}

int fdt_rsvmap(const struct fdt *f, int i, uint64_t *base, uint64_t *size)
{
	*base = *size = 0;
	if (i < 0 || (uint64_t)f->off_rsvmap + 16 * ((uint64_t)i + 1) > f->size)
		return -1;	/* no terminating entry inside the blob */
	const uint8_t *p = f->blob + f->off_rsvmap + 16 * i;
	*base = fdt_read_cells(p, 2);
	*size = fdt_read_cells(p + 8, 2);
	return (*base || *size) ? 0 : -1;
}
