/*
 * Host tests for kernel/fdt.c and kernel/platform_dt.c on device trees that
 * QEMU dumps at test time (virt -smp 1/2/4, sifive_u -smp 5, virt with
 * -append/-initrd, and a virt tree with reserved memory added by dtc).
 * Prints "PASS name" or "FAIL name: expected X, got Y"; exits 1 on failure.
 *
 *   test_fdt DIR
 *
 * DIR holds NAME.dtb and NAME.expect for each case below.  NAME.expect is
 * written by tests/host/run-alloc-fdt.sh from `dtc -I dtb -O dts` and
 * fdtget, so the parser is checked both against the facts the issue
 * states (hard-coded here) and against dtc's independent reading.  Lines:
 *
 *   node PATH                    every node, document order
 *   model STRING                 / model
 *   mem W...                     a /memory reg (2+2 cells)
 *   resv BASE SIZE               a /memreserve/ entry
 *   resvmem W...                 a /reserved-memory child's reg (2+2 cells)
 *   timebase W                   /cpus timebase-frequency
 *   cpu REG MMU PHANDLE          a device_type=cpu node: reg, 1 if it has an
 *                                mmu-type other than riscv,none, intc phandle
 *   uart W... / uart_irq W       reg and interrupts of stdout-path's node
 *   plic W... / plic_ndev W / plic_ie W...
 *   clint W... / finisher W...   reg of the first riscv,clint0 / sifive,test0
 *   bootargs STRING / initrd_start W... / initrd_end W... / initrd_size N
 *
 * Every blob is copied into a malloc'ed buffer of exactly its header's
 * totalsize, so AddressSanitizer flags any read past the end of the blob.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <signal.h>
#include <unistd.h>
#include "kernel/fdt.h"
#include "kernel/platform.h"

static int npass, nfail;
static const char *cur = "";		/* the test running, for the watchdog */

static void pass(const char *c, const char *name)
{
	npass++;
	printf("PASS %s%s%s\n", c, *c ? " " : "", name);
}

