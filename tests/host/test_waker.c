/*
 * Host test of sched/waker.c under ThreadSanitizer.
 *
 *  waker_unit     single-threaded: handles, coalescing, stale handles, free
 *                 dropping a pending wake, masking a late bit on a free
 *                 slot, exhaustion, malformed handles, ctz, double free.
 *  waker_stress   NWAKERS threads call waker_wake on random live handles
 *                 (published by the owner) and on stale ones (published
 *                 after their free), while the owner thread allocates,
 *                 frees and takes. Checked:
 *                 - every wake of a live handle is observed: each call that
 *                   returned true is acknowledged (after the call) in a
 *                   per-slot, per-generation counter; before each take the
 *                   owner reads the counters, and after the take the number
 *                   of takes that returned the slot's bit in this
 *                   generation must be >= the acknowledged count (each true
 *                   return is a distinct 0->1 transition of the bit, which
 *                   only a take can consume while the slot is allocated);
 *                 - no bit is returned for a slot that is free at take time,
 *                   and waker_data is NULL for a slot freed during a pass;
 *                 - a stale handle (freed before it was published) never
 *                   returns true (so never sets a bit);
 *                 - exhaustion returns 0 and recovers;
 *                 - what a waker writes before waker_wake is visible to the
 *                   owner after waker_take ([WR] -> [TA]): on every 4th
 *                   slot only waker 0 wakes, after writing a plain payload,
 *                   which the owner reads when it takes the bit. Weaken
 *                   either side to relaxed and TSan reports the race.
 *
 * Usage: test_waker [owner_ops [min_wakes]]   (default 10^6 and 10^6)
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "sched/waker.h"

#define NWAKERS 3
#define NSTALE 512

#include "tests/host/harness.h"

static struct waker_table T;

static uint64_t raw_word(unsigned w)    /* test only: peek at the mailbox */
{
        return atomic_load(&T.notified[w]);
}

/* ---- unit ---- */

