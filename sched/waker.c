/*
 * sched/waker.c - the waker table. Contract, states and the spurious-wake
 * decision: sched/waker.h.
 */
#include "sched/waker.h"

/* Owner misuse (double free, freeing a stale handle, NULL data, word out of
 * range) is a kernel bug: stop loudly. The kernel may define WAKER_BUG() to
 * its panic; by default it is a trap (ebreak on RISC-V, SIGILL/SIGTRAP on a
 * host test). */
#ifndef WAKER_BUG
#define WAKER_BUG() __builtin_trap()
#endif


static inline uint64_t slot_bit(unsigned slot)
{
        return 1ull << (slot % 64);
}

void waker_table_init(struct waker_table *t)
{
        for (unsigned w = 0; w < WAKER_WORDS; w++) {
                atomic_init(&t->notified[w], 0);
                t->free_map[w] = ~0ull;
        }
        for (unsigned s = 0; s < WAKER_SLOTS; s++) {
                atomic_init(&t->gen[s], 0);     /* even: free */
                t->data[s] = NULL;
        }
}

uint64_t waker_alloc(struct waker_table *t, void *data)
{
        if (data == NULL)
                WAKER_BUG();
        for (unsigned w = 0; w < WAKER_WORDS; w++) {
                if (t->free_map[w] == 0)
                        continue;
                unsigned slot = w * 64 + waker_ctz64(t->free_map[w]);
                uint64_t bit = slot_bit(slot);

                t->free_map[w] &= ~bit;
                t->data[slot] = data;
                /* Drop a bit a late waker set while the slot was free.
                 * Relaxed: a wake for the NEW handle can only come from
                 * someone who got the handle through a path that starts
                 * after we return, so its fetch_or is after this in the
                 * word's modification order and cannot be erased. */
                atomic_fetch_and_explicit(&t->notified[w], ~bit,
                                          memory_order_relaxed);
                /* Own field: relaxed load sees our last store. The store is
                 * relaxed too: wakers only compare it (see waker_wake). */
                uint32_t g = atomic_load_explicit(&t->gen[slot],
                                                  memory_order_relaxed) + 1;
                atomic_store_explicit(&t->gen[slot], g, memory_order_relaxed);
                return ((uint64_t)g << 32) | slot;
        }
        return 0;
}

void waker_free(struct waker_table *t, uint64_t handle)
{
        unsigned slot = waker_handle_slot(handle);
        uint32_t g = waker_handle_gen(handle);

        if (slot >= WAKER_SLOTS || !waker_gen_live(g) ||
            atomic_load_explicit(&t->gen[slot], memory_order_relaxed) != g ||
            (t->free_map[slot / 64] & slot_bit(slot)))
                WAKER_BUG();    /* double free or stale handle */

        /* From here on waker_wake(handle) fails its generation check for
         * anyone who knows about this free (coherence on gen[slot]). A
         * wake that already passed the check may still set the bit below;
         * the free map masks it and waker_alloc clears it. */
        atomic_store_explicit(&t->gen[slot], g + 1, memory_order_relaxed);
        /* Drop a pending wake: nothing to resume any more. Relaxed: no data
         * is handed over through a cleared bit. */
        atomic_fetch_and_explicit(&t->notified[slot / 64], ~slot_bit(slot),
                                  memory_order_relaxed);
        t->data[slot] = NULL;
        t->free_map[slot / 64] |= slot_bit(slot);
}

bool waker_wake(struct waker_table *t, uint64_t handle)
{
        unsigned slot = waker_handle_slot(handle);
        uint32_t g = waker_handle_gen(handle);

        if (slot >= WAKER_SLOTS || !waker_gen_live(g))
                return false;           /* malformed, or 0 */
        /* Relaxed: only compared. If the free that made handle stale
         * happens-before this call, coherence makes us read its store (or
         * a later one), so a stale handle never reaches the fetch_or. A
         * concurrent free may land after this load: the race documented in
         * waker.h (spurious wake of a new occupant, or a masked bit). */
        if (atomic_load_explicit(&t->gen[slot], memory_order_relaxed) != g)
                return false;
        /* [WR] release: everything we wrote before waking (the event's
         * data) happens-before the resume. Pairs with [TA], the acquire
         * exchange in waker_take. The caller's idle_should_kick fence
         * ([F_W]) orders this RMW before its read of need_wakeup. */
        uint64_t old = atomic_fetch_or_explicit(&t->notified[slot / 64],
                                                slot_bit(slot),
                                                memory_order_release);
        return (old & slot_bit(slot)) == 0;
}

uint64_t waker_take(struct waker_table *t, unsigned word)
{
        if (word >= WAKER_WORDS)
                WAKER_BUG();
        /* Cheap skip without taking the line exclusive when nothing is
         * set. A bit we miss here is concurrent with us and is found by
         * the next pass, or by waker_any_pending after idle_prepare's
         * fence (never lost: only an exchange clears bits). */
        if (atomic_load_explicit(&t->notified[word], memory_order_relaxed) == 0)
                return 0;
        /* [TA] acquire: pairs with [WR], the release fetch_or in
         * waker_wake, for every bit we take (release sequence). */
        uint64_t bits = atomic_exchange_explicit(&t->notified[word], 0,
                                                 memory_order_acquire);
        return bits & ~t->free_map[word];       /* free slots: dropped */
}

void *waker_data(struct waker_table *t, unsigned slot)
{
        if (slot >= WAKER_SLOTS)
                return NULL;
        return t->data[slot];                   /* NULL when free */
}



