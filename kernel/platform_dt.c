/*
 * Device tree -> struct platform.  Drivers are picked by `compatible`, never
 * by machine name.  Pure logic (host-testable: tests/host/test_fdt.c).
 */
#include "kernel/platform.h"
#include "kernel/fdt.h"
#include <string.h>

static void copy_str(char *dst, const void *src, int len, int cap)
{
	int n = len < cap - 1 ? len : cap - 1;
	if (!src || n < 0)
		n = 0;
	if (n > 0)
		memcpy(dst, src, (size_t)n);	/* src may be NULL when n is 0 */
	dst[n] = '\0';
}

static int node_okay(const struct fdt *f, int node)
{
	const char *st = fdt_prop(f, node, "status", NULL);
	return !st || strcmp(st, "okay") == 0 || strcmp(st, "ok") == 0;
}

static void parse_memory(struct platform *p, const struct fdt *f)
{
	int depth = 0;
	for (int n = 0; n >= 0; n = fdt_next_node(f, n, &depth)) {
		const char *type = fdt_prop(f, n, "device_type", NULL);
		if (!type || strcmp(type, "memory") != 0 || !node_okay(f, n))
			continue;
		uint64_t b, s;
		for (int i = 0; fdt_reg(f, n, i, &b, &s) == 0 && p->nmem < MEM_REGIONS_MAX; i++)
			p->mem[p->nmem++] = (struct mem_range){ b, s };
	}
}

static void add_resv(struct platform *p, uint64_t b, uint64_t s)
{
	if (s && p->nresv < RESV_REGIONS_MAX)
		p->resv[p->nresv++] = (struct mem_range){ b, s };
}

static void parse_reserved(struct platform *p, const struct fdt *f)
{
	uint64_t b, s;
	for (int i = 0; fdt_rsvmap(f, i, &b, &s) == 0; i++)
		add_resv(p, b, s);
	int rm = fdt_path(f, "/reserved-memory");
	if (rm < 0)
		return;
	for (int c = fdt_first_child(f, rm); c >= 0; c = fdt_next_sibling(f, c))
		for (int i = 0; fdt_reg(f, c, i, &b, &s) == 0; i++)
			add_resv(p, b, s);
}

static void parse_harts(struct platform *p, const struct fdt *f)
{
	int cpus = fdt_path(f, "/cpus");
	if (cpus < 0)
		return;
	p->timebase = fdt_prop_u32(f, cpus, "timebase-frequency", 10000000);
	for (int c = fdt_first_child(f, cpus); c >= 0; c = fdt_next_sibling(f, c)) {
		const char *type = fdt_prop(f, c, "device_type", NULL);
		if (!type || strcmp(type, "cpu") != 0 || p->nharts >= NHART_MAX)
			continue;
		struct hart_info *h = &p->harts[p->nharts++];
		uint64_t id, sz;
		fdt_reg(f, c, 0, &id, &sz);
		h->hartid = (uint32_t)id;
		const char *mmu = fdt_prop(f, c, "mmu-type", NULL);
		h->has_mmu = mmu && strcmp(mmu, "riscv,none") != 0;
		h->okay = node_okay(f, c);
		h->plic_ctx = -1;
		int len;
		const char *isa = fdt_prop(f, c, "riscv,isa", &len);
		copy_str(h->isa, isa, isa ? len : 0, sizeof h->isa);
	}
}

static struct hart_info *hart_by_id(struct platform *p, uint32_t hartid)
{
	for (int i = 0; i < p->nharts; i++)
		if (p->harts[i].hartid == hartid)
			return &p->harts[i];
	return NULL;
}

/* The hart id of the cpu node owning interrupt controller `intc`. */
static int intc_hartid(const struct fdt *f, int intc)
{
	int cpu = fdt_parent(f, intc);
	uint64_t id, sz;
	if (cpu < 0 || fdt_reg(f, cpu, 0, &id, &sz) != 0)
		return -1;
	return (int)id;
}

static void parse_plic(struct platform *p, const struct fdt *f)
{
	int n = fdt_find_compatible(f, -1, "riscv,plic0");
	if (n < 0)
		n = fdt_find_compatible(f, -1, "sifive,plic-1.0.0");
	if (n < 0 || fdt_reg(f, n, 0, &p->plic_base, &p->plic_size) != 0)
		return;
	p->plic_ndev = fdt_prop_u32(f, n, "riscv,ndev", 0);
	int len;
	const uint8_t *ie = fdt_prop(f, n, "interrupts-extended", &len);
	/* context i is the i-th (phandle, irq) pair; irq 9 = S-mode external */
	for (int ctx = 0; ie && (ctx + 1) * 8 <= len; ctx++) {
		uint32_t ph = fdt32(ie + 8 * ctx), irq = fdt32(ie + 8 * ctx + 4);
		if (irq != 9)
			continue;
		int hid = intc_hartid(f, fdt_by_phandle(f, ph));
		struct hart_info *h = hid >= 0 ? hart_by_id(p, (uint32_t)hid) : NULL;
		if (h)
			h->plic_ctx = (int8_t)ctx;
	}
}