static bool test_unit(void)
{
        int d[8];

        waker_table_init(&T);
        CHECK(!waker_any_pending(&T), "pending on a new table");
        CHECK(waker_take(&T, 0) == 0, "take on a new table");
        CHECK(waker_data(&T, 0) == NULL, "data of a free slot");

        uint64_t h = waker_alloc(&T, &d[0]);
        CHECK(h != 0 && waker_handle_slot(h) == 0, "first alloc: %llx", (unsigned long long)h);
        CHECK(waker_lookup(&T, h) == &d[0] && waker_data(&T, 0) == &d[0], "lookup");
        CHECK(waker_wake(&T, h), "first wake not newly set");
        CHECK(!waker_wake(&T, h), "second wake not coalesced");
        CHECK(waker_any_pending(&T), "not pending after wake");
        CHECK(waker_take(&T, 0) == 1, "take");
        CHECK(waker_take(&T, 0) == 0, "second take");
        CHECK(!waker_any_pending(&T), "pending after take");

        /* free drops a pending wake; the handle goes stale */
        CHECK(waker_wake(&T, h), "wake before free");
        waker_free(&T, h);
        CHECK(raw_word(0) == 0, "free left the bit set");
        CHECK(!waker_any_pending(&T) && waker_take(&T, 0) == 0, "pending after free");
        CHECK(!waker_wake(&T, h) && raw_word(0) == 0, "stale wake set a bit");
        CHECK(waker_lookup(&T, h) == NULL && waker_data(&T, 0) == NULL, "stale lookup");

        /* reuse: new generation, old handle still stale */
        uint64_t h2 = waker_alloc(&T, &d[1]);
        CHECK(waker_handle_slot(h2) == 0 && h2 != h &&
              waker_handle_gen(h2) == waker_handle_gen(h) + 2, "reuse: %llx after %llx",
              (unsigned long long)h2, (unsigned long long)h);
        CHECK(!waker_wake(&T, h) && raw_word(0) == 0, "stale wake hit the new occupant");
        CHECK(waker_wake(&T, h2) && waker_take(&T, 0) == 1, "wake of the new occupant");

        /* a late bit on a free slot (the race of waker.h, by hand) */
        uint64_t h3 = waker_alloc(&T, &d[2]);           /* slot 1 */
        uint64_t h4 = waker_alloc(&T, &d[3]);           /* slot 2 */
        CHECK(waker_handle_slot(h3) == 1 && waker_handle_slot(h4) == 2, "slots 1, 2");
        waker_free(&T, h3);
        atomic_fetch_or(&T.notified[0], 1ull << 1);     /* stalled waker lands */
        CHECK(!waker_any_pending(&T), "late bit of a free slot counts as pending");
        CHECK(waker_wake(&T, h4), "wake slot 2");
        CHECK(waker_take(&T, 0) == (1ull << 2), "late bit of a free slot taken");
        atomic_fetch_or(&T.notified[0], 1ull << 1);     /* again, then reuse */
        uint64_t h5 = waker_alloc(&T, &d[4]);
        CHECK(waker_handle_slot(h5) == 1, "slot 1 reused");
        CHECK(waker_take(&T, 0) == 0, "alloc did not clear the late bit");
        waker_free(&T, h5);
        waker_free(&T, h4);
        waker_free(&T, h2);

        /* exhaustion and recovery */
        static uint64_t hs[WAKER_SLOTS];
        for (unsigned i = 0; i < WAKER_SLOTS; i++) {
                hs[i] = waker_alloc(&T, &d[5]);
                CHECK(hs[i] != 0, "alloc %u of %u failed", i, WAKER_SLOTS);
        }
        CHECK(waker_alloc(&T, &d[5]) == 0, "alloc beyond WAKER_SLOTS");
        for (unsigned i = 0; i < WAKER_SLOTS; i++)
                CHECK(waker_wake(&T, hs[i]), "wake %u", i);
        for (unsigned w = 0; w < WAKER_WORDS; w++)
                CHECK(waker_take(&T, w) == ~0ull, "full word %u", w);
        waker_free(&T, hs[77]);
        uint64_t again = waker_alloc(&T, &d[6]);
        CHECK(waker_handle_slot(again) == 77, "recovery slot %u", waker_handle_slot(again));
        waker_free(&T, again);
        for (unsigned i = 0; i < WAKER_SLOTS; i++)
                if (i != 77)
                        waker_free(&T, hs[i]);

        /* malformed handles */
        CHECK(!waker_wake(&T, 0), "wake(0)");
        CHECK(!waker_wake(&T, (1ull << 32) | WAKER_SLOTS), "slot out of range");
        CHECK(!waker_wake(&T, (2ull << 32) | 3), "even generation");
        CHECK(!waker_wake(&T, (1ull << 32) | (1ull << 31) | 3), "junk in slot bits");
        CHECK(waker_lookup(&T, 0) == NULL && waker_data(&T, WAKER_SLOTS) == NULL, "lookup junk");
        CHECK(!waker_any_pending(&T), "pending after malformed wakes");

        /* ctz */
        uint64_t rs = 42;
        for (unsigned b = 0; b < 64; b++)
                CHECK(waker_ctz64(1ull << b) == b, "ctz(1<<%u)", b);
        for (unsigned i = 0; i < 100000; i++) {
                uint64_t x = rng_next(&rs) << (i % 64);
                if (x)
                        CHECK(waker_ctz64(x) == (unsigned)__builtin_ctzll(x), "ctz(%llx)",
                              (unsigned long long)x);
        }

        /* double free is loud */
        pid_t pid = fork();
        if (pid == 0) {
                uint64_t x = waker_alloc(&T, &d[7]);
                waker_free(&T, x);
                waker_free(&T, x);
                _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        CHECK(WIFSIGNALED(st), "double free did not trap (status %d)", st);

        printf("PASS waker_unit\n");
        return true;
}

/* ---- stress ---- */

static _Atomic uint64_t live_h[WAKER_SLOTS];    /* published handle, 0 = none */
static _Atomic uint64_t ack[WAKER_SLOTS];       /* gen << 32 | true-returns acknowledged */
static _Atomic uint64_t stale[NSTALE];          /* handles published after their free */
static _Atomic int stop;
static _Atomic uint64_t n_wakes, n_true, n_stale, n_stale_bad, n_bogus_bad;
static _Atomic uint64_t n_wakes_live;  /* running count, every 1024 calls */

/* Payload slots: s % 4 == 3, woken by waker 0 only, so a bit of such a
 * slot is only ever set right after waker 0 wrote its payload. pstate goes
 * 0 -> 1 when waker 0 writes (only seen 0), 1 -> 0 when the owner has read
 * it after taking the bit, or when waker 0's wake failed (stale: no bit).
 * The owner never resets it on alloc: waker 0 may have a bit in flight
 * from a wake that validated the old generation. (If waker_free drops
 * such a bit, the slot stays at 1 and simply leaves the payload check.) */
#define PAYLOAD_SLOT(s) ((s) % 4 == 3)
static _Atomic uint32_t pstate[WAKER_SLOTS];   /* 0: owner has read it, 1: written */
static uint64_t payload[WAKER_SLOTS];           /* plain: ordered by the table */
static uint64_t st_payloads;

static void ack_inc(unsigned s, uint32_t gen)
{
        uint64_t v = atomic_load_explicit(&ack[s], memory_order_relaxed);
        do {
                if ((uint32_t)(v >> 32) != gen)
                        return;         /* slot freed meanwhile: not this generation's */
        /* release: our fetch_or happens-before the owner's acquire read */
        } while (!atomic_compare_exchange_weak_explicit(&ack[s], &v, v + 1,
                                                        memory_order_release,
                                                        memory_order_relaxed));
}

static void *waker_main(void *arg)
{
        uint64_t rs = 0x100 + (uintptr_t)arg * 7919;
        uint64_t wakes = 0, trues = 0, stales = 0, stale_bad = 0, bogus_bad = 0;

        for (unsigned it = 0; !atomic_load_explicit(&stop, memory_order_relaxed); it++) {
                /* more threads than cores: yield often, so that wakes and
                 * takes interleave finely instead of by scheduler quanta */
                if ((it & 127) == 0)
                        sched_yield();
                uint64_t r = rng_next(&rs);
                if ((r & 7) == 0) {                     /* 1/8: a stale handle */
                        uint64_t h = atomic_load_explicit(&stale[(r >> 8) % NSTALE],
                                                          memory_order_acquire);
                        if (h) {
                                stales++;
                                if (waker_wake(&T, h))
                                        stale_bad++;
                        }
                        continue;
                }
                if ((r & 63) == 1) {                    /* malformed */
                        if (waker_wake(&T, (r >> 8) & ~(1ull << 32)))   /* even gen */
                                bogus_bad++;
                        continue;
                }
                unsigned s = (r >> 8) % WAKER_SLOTS;
                bool pay = PAYLOAD_SLOT(s);
                if (pay && arg != 0)
                        continue;
                uint64_t h = atomic_load_explicit(&live_h[s], memory_order_acquire);
                if (!h)
                        continue;
                if (pay) {
                        /* acquire: the owner's read of the last payload
                         * happens-before our overwrite */
                        if (atomic_load_explicit(&pstate[s], memory_order_acquire))
                                continue;
                        payload[s] = h ^ r;
                        atomic_store_explicit(&pstate[s], 1, memory_order_relaxed);
                }
                if ((++wakes & 1023) == 0)
                        atomic_fetch_add_explicit(&n_wakes_live, 1024, memory_order_relaxed);
                if (waker_wake(&T, h)) {
                        trues++;
                        ack_inc(s, waker_handle_gen(h));
                } else if (pay) {
                        /* stale by now: no bit, so the owner will not read */
                        atomic_store_explicit(&pstate[s], 0, memory_order_relaxed);
                }
        }
        atomic_fetch_add(&n_wakes, wakes);
        atomic_fetch_add(&n_true, trues);
        atomic_fetch_add(&n_stale, stales);
        atomic_fetch_add(&n_stale_bad, stale_bad);
        atomic_fetch_add(&n_bogus_bad, bogus_bad);
        return NULL;
}

/* owner's shadow */
static struct {
        bool live;
        uint64_t h;
        void *data;
        uint64_t taken;         /* takes that returned the bit, this generation */
} sh[WAKER_SLOTS];
static unsigned nlive, stale_pos;
static uint64_t alloc_seq, st_takes, st_bits, st_freed_in_pass, st_exhausted,
                st_allocs, st_frees, st_checks;
static uint64_t ors = 0xfeedface;

static bool owner_free(unsigned s);

/* Take word w and "resume" its slots, checking the contract. */
static bool owner_take(unsigned w, bool may_free)
{
        uint32_t acked[64];

        /* acknowledged true-returns, read BEFORE the take (acquire: their
         * fetch_or's are then before our exchange) */
        for (unsigned b = 0; b < 64; b++) {
                unsigned s = w * 64 + b;
                if (!sh[s].live)
                        continue;
                uint64_t v = atomic_load_explicit(&ack[s], memory_order_acquire);
                CHECK((uint32_t)(v >> 32) == waker_handle_gen(sh[s].h), "ack generation");
                acked[b] = (uint32_t)v;
        }
        uint64_t bits = waker_take(&T, w);
        st_takes++;
        for (uint64_t m = bits; m; m &= m - 1) {
                unsigned s = w * 64 + waker_ctz64(m);
                CHECK(sh[s].live, "take returned slot %u, which is free", s);
                sh[s].taken++;
                st_bits++;
                if (PAYLOAD_SLOT(s) &&
                    atomic_load_explicit(&pstate[s], memory_order_relaxed)) {
                        /* plain read: ordered only by [WR] -> [TA] */
                        volatile uint64_t v = payload[s];
                        (void)v;
                        st_payloads++;
                        /* release: pairs with waker 0's acquire of pstate */
                        atomic_store_explicit(&pstate[s], 0, memory_order_release);
                }
        }
        for (unsigned b = 0; b < 64; b++) {
                unsigned s = w * 64 + b;
                if (!sh[s].live)
                        continue;
                st_checks++;
                CHECK(sh[s].taken >= acked[b],
                      "lost wake: slot %u acknowledged %u wakes, observed %llu", s,
                      acked[b], (unsigned long long)sh[s].taken);
        }
        /* resume pass; in 1 take of 4, one resume frees another slot of the
         * pass (at most one, so the fill phases still reach exhaustion) */
        bool free_one = may_free && (rng_next(&ors) & 3) == 0;
        for (uint64_t m = bits; m; m &= m - 1) {
                unsigned s = w * 64 + waker_ctz64(m);
                void *d = waker_data(&T, s);
                if (!sh[s].live) {
                        CHECK(d == NULL, "slot %u freed in this pass but has data", s);
                        continue;
                }
                CHECK(d == sh[s].data, "wrong data for slot %u", s);
                uint64_t rest = m & (m - 1);
                if (free_one && rest) {
                        unsigned s2 = w * 64 + waker_ctz64(rest);
                        free_one = false;
                        if (sh[s2].live) {
                                st_freed_in_pass++;
                                if (!owner_free(s2))
                                        return false;
                        }
                }
        }
        return true;
}

static bool owner_alloc(void)
{
        void *d = (void *)(uintptr_t)(0x10000 + (++alloc_seq) * 16);
        uint64_t h = waker_alloc(&T, d);

        if (nlive == WAKER_SLOTS) {
                CHECK(h == 0, "alloc with all %u slots in use returned %llx", WAKER_SLOTS,
                      (unsigned long long)h);
                st_exhausted++;
                return true;
        }
        CHECK(h != 0, "alloc failed with %u free", WAKER_SLOTS - nlive);
        unsigned s = waker_handle_slot(h);
        CHECK(s < WAKER_SLOTS && !sh[s].live, "alloc returned busy slot %u", s);
        CHECK(waker_handle_gen(h) & 1, "even generation");
        CHECK(waker_data(&T, s) == d && waker_lookup(&T, h) == d, "data after alloc");
        sh[s].live = true;
        sh[s].h = h;
        sh[s].data = d;
        sh[s].taken = 0;
        nlive++;
        st_allocs++;
        /* reset the ack counter for this generation, then publish the
         * handle (release: a waker that sees h sees the reset) */
        atomic_store_explicit(&ack[s], (uint64_t)waker_handle_gen(h) << 32,
                              memory_order_relaxed);
        atomic_store_explicit(&live_h[s], h, memory_order_release);
        return true;
}

static bool owner_free(unsigned s)
{
        uint64_t h = sh[s].h;

        atomic_store_explicit(&live_h[s], 0, memory_order_relaxed);
        /* last take: everything acknowledged so far must be observed */
        if (!owner_take(s / 64, false))
                return false;
        waker_free(&T, h);
        sh[s].live = false;
        nlive--;
        st_frees++;
        CHECK(waker_data(&T, s) == NULL && waker_lookup(&T, h) == NULL, "data after free");
        /* publish as stale only now: the free happens-before any use */
        atomic_store_explicit(&stale[stale_pos++ % NSTALE], h, memory_order_release);
        return true;
}

static bool owner_random_live(unsigned *out)
{
        if (nlive == 0)
                return false;
        for (;;) {
                unsigned s = rng_next(&ors) % WAKER_SLOTS;
                if (sh[s].live) {
                        *out = s;
                        return true;
                }
        }
}

static bool test_stress(uint64_t ops, uint64_t min_wakes)
{
        pthread_t th[NWAKERS];
        double t0 = now();
        uint64_t done = 0;

        waker_table_init(&T);
        for (uintptr_t i = 0; i < NWAKERS; i++)
                pthread_create(&th[i], NULL, waker_main, (void *)i);

        bool ok = true;
        /* owner ops first; then keep going until the wakers have made
         * min_wakes calls (bounded by 60 s) */
        for (done = 0; ok; done++) {
                if (done >= ops &&
                    (atomic_load_explicit(&n_wakes_live, memory_order_relaxed) >= min_wakes ||
                     now() - t0 > 60))
                        break;
                if ((done & 63) == 0)
                        sched_yield();
                /* phases of 20000 ops: fill up (exhaustion), then drain */
                bool filling = (done / 20000) % 2 == 0;
                unsigned r = rng_next(&ors) % 16, s;
                if (r < (filling ? 7u : 2u))
                        ok = owner_alloc();
                else if (r < 9u && owner_random_live(&s))
                        ok = owner_free(s);
                else if (r < 14u)
                        ok = owner_take(rng_next(&ors) % WAKER_WORDS, true);
                else
                        for (unsigned w = 0; ok && w < WAKER_WORDS; w++)
                                ok = owner_take(w, true);
        }
        atomic_store(&stop, 1);
        for (unsigned i = 0; i < NWAKERS; i++)
                pthread_join(th[i], NULL);
        /* all acknowledgements are in now: a final exact check */
        for (unsigned w = 0; ok && w < WAKER_WORDS; w++)
                ok = owner_take(w, false);
        double dt = now() - t0;
        if (!ok)
                return false;

        uint64_t wakes = atomic_load(&n_wakes);
        CHECK(atomic_load(&n_stale_bad) == 0, "%llu stale wakes returned true",
              (unsigned long long)atomic_load(&n_stale_bad));
        CHECK(atomic_load(&n_bogus_bad) == 0, "malformed handles returned true");
        CHECK(wakes >= min_wakes, "only %llu wakes in 60 s", (unsigned long long)wakes);
        CHECK(st_exhausted > 0, "exhaustion never exercised");
        printf("PASS waker_stress: %.2f s; owner: %llu ops (%llu allocs, %llu frees, "
               "%llu takes returning %llu bits, %llu lost-wake checks, %llu exhausted allocs, "
               "%llu frees inside a pass); %d wakers: %llu wakes of live handles "
               "(%llu newly set), %llu payloads handed over, %llu stale wakes (0 set a bit)\n",
               dt, (unsigned long long)done, (unsigned long long)st_allocs,
               (unsigned long long)st_frees, (unsigned long long)st_takes,
               (unsigned long long)st_bits, (unsigned long long)st_checks,
               (unsigned long long)st_exhausted, (unsigned long long)st_freed_in_pass,
               NWAKERS, (unsigned long long)wakes, (unsigned long long)atomic_load(&n_true),
               (unsigned long long)st_payloads, (unsigned long long)atomic_load(&n_stale));
        return true;
}

int main(int argc, char **argv)
{
        uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
        uint64_t min_wakes = argc > 2 ? strtoull(argv[2], NULL, 0) : 1000000;

        setvbuf(stdout, NULL, _IOLBF, 0);
        alarm(300);
        test_unit();
        test_stress(ops, min_wakes);
        return failures ? 1 : 0;
}