static void failf(const char *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void failf(const char *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	nfail++;
	printf("FAIL %s%s%s: ", c, *c ? " " : "", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void check_u(const char *c, const char *name, uint64_t exp, uint64_t got)
{
	if (exp == got)
		pass(c, name);
	else
		failf(c, name, "expected 0x%llx, got 0x%llx", (unsigned long long)exp, (unsigned long long)got);
}

static void check_i(const char *c, const char *name, long long exp, long long got)
{
	if (exp == got)
		pass(c, name);
	else
		failf(c, name, "expected %lld, got %lld", exp, got);
}

static void check_s(const char *c, const char *name, const char *exp, const char *got)
{
	if (!exp)
		exp = "(null)";
	if (!got)
		got = "(null)";
	if (strcmp(exp, got) == 0)
		pass(c, name);
	else
		failf(c, name, "expected \"%s\", got \"%s\"", exp, got);
}

static void on_alarm(int sig)
{
	(void)sig;
	char buf[256];
	int n = snprintf(buf, sizeof buf, "FAIL %s: watchdog: no progress (parser loops?)\n", cur);
	if (write(1, buf, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

static void put32(uint8_t *b, uint32_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
}

/* ---------------------------------------------------------------- files */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (size_t r; (r = fread(b + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*len = n;
	return b;
}

/* The blob in a buffer of exactly its totalsize (QEMU pads its dump to 1 MiB). */
static uint8_t *load_dtb(const char *path, uint32_t *size)
{
	size_t n;
	uint8_t *raw = read_file(path, &n);
	if (!raw || n < 40 || fdt32(raw) != FDT_MAGIC || fdt32(raw + 4) > n) {
		free(raw);
		return NULL;
	}
	*size = fdt32(raw + 4);
	uint8_t *b = malloc(*size);
	memcpy(b, raw, *size);
	free(raw);
	return b;
}

struct expect {
	int n;
	char *key[4096];
	char *val[4096];
};

static int load_expect(struct expect *e, const char *path)
{
	size_t len;
	char *t = (char *)read_file(path, &len);
	e->n = 0;
	if (!t)
		return -1;
	t = realloc(t, len + 1);
	t[len] = '\0';
	for (char *line = strtok(t, "\n"); line && e->n < 4096; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		e->key[e->n] = line;
		e->val[e->n] = sp ? (*sp = '\0', sp + 1) : line + strlen(line);
		e->n++;
	}
	return 0;
}

/* Value of the i-th line with `key` (from 0), or NULL. */
static const char *ex(const struct expect *e, const char *key, int i)
{
	for (int k = 0; k < e->n; k++)
		if (strcmp(e->key[k], key) == 0 && i-- == 0)
			return e->val[k];
	return NULL;
}

static int ex_count(const struct expect *e, const char *key)
{
	int c = 0;
	while (ex(e, key, c))
		c++;
	return c;
}

/* Parse hex words ("0 80000000 0 20000000") into w[]; the count. */
static int words(const char *s, uint32_t *w, int max)
{
	int n = 0;
	while (s && *s && n < max) {
		char *end;
		unsigned long v = strtoul(s, &end, 16);
		if (end == s)
			break;
		w[n++] = (uint32_t)v;
		s = end;
	}
	return n;
}

/* Words folded into one number (1 or 2 cells). */
static uint64_t fold(const char *s)
{
	uint32_t w[4];
	int n = words(s, w, 4);
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | w[i];
	return v;
}

/* reg (2+2 cells) entry i of a "W..." value. */
static int reg22(const char *s, int i, uint64_t *base, uint64_t *size)
{
	uint32_t w[64];
	int n = words(s, w, 64);
	if ((i + 1) * 4 > n)
		return -1;
	*base = (uint64_t)w[4 * i] << 32 | w[4 * i + 1];
	*size = (uint64_t)w[4 * i + 2] << 32 | w[4 * i + 3];
	return 0;
}

/* ---------------------------------------------------------------- cases */

struct tcase {
	const char *name;
	int sifive;		/* sifive_u, else virt */
	int nharts;
	int chosen;		/* -append "a b=c" -initrd */
	int resv;		/* reserved memory added by the script */
};

static const struct tcase cases[] = {
	{ "virt-smp1", 0, 1, 0, 0 },
	{ "virt-smp2", 0, 2, 0, 0 },
	{ "virt-smp4", 0, 4, 0, 0 },
	{ "sifive_u-smp5", 1, 5, 0, 0 },
	{ "virt-chosen", 0, 1, 1, 0 },
	{ "virt-resv", 0, 1, 0, 1 },
};

/* The facts the issue states, independent of dtc. */
static void check_known(const struct tcase *t, const struct platform *p)
{
	const char *c = t->name;
	char name[96];
	check_i(c, "nmem", 1, p->nmem);
	check_u(c, "mem[0].base", 0x80000000, p->mem[0].base);
	check_u(c, "mem[0].size", t->sifive ? 2ULL << 30 : 512ULL << 20, p->mem[0].size);
	check_i(c, "nharts", t->nharts, p->nharts);
	for (int h = 0; h < p->nharts && h < NHART_MAX; h++) {
		const struct hart_info *hi = &p->harts[h];
		snprintf(name, sizeof name, "harts[%d].hartid", h);
		check_u(c, name, (uint64_t)h, hi->hartid);
		snprintf(name, sizeof name, "harts[%d].has_mmu", h);
		check_i(c, name, t->sifive && h == 0 ? 0 : 1, hi->has_mmu);
		snprintf(name, sizeof name, "harts[%d].okay", h);
		check_i(c, name, 1, hi->okay);
		snprintf(name, sizeof name, "harts[%d].plic_ctx", h);
		check_i(c, name, t->sifive ? (h == 0 ? -1 : 2 * h) : 2 * h + 1, hi->plic_ctx);
		snprintf(name, sizeof name, "harts[%d].isa starts with rv64ima", h);
		check_i(c, name, 0, strncmp(hi->isa, "rv64ima", 7));
	}
	if (t->sifive)
		check_s(c, "sifive_u hart 0 isa", "rv64imac_zicsr_zifencei", p->harts[0].isa);
	check_u(c, "timebase", t->sifive ? 1000000 : 10000000, p->timebase);
	check_s(c, "uart.compat", t->sifive ? "sifive,uart0" : "ns16550a", p->uart.compat);
	check_u(c, "uart.base", t->sifive ? 0x10010000 : 0x10000000, p->uart.base);
	check_u(c, "uart.irq", t->sifive ? 4 : 10, p->uart.irq);
	check_u(c, "plic_base", 0xc000000, p->plic_base);
	check_u(c, "clint_base", 0x2000000, p->clint_base);
	/* QEMU's sifive_u has no sifive,test0 node (dtc shows none) */
	check_u(c, "finisher_base", t->sifive ? 0 : 0x100000, p->finisher_base);
	check_s(c, "model", t->sifive ? "SiFive HiFive Unleashed A00" : "riscv-virtio,qemu", p->model);
	check_s(c, "bootargs", t->chosen ? "a b=c" : "", p->bootargs);
	if (!t->chosen) {
		check_u(c, "initrd_start (none)", 0, p->initrd_start);
		check_u(c, "initrd_end (none)", 0, p->initrd_end);
	}
	if (t->resv) {
		/* the script adds /memreserve/ 0x80000000 0x80000 and a
		 * /reserved-memory child at 0x88000000 size 0x100000 */
		check_i(c, "nresv", 2, p->nresv);
		check_u(c, "resv[0].base (memreserve)", 0x80000000, p->resv[0].base);
		check_u(c, "resv[0].size (memreserve)", 0x80000, p->resv[0].size);
		check_u(c, "resv[1].base (reserved-memory)", 0x88000000, p->resv[1].base);
		check_u(c, "resv[1].size (reserved-memory)", 0x100000, p->resv[1].size);
	} else {
		check_i(c, "nresv (none in a QEMU dump)", 0, p->nresv);
	}
}

/* The same facts, as dtc/fdtget read them. */
static void check_dtc(const struct tcase *t, const struct platform *p, const struct expect *e)
{
	const char *c = t->name;
	char name[96];
	const char *v;
	uint64_t b, s;

	/* memory: every reg entry of every memory node, in order */
	int nm = 0, bad = 0;
	for (int i = 0; (v = ex(e, "mem", i)); i++)
		for (int j = 0; reg22(v, j, &b, &s) == 0; j++, nm++)
			if (nm >= p->nmem || p->mem[nm].base != b || p->mem[nm].size != s)
				bad++;
	check_i(c, "dtc: memory ranges count", nm, p->nmem);
	check_i(c, "dtc: memory ranges match", 0, bad);

	/* reserved: /memreserve/ entries, then /reserved-memory regs */
	int nr = 0;
	bad = 0;
	for (int i = 0; (v = ex(e, "resv", i)); i++, nr++) {
		unsigned long long rb = 0, rs = 0;
		sscanf(v, "%llx %llx", &rb, &rs);
		if (nr >= p->nresv || p->resv[nr].base != rb || p->resv[nr].size != rs)
			bad++;
	}
	for (int i = 0; (v = ex(e, "resvmem", i)); i++)
		for (int j = 0; reg22(v, j, &b, &s) == 0; j++, nr++)
			if (nr >= p->nresv || p->resv[nr].base != b || p->resv[nr].size != s)
				bad++;
	check_i(c, "dtc: reserved regions count", nr, p->nresv);
	check_i(c, "dtc: reserved regions match", 0, bad);

	check_u(c, "dtc: timebase", fold(ex(e, "timebase", 0)), p->timebase);

	/* harts */
	int ncpu = ex_count(e, "cpu");
	check_i(c, "dtc: cpu nodes", ncpu, p->nharts);
	uint32_t ie[256];
	int nie = words(ex(e, "plic_ie", 0), ie, 256);
	for (int h = 0; h < ncpu && h < p->nharts; h++) {
		unsigned reg = 0, mmu = 0, ph = 0;
		sscanf(ex(e, "cpu", h), "%x %u %x", &reg, &mmu, &ph);
		snprintf(name, sizeof name, "dtc: harts[%d].hartid", h);
		check_u(c, name, reg, p->harts[h].hartid);
		snprintf(name, sizeof name, "dtc: harts[%d].has_mmu", h);
		check_i(c, name, mmu, p->harts[h].has_mmu);
		/* S-mode context: the index of the (phandle, 9) pair */
		int ctx = -1;
		for (int k = 0; k + 1 < nie; k += 2)
			if (ie[k] == ph && ie[k + 1] == 9)
				ctx = k / 2;
		snprintf(name, sizeof name, "dtc: harts[%d].plic_ctx", h);
		check_i(c, name, ctx, p->harts[h].plic_ctx);
	}

	if (reg22(ex(e, "uart", 0), 0, &b, &s) == 0) {
		check_u(c, "dtc: uart.base", b, p->uart.base);
		check_u(c, "dtc: uart.size", s, p->uart.size);
	} else {
		failf(c, "dtc: uart", "no stdout-path reg in the expect file");
	}
	check_u(c, "dtc: uart.irq", fold(ex(e, "uart_irq", 0)), p->uart.irq);
	if (reg22(ex(e, "plic", 0), 0, &b, &s) == 0) {
		check_u(c, "dtc: plic_base", b, p->plic_base);
		check_u(c, "dtc: plic_size", s, p->plic_size);
	}
	check_u(c, "dtc: plic_ndev", fold(ex(e, "plic_ndev", 0)), p->plic_ndev);
	if (reg22(ex(e, "clint", 0), 0, &b, &s) == 0) {
		check_u(c, "dtc: clint_base", b, p->clint_base);
		check_u(c, "dtc: clint_size", s, p->clint_size);
	}
	if (reg22(ex(e, "finisher", 0), 0, &b, &s) != 0)
		b = 0;
	check_u(c, "dtc: finisher_base", b, p->finisher_base);
	check_s(c, "dtc: model", ex(e, "model", 0), p->model);
	check_s(c, "dtc: bootargs", ex(e, "bootargs", 0) ? ex(e, "bootargs", 0) : "", p->bootargs);
	check_u(c, "dtc: initrd_start", fold(ex(e, "initrd_start", 0)), p->initrd_start);
	check_u(c, "dtc: initrd_end", fold(ex(e, "initrd_end", 0)), p->initrd_end);
	if ((v = ex(e, "initrd_size", 0))) {
		check_u(c, "initrd_end - initrd_start = size of the -initrd file", strtoull(v, NULL, 10),
			p->initrd_end - p->initrd_start);
		check_i(c, "initrd inside memory", 1, p->initrd_start >= p->mem[0].base &&
			p->initrd_end <= p->mem[0].base + p->mem[0].size);
	}
}

/* The node tree through the fdt.h API, against dtc's list of node paths. */
static void check_tree(const char *c, const uint8_t *blob, const struct expect *e)
{
	struct fdt f;
	if (fdt_open(&f, blob) != 0) {
		failf(c, "fdt_open", "expected 0, got -1");
		return;
	}
	static int offs[4096], parent_of[4096];
	static char paths[4096][160];
	int stack[64], depth = 0, n = 0, names_bad = 0;
	char first_bad[200] = "";
	stack[0] = -1;
	for (int node = 0; node >= 0 && n < 4096; node = fdt_next_node(&f, node, &depth)) {
		if (depth < 0 || depth >= 63)
			break;
		if (node == 0)
			strcpy(paths[n], "/");
		int par = depth > 0 ? stack[depth - 1] : -1;
		if (node != 0)
			snprintf(paths[n], sizeof paths[n], "%s/%s", par >= 0 && strcmp(paths[par], "/") ? paths[par] : "",
				 fdt_name(&f, node));
		stack[depth] = n;
		offs[n] = node;
		parent_of[n] = par;
		const char *want = ex(e, "node", n);
		if (!want || strcmp(want, paths[n]) != 0) {
			if (!names_bad++)
				snprintf(first_bad, sizeof first_bad, "node %d: dtc \"%s\", fdt \"%s\"", n,
					 want ? want : "(none)", paths[n]);
		}
		n++;
	}
	check_i(c, "tree: node count matches dtc", ex_count(e, "node"), n);
	if (names_bad)
		failf(c, "tree: node paths match dtc", "%s", first_bad);
	else
		pass(c, "tree: node paths match dtc");

	int path_bad = 0, parent_bad = 0, child_bad = 0;
	for (int i = 0; i < n; i++) {
		if (fdt_path(&f, paths[i]) != offs[i]) {
			if (!path_bad++)
				printf("   fdt_path(\"%s\") = %d, want %d\n", paths[i], fdt_path(&f, paths[i]), offs[i]);
		}
		int want_parent = parent_of[i] >= 0 ? offs[parent_of[i]] : -1;
		if (fdt_parent(&f, offs[i]) != want_parent)
			parent_bad++;
		/* children by first_child/next_sibling == nodes whose parent is i */
		int k = 0, ok = 1;
		for (int ch = fdt_first_child(&f, offs[i]); ch >= 0; ch = fdt_next_sibling(&f, ch)) {
			while (k < n && parent_of[k] != i)
				k++;
			if (k >= n || offs[k] != ch)
				ok = 0;
			k++;
		}
		while (k < n && parent_of[k] != i)
			k++;
		if (k < n)
			ok = 0;	/* a child the sibling walk missed */
		child_bad += !ok;
	}
	check_i(c, "tree: fdt_path finds every node by its full path", 0, path_bad);
	check_i(c, "tree: fdt_parent of every node", 0, parent_bad);
	check_i(c, "tree: first_child/next_sibling list every node's children", 0, child_bad);

	check_i(c, "fdt_path(\"/cpus/cpu\") = cpu@0 (unit address optional)", fdt_path(&f, "/cpus/cpu@0"),
		fdt_path(&f, "/cpus/cpu"));
	check_i(c, "fdt_path(\"/memory\") finds memory@80000000", fdt_path(&f, "/memory@80000000"),
		fdt_path(&f, "/memory"));
	check_i(c, "fdt_path(\"/nonexistent\") = -1", -1, fdt_path(&f, "/nonexistent"));
	check_i(c, "fdt_path(\"/cpus/cpu@0/nope\") = -1", -1, fdt_path(&f, "/cpus/cpu@0/nope"));
	check_i(c, "fdt_path(\"cpus\") (relative) = -1", -1, fdt_path(&f, "cpus"));
	check_i(c, "fdt_path(\"/\") = 0", 0, fdt_path(&f, "/"));
	check_i(c, "fdt_find_compatible(\"no,such-device\") = -1", -1, fdt_find_compatible(&f, -1, "no,such-device"));
	check_i(c, "fdt_by_phandle(0xdeadbeef) = -1", -1, fdt_by_phandle(&f, 0xdeadbeef));
	int cpu0 = fdt_path(&f, "/cpus/cpu@0");
	check_i(c, "fdt_addr_cells(cpu@0) = 1", 1, fdt_addr_cells(&f, cpu0));
	check_i(c, "fdt_size_cells(cpu@0) = 0", 0, fdt_size_cells(&f, cpu0));
	uint64_t b, s;
	check_i(c, "fdt_reg(cpu@0, 1) = -1 (one entry only)", -1, fdt_reg(&f, cpu0, 1, &b, &s));
	int len = -1;
	check_i(c, "fdt_prop(/, \"no-such-prop\") = NULL", 1, fdt_prop(&f, 0, "no-such-prop", &len) == NULL);
}

static void run_case(const char *dir, const struct tcase *t)
{
	char path[512];
	uint32_t size;
	struct expect *e = calloc(1, sizeof *e);
	cur = t->name;
	snprintf(path, sizeof path, "%s/%s.dtb", dir, t->name);
	uint8_t *blob = load_dtb(path, &size);
	if (!blob) {
		failf(t->name, "load", "expected a DTB in %s", path);
		free(e);
		return;
	}
	snprintf(path, sizeof path, "%s/%s.expect", dir, t->name);
	if (load_expect(e, path) != 0)
		failf(t->name, "load", "expected dtc's view in %s", path);

	struct platform *p = malloc(sizeof *p);
	memset(p, 0xee, sizeof *p);	/* platform_parse must clear it */
	check_i(t->name, "platform_parse returns 0", 0, platform_parse(p, blob));
	check_u(t->name, "dtb", (uint64_t)(uintptr_t)blob, (uint64_t)(uintptr_t)p->dtb);
	check_u(t->name, "dtb_size = header totalsize", size, p->dtb_size);
	check_known(t, p);
	if (e->n)
		check_dtc(t, p, e);
	check_tree(t->name, blob, e);
	free(p);
	free(blob);
	free(e->n ? e->key[0] : NULL);
	free(e);
}

/* ---------------------------------------------------------------- bad blobs */

/* Offset (in the struct block) of the n-th FDT_PROP token, by our own walk. */
static uint32_t nth_prop(const uint8_t *b, int n)
{
	uint32_t st = fdt32(b + 8), sz = fdt32(b + 36), off = 0;
	while (off + 4 <= sz) {
		uint32_t tok = fdt32(b + st + off);
		if (tok == 1) {
			off += 4;
			off += (uint32_t)(strlen((const char *)b + st + off) + 1 + 3) & ~3u;
		} else if (tok == 3) {
			if (n-- == 0)
				return off;
			off += 12 + ((fdt32(b + st + off + 4) + 3) & ~3u);
		} else if (tok == 9) {
			break;
		} else {
			off += 4;
		}
	}
	return 0;
}

/* A copy of `src` in a buffer of exactly `size` bytes (header patched to match). */
static uint8_t *copy_blob(const uint8_t *src, uint32_t size)
{
	uint8_t *b = malloc(size);
	memcpy(b, src, size < fdt32(src + 4) ? size : fdt32(src + 4));
	put32(b, 4, size);
	return b;
}

/* platform_parse on a mutated blob: the result, and it must come back at all. */
static int parse_bad(uint8_t *b)
{
	struct platform *p = malloc(sizeof *p);
	int r = platform_parse(p, b);
	free(p);
	return r;
}

static void test_bad_blobs(const char *dir)
{
	char path[512];
	uint32_t size;
	const char *c = "bad-dtb";
	cur = c;
	snprintf(path, sizeof path, "%s/virt-smp4.dtb", dir);
	uint8_t *good = load_dtb(path, &size);
	if (!good) {
		failf(c, "load", "expected a DTB in %s", path);
		return;
	}
	uint32_t st = fdt32(good + 8), ss = fdt32(good + 12);
	uint32_t sz_strings = fdt32(good + 32), sz_struct = fdt32(good + 36);
	uint8_t *b;
	struct platform *p = malloc(sizeof *p);
	struct fdt f;
	char name[128];

	b = copy_blob(good, size);
	b[0] ^= 0xff;
	memset(p, 0xee, sizeof *p);
	check_i(c, "bad magic: platform_parse = -1", -1, platform_parse(p, b));
	check_i(c, "bad magic: platform left cleared (nharts 0)", 0, p->nharts);
	check_u(c, "bad magic: platform left cleared (uart.compat NULL)", 0, (uint64_t)(uintptr_t)p->uart.compat);
	free(b);

	b = copy_blob(good, size);
	put32(b, 20, 15);
	check_i(c, "version 15: fdt_open = -1", -1, fdt_open(&f, b));
	put32(b, 20, 16);	/* v16 has no size_dt_struct field */
	check_i(c, "version 16 (no size_dt_struct): fdt_open = -1", -1, fdt_open(&f, b));
	free(b);

	b = copy_blob(good, size);
	put32(b, 4, 39);
	check_i(c, "totalsize 39 (smaller than the header): fdt_open = -1", -1, fdt_open(&f, b));
	free(b);

	/*
	 * Truncated blobs whose header says so (totalsize = buffer length):
	 * the struct or strings block then ends past totalsize.
	 */
	uint32_t cuts[] = { 40, st, st + 4, st + sz_struct / 2, st + sz_struct - 4, ss, ss + sz_strings - 1 };
	int wrong = 0;
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		b = copy_blob(good, cuts[i]);
		if (parse_bad(b) != -1) {
			wrong++;
			printf("   cut at %u: accepted\n", cuts[i]);
		}
		free(b);
	}
	check_i(c, "truncated (totalsize = buffer): platform_parse = -1 at every cut", 0, wrong);

	/*
	 * Truncated buffer, header unchanged: fdt_open(f, blob) has no buffer
	 * length, so it cannot see this; what a caller can do is compare
	 * fdt_total_size() with what it has.
	 */
	check_i(c, "truncated buffer: fdt_total_size reports the header's size", size, fdt_total_size(good));

	/* header offsets that wrap around 2^32 */
	b = copy_blob(good, size);
	put32(b, 8, 0xffffff00);
	put32(b, 36, 0x200);	/* off_struct + size_struct = 0x100 (mod 2^32) */
	check_i(c, "off_struct+size_struct wraps: fdt_open = -1", -1, fdt_open(&f, b));
	free(b);
	b = copy_blob(good, size);
	put32(b, 12, 0xfffff000);
	put32(b, 32, 0x1001);
	check_i(c, "off_strings+size_strings wraps: fdt_open = -1", -1, fdt_open(&f, b));
	free(b);
	b = copy_blob(good, size);
	put32(b, 36, 0xffffffff);
	check_i(c, "size_struct 0xffffffff: fdt_open = -1", -1, fdt_open(&f, b));
	free(b);

	/* reservation map */
	b = copy_blob(good, size);
	put32(b, 16, size);
	check_i(c, "off_rsvmap = totalsize: fdt_open = -1", -1, fdt_open(&f, b));
	put32(b, 16, 0xfffffff0);
	check_i(c, "off_rsvmap = 0xfffffff0: fdt_open = -1", -1, fdt_open(&f, b));
	free(b);
	/* a map with no terminating entry before the end of the blob */
	b = copy_blob(good, size);
	put32(b, 16, size - 16);
	memset(b + size - 16, 0x11, 16);
	put32(b, 32, sz_strings - 16);	/* the map overlays the strings' tail */
	check_i(c, "rsvmap without terminator: parsed", 0, parse_bad(b));
	free(b);

	/* property lengths that run past the struct block or wrap the offset */
	static const uint32_t lens[] = { 0xfffffff8, 0xfffffff5, 0xfffffffc, 0xffffffff, 0x7fffffff, 0x80000000 };
	uint32_t prop0 = nth_prop(good, 0);	/* "/" #address-cells */
	uint32_t modelp = 0;
	for (int i = 0; i < 8; i++) {
		uint32_t o = nth_prop(good, i);
		if (strcmp((const char *)good + ss + fdt32(good + st + o + 8), "model") == 0)
			modelp = o;
	}
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		b = copy_blob(good, size);
		put32(b, st + prop0 + 4, lens[i]);
		snprintf(name, sizeof name, "prop len 0x%x: parse terminates", lens[i]);
		alarm(5);
		parse_bad(b);	/* the check: ASan and the watchdog stay quiet */
		alarm(0);
		pass(c, name);
		free(b);
	}
	if (modelp) {
		/* model's value reaches 4 bytes past the end of the struct block */
		b = copy_blob(good, size);
		put32(b, st + modelp + 4, sz_struct - (modelp + 12) + 4);
		check_i(c, "prop past the struct block: fdt_open", 0, fdt_open(&f, b));
		check_i(c, "prop past the struct block: fdt_prop = NULL", 1, fdt_prop(&f, 0, "model", NULL) == NULL);
		check_i(c, "prop past the struct block: parsed", 0, platform_parse(p, b));
		check_s(c, "prop past the struct block: model empty", "", p->model);
		free(b);
	} else {
		failf(c, "model prop", "expected a model property among the first props of /");
	}
	/* a property name offset at the last byte of an unterminated strings block */
	b = copy_blob(good, ss + sz_strings - 1);
	put32(b, 32, sz_strings - 1);	/* drop the final NUL */
	check_i(c, "unterminated strings block: fdt_open", 0, fdt_open(&f, b));
	{
		const char *last = (const char *)good + ss + sz_strings - 2;
		while (last > (const char *)good + ss && last[-1])
			last--;
		char want[64];
		snprintf(want, sizeof want, "%s", last);
		int depth = 0, found = 0;
		for (int n = 0; n >= 0; n = fdt_next_node(&f, n, &depth))
			found += fdt_prop(&f, n, want, NULL) != NULL;
		snprintf(name, sizeof name, "unterminated strings block: no node has a \"%s\" prop", want);
		check_i(c, name, 0, found);
		check_i(c, "unterminated strings block: parsed", 0, parse_bad(b));
	}
	free(b);
	free(p);
	free(good);
}

/*
 * Random corruption of words of the header (not totalsize), the struct
 * block and the strings block: every blob must be parsed or refused without
 * reading outside it (ASan) and without looping (watchdog).
 */
static void test_fuzz(const char *dir, int iters)
{
	char path[512];
	uint32_t size;
	const char *c = "fuzz";
	cur = c;
	snprintf(path, sizeof path, "%s/virt-smp4.dtb", dir);
	uint8_t *good = load_dtb(path, &size);
	if (!good) {
		failf(c, "load", "expected a DTB in %s", path);
		return;
	}
	uint64_t x = 0x1234567887654321ULL;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	uint32_t st = fdt32(good + 8), sz_struct = fdt32(good + 36);
	static const uint32_t special[] = { 0, 1, 2, 3, 4, 9, 0xffffffff, 0xfffffff8, 0xfffffffc, 0x7fffffff,
					    0x80000000, 0x100, 0x1000, 0x40 };
	int accepted = 0;
	struct platform *p = malloc(sizeof *p);
	for (int it = 0; it < iters; it++) {
		alarm(5);	/* per blob: a parser loop trips the watchdog */
		uint8_t *b = malloc(size);
		memcpy(b, good, size);
		int nmut = 1 + (int)(RND() % 3);
		for (int m = 0; m < nmut; m++) {
			uint32_t v = RND() % 2 ? special[RND() % (sizeof special / sizeof special[0])] : (uint32_t)RND();
			uint32_t where = (uint32_t)(RND() % 10);
			uint32_t off;
			if (where == 0) {
				off = 8 + 4 * (uint32_t)(RND() % 8);	/* header, not magic/totalsize */
				if (RND() % 2)
					v = fdt32(b + off) + (uint32_t)(RND() % 64) - 32;
			} else if (where < 9) {
				off = st + 4 * (uint32_t)(RND() % (sz_struct / 4));
			} else {
				off = (uint32_t)(RND() % (size - 1));	/* any byte */
				b[off] ^= (uint8_t)(1u << (RND() % 8));
				continue;
			}
			put32(b, off, v);
		}
		if (platform_parse(p, b) == 0)
			accepted++;
		struct fdt f;
		if (fdt_open(&f, b) == 0) {
			int depth = 0, k = 0;
			for (int n = 0; n >= 0 && k < 100000; n = fdt_next_node(&f, n, &depth), k++) {
				int len;
				fdt_prop(&f, n, "compatible", &len);
				fdt_is_compatible(&f, n, "riscv");
				if (k % 8 == 0)
					fdt_parent(&f, n);
				uint64_t rb, rs;
				fdt_reg(&f, n, 0, &rb, &rs);
			}
			fdt_path(&f, "/soc/plic@c000000");
			fdt_find_compatible(&f, -1, "ns16550a");
			fdt_by_phandle(&f, 5);
		}
		free(b);
	}
	alarm(0);
	free(p);
	free(good);
	printf("   fuzz: %d mutated blobs, %d accepted by platform_parse\n", iters, accepted);
	pass(c, "mutated blobs parsed or refused without out-of-bounds reads or hangs");
#undef RND
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DTB-DIR [fuzz-iterations]\n", argv[0]);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		alarm(20);
		run_case(argv[1], &cases[i]);
		alarm(0);
	}
	test_bad_blobs(argv[1]);
	test_fuzz(argv[1], argc > 2 ? atoi(argv[2]) : 3000);
	printf("test_fdt: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
