#pragma once
struct cpu;
/* kernel/init.c: subsystem start-up on the boot hart, before others start. */
void kernel_init(void);
/* What each cpu does for the rest of its life, by role. */
_Noreturn void role_main(struct cpu *c);
