/*
 * sched/waker.h - the waker table: which parked futures have been woken.
 *
 * One table belongs to ONE executor (the owner: one hart's scheduler loop,
 * never its interrupt handlers). Only the owner calls waker_alloc,
 * waker_free, waker_take, waker_data, waker_lookup and waker_any_pending.
 * waker_wake may be called by anyone, at any time, concurrently: other
 * harts, interrupt handlers (also on the owner's hart), the owner itself.
 * It is wait-free: one load and one atomic_fetch_or, no lock.
 *
 * A handle is (generation << 32) | slot. A slot's generation is odd while
 * it is allocated and even while it is free; alloc and free each add one.
 * So a live handle is never 0, and a handle goes stale the moment its slot
 * is freed. (32-bit generations wrap after 2^31 alloc/free cycles of one
 * slot; a handle held across that many reuses could alias. Nothing in duet
 * keeps a handle that long.)
 *
 * Slot states:
 *
 *   state     gen   free_map bit  notified bit  data
 *   FREE      even  1             (ignored)     NULL
 *   PARKED    odd   0             0             set
 *   NOTIFIED  odd   0             1             set
 *
 *   FREE     -- waker_alloc (owner: clear bit, gen++) ---> PARKED
 *   PARKED   -- waker_wake (anyone: fetch_or, true) -----> NOTIFIED
 *   NOTIFIED -- waker_wake (coalesced, false) -----------> NOTIFIED
 *   NOTIFIED -- waker_take (owner: exchange) ------------> PARKED, resumed once
 *   PARKED, NOTIFIED -- waker_free (owner: gen++, clear) > FREE
 *   FREE     -- late wake (see the race below) ----------> FREE, bit ignored
 *
 * The guarantees, and why they hold:
 *  1. A wake with a live handle is never lost. waker_wake sets the bit with
 *     fetch_or; only waker_take (exchange with 0), waker_alloc and
 *     waker_free clear bits. take returns what it cleared to the owner;
 *     alloc runs before the handle exists; free is the owner saying "this
 *     future is gone". A wake that races with the owner while the owner is
 *     resuming the same slot sets the bit again: the slot is resumed once
 *     more (needed: the event may have fired after the future looked).
 *  2. One wake resumes a slot at most once. A bit set by one fetch_or is
 *     cleared by exactly one exchange; several wakes before a take coalesce
 *     into one resume. A future resumed from a taken word and woken during
 *     that resume is resumed again only from a later take. The Rust
 *     executor needed a `borrowed` bitmap because several executors could
 *     poll the same page; here one owner resumes slots one at a time.
 *  3. A freed slot is never resumed. A stale wake (one that validated the
 *     generation before the free) can still set the bit of a free slot, so
 *     waker_take and waker_any_pending mask bits with the owner's free map
 *     (free slots' bits are dropped), waker_data returns NULL for a free
 *     slot (so a slot freed by an earlier resume in the same pass is
 *     skipped), and waker_alloc clears the bit before handing the slot out.
 *     (Plays the role of the Rust executor's `dropped` bitmap.)
 *  4. A stale handle never sets a bit, as long as the staleness is known:
 *     if the free happens-before the waker_wake (the handle reached the
 *     waker after the free, through any synchronising path), the wake reads
 *     the new generation (coherence) and returns false.
 *
 * The one race left, chosen, not fixed: waker_wake(h) reads gen == h's
 * generation, then stalls; the owner frees the slot and allocates it to a
 * new future; the stalled wake's fetch_or lands on the new occupant. The new
 * occupant is resumed once without cause (a SPURIOUS wake; the waker's IPI,
 * if it sends one, is spurious too). The same happens when a resume frees
 * a slot that is still in the current pass's taken bits and allocates it
 * again before the loop reaches it. We allow it:
 *  - spurious resumes are already unavoidable with a valid handle: a future
 *    that waited on two sources (poll on two fds, a timeout and a pipe) is
 *    woken by the second after it went on to wait for something else, so
 *    every resumed future must re-check its condition anyway (xv6's
 *    `while (!cond) sleep()`, Rust's "poll may be called spuriously");
 *  - preventing it would need the generation and the bit in one atomic word
 *    per slot (a CAS loop in wake, and a per-slot exchange in take instead
 *    of one exchange per 64 slots), or a per-slot "generation of the last
 *    wake" with a max-CAS - extra atomics on the hot path to save a rare
 *    extra poll of a future that tolerates it;
 *  - the window is narrow: the waker must stall between one load and the
 *    next instruction while the owner completes a free AND an alloc.
 * So: a resumed future must re-check whatever it waits for. A client task
 * parked on a syscall must NOT be resumed from this bitmap; it is resumed by
 * its completion (rpc_cqe.handle -> waker_lookup), which carries the result.
 *
 * The owner's loop (interrupts on; see rpc/idle.h for the idle half):
 *
 *     for (unsigned w = 0; w < WAKER_WORDS; w++) {
 *             uint64_t bits = waker_take(t, w);
 *             while (bits) {
 *                     unsigned slot = w * 64 + waker_ctz64(bits);
 *                     bits &= bits - 1;
 *                     void *d = waker_data(t, slot);  // NULL: freed meanwhile
 *                     if (d)
 *                             resume(d);
 *             }
 *     }
 *
 * A waker on another hart:
 *
 *     if (waker_wake(t, h) && idle_should_kick(&owner->idle))
 *             send_ipi(owner);
 *
 * (false from waker_wake means stale handle, or the bit was already set -
 * whoever set it ran the kick check.)
 *
 * Memory ordering (partners named per call in waker.c):
 *   [WR]  waker_wake's fetch_or is a release; [TA] waker_take's exchange is
 *         an acquire: what the waker wrote before waking (the event's data,
 *         e.g. bytes put in a pipe) is visible to the resumed future. Bits
 *         set by later fetch_or's continue the release sequence.
 *   gen[] is read relaxed: it is only compared, nothing is read through it.
 *   The Dekker pair for sleeping is the fence in idle_should_kick after the
 *   fetch_or, and the fence in idle_prepare before waker_any_pending.
 */
