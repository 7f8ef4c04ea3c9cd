/*
 * rpc/idle.h - the need_wakeup flag: sleep without losing a wake-up.
 * Header only, arch-neutral (the wfi, the interrupt masking and the IPI are
 * the caller's). The full contract, with the ring, is at the top of
 * rpc/ring.h ("SLEEP / WAKE"); this file is its flag half.
 *
 * One struct idle_flag per sleeping context (per hart on duet): the server's
 * flag is read by every client that publishes on an SQ or wakes a server
 * waker; a client's flag is read by the server when it publishes on that
 * client's CQ (or frees SQ space the client waits for).
 *
 *   need_wakeup   written by the sleeper only (S1 sets, S4 clears);
 *                 read by any waker (W3).
 *
 * The Dekker argument. The sleeper runs
 *     S1 need_wakeup = 1;  S2 fence(seq_cst);  S3 load its inbound work
 * and the waker runs
 *     W1 store the work;   W2 fence(seq_cst);  W3 load need_wakeup.
 * C11 orders all seq_cst fences in one total order S. If W2 precedes S2 in
 * S, the load S3 observes the store W1 (or a later value of that object: the
 * work was already taken); if S2 precedes W2, W3 observes S1 (or a later
 * store, which only the sleeper makes once it is past wfi, and whose next
 * S1..S3 round then sees W1). Either the sleeper sees the work or the waker
 * sees the flag - never neither, which is exactly the lost wake-up. Each
 * fence pairs with the other side's; a store-release or load-acquire alone
 * cannot do this (it never orders an earlier store before a later load;
 * on RVWMO or x86 TSO the store can sit in a store buffer past the load).
 *
 * The sleeper (kernel idle loop, interrupts OFF from idle_prepare to wfi):
 *
 *     intr_off();                        // sstatus.SIE = 0
 *     idle_prepare(&self->idle);         // S1 + S2
 *     if (work_pending()) {              // S3: rings' is_empty / has_space,
 *             idle_cancel(&self->idle);  //     waker_any_pending
 *     } else {
 *             wfi();                     // returns on a PENDING interrupt,
 *             idle_done(&self->idle);    // even with SIE = 0
 *     }
 *     intr_on();                         // the IPI handler clears sip.SSIP
 *
 * Never clear sip.SSIP between S3 and wfi: an IPI that lands there is what
 * makes wfi return. A waker on the sleeper's own hart (an interrupt handler
 * calling waker_wake) needs no IPI: it runs either before S1 (S3 sees its
 * work) or after wfi.
 *
 * The waker, after publishing (once per batch is enough):
 *
 *     if (idle_should_kick(&peer->idle))  // W2 + W3
 *             send_ipi(peer);
 *
 * A spurious IPI is harmless (the sleeper re-polls and sleeps again); a
 * missing one is not. Adding a busy-poll window before idle_prepare changes
 * nothing here.
 */
#ifndef DUET_RPC_IDLE_H
#define DUET_RPC_IDLE_H

#include <stdint.h>
#include <stdbool.h>
#include <stdatomic.h>

struct idle_flag {
        /* Own cache line: read by wakers after every publish, written by
         * the sleeper only when it enters or leaves idle. */
        _Alignas(64) _Atomic uint32_t need_wakeup;
};

_Static_assert(sizeof(struct idle_flag) == 64, "idle_flag: one cache line");

static inline void idle_flag_init(struct idle_flag *f)
{
        atomic_init(&f->need_wakeup, 0);
}

/*
 * Sleeper, interrupts off. S1 + S2. The caller must re-check ALL its inbound
 * sources after this returns (S3) and then call idle_cancel() or wfi +
 * idle_done().
 */
static inline void idle_prepare(struct idle_flag *f)
{
        /* S1. Relaxed is enough: the fence below gives the ordering. */
        atomic_store_explicit(&f->need_wakeup, 1, memory_order_relaxed);
        /* S2 [F_S]: orders the flag store S1 before the re-check loads S3.
         * Pairs with [F_W], the fence in idle_should_kick(). */
        atomic_thread_fence(memory_order_seq_cst);
}

/*
 * Sleeper: S4, the re-check found work, or wfi returned. No ordering needed:
 * a waker that reads this 0 skips the IPI, and the sleeper is awake and will
 * look at its sources again (at the latest in its next S3, see above).
 */
static inline void idle_cancel(struct idle_flag *f)
{
        atomic_store_explicit(&f->need_wakeup, 0, memory_order_relaxed);
}

static inline void idle_done(struct idle_flag *f)
{
        atomic_store_explicit(&f->need_wakeup, 0, memory_order_relaxed);
}

/*
 * Waker, after its publish W1 (ring store_release or waker fetch_or): W2 +
 * W3. true: the peer is (or is about to be) in wfi - send it an IPI.
 */
static inline bool idle_should_kick(struct idle_flag *f)
{
        /* W2 [F_W]: orders the publish W1 before the flag load W3. Pairs
         * with [F_S], the fence in idle_prepare(). */
        atomic_thread_fence(memory_order_seq_cst);
        /* W3. Relaxed: the fence above gives the ordering; nothing is read
         * through the flag. */
        return atomic_load_explicit(&f->need_wakeup, memory_order_relaxed) != 0;
}

/*
 * A hint, not part of the sleep protocol: does the owner of f sleep (or is
 * about to)?  Relaxed, no fence: the in-place fallback (rpc/fallback.h)
 * only uses it to choose between probing the server and waking it first;
 * a stale answer costs one probe or one IPI, never a lost request.
 */
static inline bool idle_looks_asleep(struct idle_flag *f)
{
        return atomic_load_explicit(&f->need_wakeup, memory_order_relaxed) != 0;
}

#endif /* DUET_RPC_IDLE_H */
