/*
 * rpc/claim.h - who runs a submitted request: the server, or the client
 * that takes it back (in-place fallback, docs/FALLBACK.md).
 *
 * A request's `nr` word (rpc_req.nr) carries the syscall number in its low
 * 30 bits and the request's claim state in the top two:
 *
 *   SUBMITTED (0)  written by the client with the request (P2 of the ring),
 *                  before the request is published;
 *   TAKEN          the server's fetch_or, before it runs the call;
 *   RECLAIMED      the client's compare-and-swap from SUBMITTED, when the
 *                  server did not take the request in time: the client
 *                  runs the call itself and the server must skip it.
 *
 *   SUBMITTED --server: fetch_or(TAKEN)--------------------> TAKEN
 *   SUBMITTED --client: cas(SUBMITTED -> RECLAIMED)---------> RECLAIMED
 *   RECLAIMED --server: fetch_or(TAKEN) returns RECLAIMED--> skipped
 *
 * Claim: every request is run exactly once.  Both transitions out of
 * SUBMITTED are read-modify-writes of one word, so they are totally
 * ordered in that word's modification order (coherence; no fence needed):
 *   - the server's fetch_or first: it reads SUBMITTED and runs the call;
 *     the client's CAS then reads TAKEN and fails, and the client waits for
 *     the completion as usual;
 *   - the client's CAS first: it reads SUBMITTED and wins; the server's
 *     fetch_or then returns RECLAIMED and the server releases the slot
 *     without running the call or writing a completion.
 * No data are handed over through the word (the request's payload was
 * published through ring_seq, [R_P]/[A_S] in rpc/ring.h; a reclaimed call's
 * result never crosses harts), so both RMWs are relaxed.
 *
 * The fetch_or must happen while the server still holds the slot (between
 * peek and release, C2 of the ring): after the release the client may
 * reuse it.  The client's CAS must name its own request: it reclaims only
 * with interrupts off, between its publish and its next one, and nothing
 * else publishes on its SQ meanwhile (one SQ per client cpu), so the slot
 * still holds its request or the server has taken it (then TAKEN, or, once
 * released, never SUBMITTED again before this client publishes).
 *
 * Server cost on every call: one amoor on a line it already holds.
 * Client cost: none unless it reclaims (one lr/sc).
 */
#ifndef DUET_RPC_CLAIM_H
#define DUET_RPC_CLAIM_H

#include <stdint.h>
#include <stdbool.h>
#include <stdatomic.h>

#define CLAIM_NR_MASK   0x3fffffffu     /* syscall numbers the ring carries */
#define CLAIM_SUBMITTED 0u
#define CLAIM_TAKEN     (1u << 30)
#define CLAIM_RECLAIMED (2u << 30)
#define CLAIM_STATE(w)  ((w) & ~CLAIM_NR_MASK)

/* Client, filling the slot (P2): the number, SUBMITTED.  A plain store on
 * RISC-V (GCC makes any C11 store an AMO); ordered before the server's
 * reads by the ring's release of ring_seq [R_P]. */
static inline void claim_submit(_Atomic uint32_t *w, uint32_t nr)
{
#if defined(__riscv) && !defined(RING_C11)
        *(volatile uint32_t *)w = nr & CLAIM_NR_MASK;
#else
        atomic_store_explicit(w, nr & CLAIM_NR_MASK, memory_order_relaxed);
#endif
}

/* Server, before running the request (slot still held): the word's old
 * value, whose low bits are the syscall number.  CLAIM_STATE(old) ==
 * CLAIM_RECLAIMED: skip it. */
static inline uint32_t claim_take(_Atomic uint32_t *w)
{
        /* Relaxed RMW: only the modification order of this word matters
         * (see the claim above).  fetch_or keeps the number (amoor.w). */
        return atomic_fetch_or_explicit(w, CLAIM_TAKEN, memory_order_relaxed);
}

/* Client: take back its own request numbered nr; true if it is now ours to
 * run (the server will skip it), false if the server has taken it. */
static inline bool claim_reclaim(_Atomic uint32_t *w, uint32_t nr)
{
        uint32_t want = nr & CLAIM_NR_MASK;
        /* Relaxed RMW: see the claim above.  Strong CAS: a spurious
         * failure would only make us wait for a server that is late. */
        return atomic_compare_exchange_strong_explicit(
                w, &want, (nr & CLAIM_NR_MASK) | CLAIM_RECLAIMED,
                memory_order_relaxed, memory_order_relaxed);
}

#endif /* DUET_RPC_CLAIM_H */