#ifndef DUET_SCHED_WAKER_H
#define DUET_SCHED_WAKER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdatomic.h>

/* Tunable, but it sets the struct layout: define it identically for every
 * translation unit (kernel param header or build flags), never per file. */
#ifndef WAKER_SLOTS
#define WAKER_SLOTS 256         /* one per parked future; multiple of 64 */
#endif
#define WAKER_WORDS (WAKER_SLOTS / 64)

_Static_assert(WAKER_SLOTS > 0 && WAKER_SLOTS % 64 == 0,
               "WAKER_SLOTS must be a multiple of 64");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
               "waker: 32- and 64-bit atomics must be lock-free");

struct waker_table {
        /* The mailbox. fetch_or by any waker, exchange/fetch_and by the
         * owner. Its own cache line(s). */
        _Alignas(64) _Atomic uint64_t notified[WAKER_WORDS];
        /* Written by the owner (alloc/free), read by any waker. */
        _Alignas(64) _Atomic uint32_t gen[WAKER_SLOTS];
        /* Owner only. */
        _Alignas(64) uint64_t free_map[WAKER_WORDS];    /* bit set = free */
        void *data[WAKER_SLOTS];        /* what to resume; NULL when free */
};

/* Owner, before anyone else sees the table. All slots free. */
void waker_table_init(struct waker_table *t);

/* Owner. A handle for a new parked future; data (not NULL) is what
 * waker_data returns for it. 0 when every slot is in use: the caller
 * degrades (runs the future to completion synchronously, refuses the
 * request with -EAGAIN, ...), it must not crash. */
uint64_t waker_alloc(struct waker_table *t, void *data);

/* Owner. The future is gone: the handle goes stale, a pending wake is
 * dropped. Freeing a stale or invalid handle is a bug (WAKER_BUG). */
void waker_free(struct waker_table *t, uint64_t handle);

/* Anyone, any context. true if this call set the slot's bit (the caller
 * then runs the idle_should_kick / IPI rule); false for a stale or
 * malformed handle (nothing is touched) or if the bit was already set. */
bool waker_wake(struct waker_table *t, uint64_t handle);

/* Owner. Takes and clears the notified bits of word (slots word*64 ..
 * word*64+63); bits of free slots are dropped. */
uint64_t waker_take(struct waker_table *t, unsigned word);

/* Owner. The data of an allocated slot, NULL if the slot is free. */
void *waker_data(struct waker_table *t, unsigned slot);

/* Owner. The data of handle if it is still current, else NULL (for
 * handles echoed back by the other hart, e.g. rpc_cqe.handle). Inline: it
 * runs on both sides of every offloaded call. */
static inline void *waker_lookup(struct waker_table *t, uint64_t handle);

/* Owner. Any bit set for an allocated slot? For the idle re-check (S3):
 * call it after idle_prepare's fence. Inline: it runs on every return to
 * user mode. */
static inline bool waker_any_pending(struct waker_table *t)
{
        for (unsigned w = 0; w < WAKER_WORDS; w++)
                /* Relaxed: in the idle re-check (S3) the ordering comes
                 * from idle_prepare's fence [F_S], paired with the fence
                 * [F_W] in the waker's idle_should_kick. */
                if (atomic_load_explicit(&t->notified[w],
                                         memory_order_relaxed) &
                    ~t->free_map[w])
                        return true;
        return false;
}

static inline unsigned waker_handle_slot(uint64_t handle)
{
        return (unsigned)(handle & 0xffffffffu);
}

static inline uint32_t waker_handle_gen(uint64_t handle)
{
        return (uint32_t)(handle >> 32);
}

/* Index of the lowest set bit, x != 0. De Bruijn multiply: rv64imac has no
 * ctz instruction and __builtin_ctzll would call libgcc's __ctzdi2. */
static inline unsigned waker_ctz64(uint64_t x)
{
        static const uint8_t tab[64] = {
                0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
                62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
                63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
                46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
        };
        return tab[((x & (0 - x)) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* A generation is odd while its slot is allocated, even once freed. */
static inline bool waker_gen_live(uint32_t g)
{
        return (g & 1u) != 0;
}

static inline void *waker_lookup(struct waker_table *t, uint64_t handle)
{
        unsigned slot = waker_handle_slot(handle);
        uint32_t g = waker_handle_gen(handle);

        if (slot >= WAKER_SLOTS || !waker_gen_live(g) ||
            atomic_load_explicit(&t->gen[slot], memory_order_relaxed) != g)
                return NULL;
        return t->data[slot];
}

#endif /* DUET_SCHED_WAKER_H */
