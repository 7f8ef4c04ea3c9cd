/* RISC-V PLIC: device interrupts, each routed to one hart's S-mode context. */
#pragma once
#include <stdint.h>

typedef void (*irq_handler_t)(unsigned irq);

void plic_init(void);			/* boot hart: priorities off */
void plic_init_hart(void);		/* this hart: threshold 0, nothing enabled */
/* Route `irq` to logical cpu `cpu` (disabling it everywhere else). */
void plic_route(unsigned irq, int cpu, irq_handler_t h);
void plic_interrupt(void);
