#include "drivers/plic.h"
#include "kernel/cpu.h"
#include "kernel/platform.h"
#include "kernel/memlayout.h"
#include "kernel/printk.h"

#define PLIC_MAX_IRQ 128
#define PRIORITY(irq)      (0x0000 + 4 * (irq))
#define ENABLE(ctx, irq)   (0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define THRESHOLD(ctx)     (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)         (0x200004 + 0x1000 * (ctx))

static irq_handler_t handlers[PLIC_MAX_IRQ];
static int8_t ctx_of_cpu[NCPU];
static int8_t route_cpu[PLIC_MAX_IRQ];

static volatile uint32_t *reg(uint64_t off)
{
	return (volatile uint32_t *)((char *)PA2VA(plat.plic_base) + off);
}

static int my_ctx(void)
{
	return mycpu() ? ctx_of_cpu[mycpu()->id] : -1;
}

void plic_init(void)
{
	for (int c = 0; c < ncpu; c++) {
		ctx_of_cpu[c] = -1;
		for (int i = 0; i < plat.nharts; i++)
			if (plat.harts[i].hartid == cpus[c].hartid)
				ctx_of_cpu[c] = plat.harts[i].plic_ctx;
	}
	if (!plat.plic_base)
		return;
	for (unsigned i = 1; i < PLIC_MAX_IRQ && i <= plat.plic_ndev; i++)
		*reg(PRIORITY(i)) = 0;
}

void plic_init_hart(void)
{
	struct cpu *c = mycpu();
	if (!plat.plic_base || ctx_of_cpu[c->id] < 0)
		return;
	int ctx = ctx_of_cpu[c->id];
	*reg(THRESHOLD(ctx)) = 0;
	/*
	 * OpenSBI clears a hart's PLIC enables when it starts the hart, so
	 * routes set up by the boot hart are applied again here.
	 */
	for (unsigned irq = 1; irq < PLIC_MAX_IRQ; irq++)
		if (handlers[irq] && route_cpu[irq] == c->id)
			*reg(ENABLE(ctx, irq)) |= 1U << (irq % 32);
}

void plic_route(unsigned irq, int cpu, irq_handler_t h)
{
	if (!plat.plic_base || irq == 0 || irq >= PLIC_MAX_IRQ)
		return;
	handlers[irq] = h;
	route_cpu[irq] = (int8_t)cpu;
	for (int i = 0; i < ncpu; i++) {
		int ctx = ctx_of_cpu[i];
		if (ctx < 0)
			continue;
		uint32_t bit = 1U << (irq % 32);
		if (i == cpu)
			*reg(ENABLE(ctx, irq)) |= bit;
		else
			*reg(ENABLE(ctx, irq)) &= ~bit;
	}
	*reg(PRIORITY(irq)) = 1;
	pr_debug("plic: irq %u -> cpu %d (context %d)\n", irq, cpu, ctx_of_cpu[cpu]);
}

void plic_interrupt(void)
{
	int ctx = my_ctx();
	if (ctx < 0)
		return;
	unsigned irq;
	while ((irq = *reg(CLAIM(ctx))) != 0) {
		if (irq < PLIC_MAX_IRQ && handlers[irq])
			handlers[irq](irq);
		else
			pr_warn("plic: spurious irq %u\n", irq);
		*reg(CLAIM(ctx)) = irq;	/* complete */
	}
}
