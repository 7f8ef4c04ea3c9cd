/*
 * kernel/insn_mark.h - marks for the instruction-count plugin
 * (tests/plugin/insn_count.c, docs/INSN_COUNT.md).
 *
 * Each mark is `addi x0, x0, K`, a HINT: the hart executes it as a no-op
 * (one instruction, no register, no memory), so the marks stay in every
 * build.  The plugin counts the kernel instructions a hart runs between
 * INSN_MARK_SPIN() (or INSN_MARK_IDLE()) and INSN_MARK_END() apart from the
 * rest: spinning for the peer is not work, and how long it lasts depends
 * on the host, not on the kernel.  K=1 and K=2 are user space's (start and
 * stop of a measured region, user/bench.c).
 */
#ifndef DUET_KERNEL_INSN_MARK_H
#define DUET_KERNEL_INSN_MARK_H

/* volatile + "memory": stays where it is written, relative to the loads it brackets */
#define INSN_MARK_SPIN() __asm__ volatile("addi x0, x0, 3" ::: "memory")	/* spinning for the peer */
#define INSN_MARK_IDLE() __asm__ volatile("addi x0, x0, 4" ::: "memory")	/* idle window and wfi */
#define INSN_MARK_END() __asm__ volatile("addi x0, x0, 5" ::: "memory")	/* back to work */

#endif /* DUET_KERNEL_INSN_MARK_H */