/*
 * The node /chosen/stdout-path names, or -1.  The value is a full path or an
 * alias (U-Boot's HiFive Unmatched DTB says "serial0"), either one possibly
 * followed by ":options" (e.g. "serial0:115200n8").
 */
static int stdout_node(const struct fdt *f)
{
	int chosen = fdt_path(f, "/chosen");
	const char *path = chosen >= 0 ? fdt_prop(f, chosen, "stdout-path", NULL) : NULL;
	if (!path)
		return -1;
	char buf[64];
	int i = 0;
	while (path[i] && path[i] != ':' && i < 63) {
		buf[i] = path[i];
		i++;
	}
	buf[i] = '\0';
	if (buf[0] != '/') {
		int aliases = fdt_path(f, "/aliases");
		path = aliases >= 0 ? fdt_prop(f, aliases, buf, NULL) : NULL;
		return path ? fdt_path(f, path) : -1;
	}
	return fdt_path(f, buf);
}

static void parse_uart(struct platform *p, const struct fdt *f)
{
	static const char *const compats[] = { "ns16550a", "sifive,uart0" };
	int n = stdout_node(f);
	for (unsigned c = 0; c < sizeof compats / sizeof compats[0]; c++) {
		int m = n >= 0 ? n : fdt_find_compatible(f, -1, compats[c]);
		if (m >= 0 && fdt_is_compatible(f, m, compats[c]) && node_okay(f, m)) {
			p->uart.compat = compats[c];
			fdt_reg(f, m, 0, &p->uart.base, &p->uart.size);
			p->uart.irq = fdt_prop_u32(f, m, "interrupts", 0);
			p->uart.clock = fdt_prop_u32(f, m, "clock-frequency", 0);
			p->uart.reg_shift = fdt_prop_u32(f, m, "reg-shift", 0);
			p->uart.reg_io_width = fdt_prop_u32(f, m, "reg-io-width", 1);
			return;
		}
	}
}

static void parse_misc(struct platform *p, const struct fdt *f)
{
	uint64_t sz;
	int n = fdt_find_compatible(f, -1, "sifive,test0");
	if (n >= 0)
		fdt_reg(f, n, 0, &p->finisher_base, &sz);
	n = fdt_find_compatible(f, -1, "riscv,clint0");
	if (n < 0)
		n = fdt_find_compatible(f, -1, "sifive,clint0");
	if (n >= 0)
		fdt_reg(f, n, 0, &p->clint_base, &p->clint_size);
	n = fdt_find_compatible(f, -1, "riscv,aclint-sswi");
	if (n >= 0)
		fdt_reg(f, n, 0, &p->sswi_base, &sz);
	n = fdt_find_compatible(f, -1, "google,goldfish-rtc");
	if (n >= 0 && node_okay(f, n))
		fdt_reg(f, n, 0, &p->rtc_base, &sz);
	int len;
	const char *model = fdt_prop(f, 0, "model", &len);
	copy_str(p->model, model, model ? len : 0, sizeof p->model);
}

static void parse_chosen(struct platform *p, const struct fdt *f)
{
	int c = fdt_path(f, "/chosen");
	if (c < 0)
		return;
	int len;
	const char *ba = fdt_prop(f, c, "bootargs", &len);
	copy_str(p->bootargs, ba, ba ? len : 0, sizeof p->bootargs);
	const void *s = fdt_prop(f, c, "linux,initrd-start", &len);
	if (s)
		p->initrd_start = fdt_read_cells(s, len / 4);
	const void *e = fdt_prop(f, c, "linux,initrd-end", &len);
	if (e)
		p->initrd_end = fdt_read_cells(e, len / 4);
	p->rng_seed = fdt_prop(f, c, "rng-seed", &p->rng_seed_len);
}

int platform_parse(struct platform *p, const void *dtb)
{
	struct fdt f;
	memset(p, 0, sizeof *p);
	if (fdt_open(&f, dtb) != 0)
		return -1;
	p->dtb = dtb;
	p->dtb_size = f.size;
	parse_memory(p, &f);
	parse_reserved(p, &f);
	parse_harts(p, &f);
	parse_plic(p, &f);
	parse_uart(p, &f);
	parse_misc(p, &f);
	parse_chosen(p, &f);
	return 0;
}
