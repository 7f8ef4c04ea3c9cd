/*
 * A small read-only flattened device tree (DTB v17) reader.  Pure logic: it
 * builds for the host too (tests/host/test_fdt.c).  Node "offsets" are byte
 * offsets of FDT_BEGIN_NODE tokens in the structure block, as in libfdt.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

struct fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
};

#define FDT_MAGIC 0xd00dfeed

static inline uint32_t fdt32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Validate the header; 0 or -1 for a blob that is not a usable DTB. */
int fdt_open(struct fdt *f, const void *blob);
uint32_t fdt_total_size(const void *blob);
/* The node after `node` in document order (-1 at the end); *depth tracks nesting. */
int fdt_next_node(const struct fdt *f, int node, int *depth);
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
int fdt_parent(const struct fdt *f, int node);
const char *fdt_name(const struct fdt *f, int node);
const void *fdt_prop(const struct fdt *f, int node, const char *name, int *len);
int fdt_path(const struct fdt *f, const char *path);
int fdt_is_compatible(const struct fdt *f, int node, const char *compat);
int fdt_find_compatible(const struct fdt *f, int after, const char *compat);
int fdt_by_phandle(const struct fdt *f, uint32_t phandle);
/* Number of address/size cells that apply to `node`'s reg (from its parent). */
int fdt_addr_cells(const struct fdt *f, int node);
int fdt_size_cells(const struct fdt *f, int node);
/* Read entry i of `reg`; 0 on success. */
int fdt_reg(const struct fdt *f, int node, int i, uint64_t *base, uint64_t *size);
uint64_t fdt_read_cells(const void *p, int cells);
uint32_t fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t dflt);
int fdt_rsvmap(const struct fdt *f, int i, uint64_t *base, uint64_t *size);
