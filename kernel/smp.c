/*
 * Logical cpus and hart start-up.  Logical ids go to harts that can run
 * S-mode with an MMU, in DTB order; the boot hart (any of them) starts the
 * rest through SBI HSM at secondary_entry (arch/riscv/head.S).
 */
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/memlayout.h"
#include "kernel/vm.h"
#include "kernel/smp.h"
#include "arch/riscv/sbi.h"
#include <stddef.h>

struct cpu cpus[NCPU];
int ncpu __read_mostly;
int offload __read_mostly;

struct hart_boot {
	uint64_t satp, sp, tp, entry;
};
static struct hart_boot hart_boot[NCPU];

extern char secondary_entry[];

const char *cpu_role_name(enum cpu_role r)
{
	switch (r) {
	case ROLE_CLIENT: return "client";
	case ROLE_SERVER: return "server";
	case ROLE_LOCAL: return "local";
	case ROLE_PARKED: return "parked";
	default: return "idle";
	}
}

/* Assign logical ids and roles; returns the boot hart's cpu. */
struct cpu *smp_assign(uint32_t boot_hartid)
{
	struct cpu *boot = NULL;
	for (int i = 0; i < plat.nharts; i++) {
		struct hart_info *h = &plat.harts[i];
		if (!h->has_mmu || !h->okay) {
			pr_info("duet: hart %u skipped (%s)\n", h->hartid,
				h->has_mmu ? "disabled" : "no MMU");
			continue;
		}
		if (ncpu >= NCPU)
			break;
		struct cpu *c = &cpus[ncpu];
		c->id = ncpu++;
		c->hartid = h->hartid;
		if (h->hartid == boot_hartid)
			boot = c;
	}
	offload = cmdline.offload && ncpu >= 2;
	/* cpu 1 serves; cpu 0 and, with clients=N, cpus 2..N run tasks */
	for (int i = 0; i < ncpu; i++) {
		if (!offload)
			cpus[i].role = i == 0 ? ROLE_LOCAL : ROLE_NONE;
		else if (i == 1)
			cpus[i].role = ROLE_SERVER;
		else
			cpus[i].role = (i == 0 || i < cmdline.clients + 1) ? ROLE_CLIENT : ROLE_PARKED;
	}
	return boot;
}

int smp_alloc_stacks(void)
{
	for (int i = 0; i < ncpu; i++) {
		uint64_t top = kstack_alloc();
		if (!top)
			return -1;
		cpus[i].stack_hi = top;
		cpus[i].stack_lo = top - KSTACK_SIZE;
	}
	return 0;
}

/*
 * HSM start; a hart still on its way into SBI's wait (not STOPPED yet) is
 * retried for up to a second rather than lost.
 */
static void start_hart(struct cpu *c, struct hart_boot *hb)
{
	uint64_t deadline = r_time() + plat.timebase;
	int err;
	while ((err = sbi_hart_start(c->hartid, VA2PA(secondary_entry), VA2PA(hb))) != 0 &&
	       r_time() < deadline)
		;
	if (err)
		pr_err("smp: hart %u failed to start (%d)\n", c->hartid, err);
}

void smp_start_others(void (*entry)(void))
{
	for (int i = 0; i < ncpu; i++) {
		struct cpu *c = &cpus[i];
		if (c == mycpu())
			continue;
		hart_boot[i] = (struct hart_boot){ kernel_satp, c->stack_hi, (uint64_t)c,
						   (uint64_t)entry };
		start_hart(c, &hart_boot[i]);
	}
	/*
	 * Wait for them: the boot log stays ordered and no role (the server!)
	 * is missing when init starts.  The bound is long because on a loaded
	 * host QEMU's vCPU threads can go unscheduled for seconds: at 2 s, a
	 * server that came up late left every offloaded call waiting forever.
	 */
	for (int i = 0; i < ncpu; i++) {
		if (&cpus[i] == mycpu())
			continue;
		uint64_t deadline = r_time() + plat.timebase * 30;
		while (!atomic_load(&cpus[i].online) && r_time() < deadline)
			;
		if (!atomic_load(&cpus[i].online))
			pr_err("smp: cpu %d (hart %u) did not come online\n", i, cpus[i].hartid);
	}
}
