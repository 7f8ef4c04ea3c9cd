/*
 * insn_count.so - a QEMU TCG plugin: instructions executed per vCPU (hart),
 * split by where they run.  Exact and repeatable where wall-clock figures
 * move with the host (docs/INSN_COUNT.md).
 *
 *   qemu-system-riscv64 ... -plugin build/insn_count.so,poll=LO-HI,idle=LO-HI \
 *       -d plugin
 *
 * Classes, by the instruction's virtual address:
 *   user     below USER_VA_END (Sv39's lower half)
 *   fw       0x80000000..0x80200000: OpenSBI (M-mode, bare addresses)
 *   poll     a poll=LO-HI range: the kernel's spin-wait loops for a peer
 *   idle     an idle=LO-HI range: the executor's idle window and wfi
 *   kernel   everything else
 * (poll= and idle= may be given several times; scripts/insn-ranges.sh
 * makes them from build/kernel.elf's symbols.)
 *
 * Marks: the user instruction `addi x0, x0, 1` (a HINT: a no-op for the
 * hart) snapshots every vCPU's counters as "start", `addi x0, x0, 2` as
 * "stop" (user/bench.c brackets its timed loop with them).  At exit, for
 * each vCPU, through QEMU's log (-d plugin):
 *   insn vcpu<N> total user=.. kernel=.. poll=.. idle=.. fw=..
 *   insn vcpu<N> marked user=.. kernel=.. poll=.. idle=.. fw=..
 * "marked" is stop minus start: the first start and the last stop.
 *
 * Counting: each translated block's instructions are classified once, at
 * translation; its per-class counts are added to the executing vCPU's row
 * when the block starts.  A block left early by a trap counts whole (the
 * bias is the same on every run).  Each row has a single writer, its vCPU's
 * thread; a mark reads all rows, the other vCPUs' while they run (a 64-bit
 * aligned load is never torn; the snapshot is as of some instant near the
 * mark).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { C_USER, C_KERNEL, C_POLL, C_IDLE, C_FW, NCLASS };
static const char *const class_name[NCLASS] = { "user", "kernel", "poll", "idle", "fw" };

#define MAX_VCPUS 16
#define MAX_RANGES 32
#define USER_VA_END 0x0000004000000000ULL
#define FW_LO 0x80000000ULL
#define FW_HI 0x80200000ULL
#define MARK_START 0x00100013u	/* addi x0, x0, 1 */
#define MARK_STOP 0x00200013u	/* addi x0, x0, 2 */

struct range {
	uint64_t lo, hi;	/* [lo, hi) */
	int cls;
};
static struct range ranges[MAX_RANGES];
static int nranges;

/* one row per vCPU, on its own cache line: only that vCPU's thread writes it */
struct row {
	uint64_t n[NCLASS];
} __attribute__((aligned(64)));
static struct row rows[MAX_VCPUS];
static struct row at_start[MAX_VCPUS], at_stop[MAX_VCPUS];
static int started, stopped;
static pthread_mutex_t mark_lock = PTHREAD_MUTEX_INITIALIZER;	/* marks are rare: a lock keeps the snapshots whole */

/* per translated block: its instructions by class (leaked with the block) */
struct tb_counts {
	uint32_t n[NCLASS];
};

static int classify(uint64_t va)
{
	for (int i = 0; i < nranges; i++)
		if (va >= ranges[i].lo && va < ranges[i].hi)
			return ranges[i].cls;
	if (va >= FW_LO && va < FW_HI)
		return C_FW;
	if (va < USER_VA_END)
		return C_USER;
	return C_KERNEL;
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	const struct tb_counts *c = udata;
	struct row *r = &rows[vcpu % MAX_VCPUS];
	for (int k = 0; k < NCLASS; k++)
		if (c->n[k])	/* single writer: a relaxed load and store, no lock */
			__atomic_store_n(&r->n[k], __atomic_load_n(&r->n[k], __ATOMIC_RELAXED) + c->n[k],
					 __ATOMIC_RELAXED);
}

static void snapshot(struct row *to)
{
	for (int v = 0; v < MAX_VCPUS; v++)
		for (int k = 0; k < NCLASS; k++)	/* relaxed: a counter, see the top */
			to[v].n[k] = __atomic_load_n(&rows[v].n[k], __ATOMIC_RELAXED);
}

static void mark(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	pthread_mutex_lock(&mark_lock);
	if (udata == (void *)1) {
		if (!started)
			snapshot(at_start);
		started = 1;
	} else if (started) {
		snapshot(at_stop);
		stopped = 1;
	}
	pthread_mutex_unlock(&mark_lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	struct tb_counts *c = calloc(1, sizeof *c);
	if (!c)
		return;	/* uncounted rather than a crash: the totals will say */
	size_t n = qemu_plugin_tb_n_insns(tb);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);
		int cls = classify(va);
		c->n[cls]++;
		if (cls == C_USER && qemu_plugin_insn_size(insn) == 4) {
			uint32_t w;
			memcpy(&w, qemu_plugin_insn_data(insn), 4);
			if (w == MARK_START || w == MARK_STOP)
				qemu_plugin_register_vcpu_insn_exec_cb(insn, mark, QEMU_PLUGIN_CB_NO_REGS,
								       (void *)(uintptr_t)(w == MARK_START ? 1 : 2));
		}
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, c);
}

static void print_row(int v, const char *what, const struct row *r)
{
	char line[256];
	int o = snprintf(line, sizeof line, "insn vcpu%d %s", v, what);
	for (int k = 0; k < NCLASS; k++)
		o += snprintf(line + o, sizeof line - o, " %s=%llu", class_name[k],
			      (unsigned long long)r->n[k]);
	snprintf(line + o, sizeof line - o, "\n");
	qemu_plugin_outs(line);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	int nv = qemu_plugin_n_vcpus();
	if (nv < 1 || nv > MAX_VCPUS)
		nv = MAX_VCPUS;
	for (int v = 0; v < nv; v++) {
		struct row total, d;
		for (int k = 0; k < NCLASS; k++) {
			total.n[k] = __atomic_load_n(&rows[v].n[k], __ATOMIC_RELAXED);
			d.n[k] = stopped ? at_stop[v].n[k] - at_start[v].n[k] : 0;
		}
		print_row(v, "total", &total);
		if (stopped)
			print_row(v, "marked", &d);
	}
	if (!stopped)
		qemu_plugin_outs("insn no marks\n");
}

/* "LO-HI", hex or decimal: [LO, HI) */
static int add_range(const char *val, int cls)
{
	char *end;
	if (nranges == MAX_RANGES)
		return -1;
	uint64_t lo = strtoull(val, &end, 0);
	if (*end != '-')
		return -1;
	uint64_t hi = strtoull(end + 1, &end, 0);
	if (*end || hi <= lo)
		return -1;
	ranges[nranges++] = (struct range){ lo, hi, cls };
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int bad = 1;
		if (eq && strncmp(argv[i], "poll=", 5) == 0)
			bad = add_range(eq + 1, C_POLL);
		else if (eq && strncmp(argv[i], "idle=", 5) == 0)
			bad = add_range(eq + 1, C_IDLE);
		if (bad) {
			fprintf(stderr, "insn_count: bad argument '%s' (poll=LO-HI or idle=LO-HI)\n",
				argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
