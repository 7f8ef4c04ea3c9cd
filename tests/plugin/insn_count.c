/*
 * insn_count.so - a QEMU TCG plugin: instructions executed per vCPU (hart),
 * split by what the hart was doing.  Exact where wall-clock figures move
 * with the host (docs/INSN_COUNT.md).
 *
 *   qemu-system-riscv64 ... -plugin build/insn_count.so -d plugin
 *
 * Classes:
 *   user     addresses below USER_VA_END (Sv39's lower half)
 *   fw       0x80000000..0x80200000: OpenSBI (M-mode, bare addresses)
 *   poll     kernel code between a "spin" mark and an "end" mark: the
 *            kernel's spin-waits for its peer, with whatever they call
 *   idle     kernel code between an "idle" mark and an "end" mark: the
 *            executor's idle window and wfi
 *   kernel   all other kernel code
 *
 * Marks are HINTs, `addi x0, x0, K` (no-ops for the hart):
 *   K=1 start, K=2 stop (user/bench.c brackets its timed loop with them):
 *       snapshot every vCPU's counters; "marked" below is stop - start
 *       (the first start and the last stop)
 *   K=3 spin, K=4 idle, K=5 end (kernel/insn_mark.h): this vCPU's kernel
 *       instructions go to poll, to idle, back to kernel
 * At exit, for each vCPU, through QEMU's log (-d plugin):
 *   insn vcpu<N> total user=.. kernel=.. poll=.. idle=.. fw=..
 *   insn vcpu<N> marked user=.. kernel=.. poll=.. idle=.. fw=..
 *
 * Counting: at translation a block is cut at its marks into segments, each
 * with its instructions by address class; the block's first segment is
 * added when the block starts, each later one when its mark executes.  A
 * block left early by a trap counts whole (the same bias on every run).
 * Each vCPU's row and state have a single writer, its vCPU's thread; a
 * snapshot reads the other rows while they run (an aligned 64-bit load is
 * not torn: the snapshot is as of some instant near the mark).
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
#define USER_VA_END 0x0000004000000000ULL
#define FW_LO 0x80000000ULL
#define FW_HI 0x80200000ULL
/* addi x0, x0, K: imm[11:0] rd=0 funct3=0 rs1=0 opcode=0x13 */
#define MARK_INSN(k) (((uint32_t)(k) << 20) | 0x13u)
enum { M_START = 1, M_STOP, M_SPIN, M_IDLE, M_END, M_LAST = M_END };

/* one row per vCPU, on its own cache line: only that vCPU's thread writes it */
struct row {
	uint64_t n[NCLASS];
	int state;	/* C_KERNEL, C_POLL or C_IDLE: where kernel code goes */
} __attribute__((aligned(64)));
static struct row rows[MAX_VCPUS];
static struct row at_start[MAX_VCPUS], at_stop[MAX_VCPUS];
static int started, stopped;
static pthread_mutex_t mark_lock = PTHREAD_MUTEX_INITIALIZER;	/* marks are rare */

/* a run of a block's instructions: up to the next mark or the block's end */
struct seg {
	uint32_t user, kernel, fw;
	int mark;	/* the mark that starts it, 0 for a block's first segment */
};

static int addr_class(uint64_t va)
{
	if (va >= FW_LO && va < FW_HI)
		return C_FW;
	if (va < USER_VA_END)
		return C_USER;
	return C_KERNEL;
}

/* single writer: a relaxed load and store, no locked add */
static inline void bump(uint64_t *p, uint64_t n)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static void add_seg(struct row *r, const struct seg *g)
{
	if (g->user)
		bump(&r->n[C_USER], g->user);
	if (g->kernel)
		bump(&r->n[r->state], g->kernel);
	if (g->fw)
		bump(&r->n[C_FW], g->fw);
}

static void snapshot(struct row *to)
{
	for (int v = 0; v < MAX_VCPUS; v++)
		for (int k = 0; k < NCLASS; k++)	/* relaxed: a counter, see the top */
			to[v].n[k] = __atomic_load_n(&rows[v].n[k], __ATOMIC_RELAXED);
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	add_seg(&rows[vcpu % MAX_VCPUS], udata);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	const struct seg *g = udata;
	struct row *r = &rows[vcpu % MAX_VCPUS];
	switch (g->mark) {
	case M_START:
	case M_STOP:
		pthread_mutex_lock(&mark_lock);
		if (g->mark == M_START && !started) {
			snapshot(at_start);
			started = 1;
		} else if (g->mark == M_STOP && started) {
			snapshot(at_stop);
			stopped = 1;
		}
		pthread_mutex_unlock(&mark_lock);
		break;
	case M_SPIN: r->state = C_POLL; break;
	case M_IDLE: r->state = C_IDLE; break;
	case M_END: r->state = C_KERNEL; break;
	}
	add_seg(r, g);
}

static int mark_of(struct qemu_plugin_insn *insn)
{
	uint32_t w;
	if (qemu_plugin_insn_size(insn) != 4)
		return 0;
	memcpy(&w, qemu_plugin_insn_data(insn), 4);
	for (int k = 1; k <= M_LAST; k++)
		if (w == MARK_INSN(k))
			return k;
	return 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct seg *g = calloc(1, sizeof *g);	/* leaked with the block: blocks are few */
	if (!g)
		return;	/* uncounted rather than a crash */
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, g);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int m = mark_of(insn);
		if (m) {	/* a new segment from here, added when the mark runs */
			g = calloc(1, sizeof *g);
			if (!g)
				return;
			g->mark = m;
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec, QEMU_PLUGIN_CB_NO_REGS, g);
		}
		switch (addr_class(qemu_plugin_insn_vaddr(insn))) {
		case C_USER: g->user++; break;
		case C_FW: g->fw++; break;
		default: g->kernel++; break;
		}
	}
}

static void print_row(int v, const char *what, const uint64_t *n)
{
	char line[256];
	int o = snprintf(line, sizeof line, "insn vcpu%d %s", v, what);
	for (int k = 0; k < NCLASS; k++)
		o += snprintf(line + o, sizeof line - o, " %s=%llu", class_name[k],
			      (unsigned long long)n[k]);
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
		uint64_t total[NCLASS], d[NCLASS];
		for (int k = 0; k < NCLASS; k++) {
			total[k] = __atomic_load_n(&rows[v].n[k], __ATOMIC_RELAXED);
			d[k] = stopped ? at_stop[v].n[k] - at_start[v].n[k] : 0;
		}
		print_row(v, "total", total);
		if (stopped)
			print_row(v, "marked", d);
	}
	if (!stopped)
		qemu_plugin_outs("insn no marks\n");
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	(void)argv;
	if (argc) {
		fprintf(stderr, "insn_count: takes no arguments\n");
		return -1;
	}
	for (int v = 0; v < MAX_VCPUS; v++)
		rows[v].state = C_KERNEL;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
