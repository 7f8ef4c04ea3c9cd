/*
 * Host test of the in-place fallback's claim protocol (rpc/claim.h) on the
 * real ring (rpc/rpc.h: rpc_sq_take), with real threads under TSan.
 *
 * A client thread plays offload_try_fast: it publishes one request (its
 * handle is the call's id), polls the CQ for a random, often too short,
 * number of polls, and then tries to take the request back (claim_reclaim);
 * if that wins it "runs the call itself", else it waits for the server's
 * completion.  A server thread plays the worker: rpc_sq_take, run (sometimes
 * after a random delay, to be "descheduled"), complete.  Every call counts
 * its executions in executed[id] on whichever thread ran it.
 *
 * Checked: every call ran exactly once (never twice, never zero); the
 * client never receives a completion for a call it reclaimed, nor one out
 * of order; the server skipped exactly the reclaimed requests; both paths
 * were exercised (some reclaims won, some calls were answered in time; the
 * reclaims lost to the server, the closest race, are counted and show up
 * in every run seen so far, but how many depends on the machine).
 *
 * -DBROKEN_CLAIM (negative control, must FAIL): both sides decide with a
 * load and a later store instead of one read-modify-write (check, then
 * act), with a pause in between; the test must catch a call run twice.
 *
 * Usage: test_claim [calls]   (default 10^6)
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>

#include "rpc/rpc.h"
#include "tests/host/harness.h"

static struct rpc_sq sq;
static struct rpc_cq cq;
static _Atomic uint8_t *executed;       /* per call id: times it ran */
static atomic_bool stop;
static atomic_ulong skipped, served;

#ifdef BROKEN_CLAIM
static void pause_a_little(uint64_t *rng)
{
        for (unsigned k = rng_next(rng) % 64; k; k--)
                atomic_signal_fence(memory_order_seq_cst);
        if ((rng_next(rng) & 7) == 0)
                sched_yield();
}

/* The broken server: look, then act. */
static int broken_take(struct rpc_sq *q, struct rpc_req *out, uint32_t *nr, uint64_t *rng)
{
        struct rpc_req *e = rpc_sq_peek(q);
        if (!e)
                return -1;
        out->handle = e->handle;
        uint32_t w = atomic_load_explicit(&e->nr, memory_order_relaxed);
        pause_a_little(rng);
        atomic_store_explicit(&e->nr, w | CLAIM_TAKEN, memory_order_relaxed);
        rpc_sq_release(q);
        if (CLAIM_STATE(w) == CLAIM_RECLAIMED)
                return 0;
        *nr = w & CLAIM_NR_MASK;
        return 1;
}

/* The broken client: look, then act. */
static bool broken_reclaim(_Atomic uint32_t *w, uint32_t nr, uint64_t *rng)
{
        if (atomic_load_explicit(w, memory_order_relaxed) != nr)
                return false;
        pause_a_little(rng);
        atomic_store_explicit(w, nr | CLAIM_RECLAIMED, memory_order_relaxed);
        return true;
}
#endif

static void *server(void *arg)
{
        (void)arg;
        uint64_t rng = 0x9e3779b97f4a7c15ull;
        unsigned empty = 0;
        while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
                struct rpc_req req;
                uint32_t nr;
#ifdef BROKEN_CLAIM
                int got = broken_take(&sq, &req, &nr, &rng);
#else
                int got = rpc_sq_take(&sq, &req, &nr);
#endif
                if (got < 0) {
                        if ((++empty & 63) == 0)
                                sched_yield();
                        continue;
                }
                if (got == 0) {
                        atomic_fetch_add_explicit(&skipped, 1, memory_order_relaxed);
                        continue;
                }
                atomic_fetch_add_explicit(&executed[req.handle], 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&served, 1, memory_order_relaxed);
                if ((rng_next(&rng) & 15) == 0)
                        sched_yield();  /* a slow handler */
                struct rpc_cqe c = { .handle = req.handle, .result = (int64_t)nr };
                while (!rpc_cq_push(&cq, &c))
                        sched_yield();
        }
        return NULL;
}

/* Wait for the completion of call id (nothing else may come). */
static bool wait_answer(uint64_t id)
{
        struct rpc_cqe c;
        while (!rpc_cq_pop(&cq, &c))
                sched_yield();
        CHECK(c.handle == id, "completion for call %lu while waiting for %lu (a reclaimed call answered?)",
              (unsigned long)c.handle, (unsigned long)id);
        CHECK(c.result == 172, "completion of call %lu carries nr %ld, want 172",
              (unsigned long)id, (long)c.result);
        return true;
}

static bool client(uint64_t calls, uint64_t *won, uint64_t *lost, uint64_t *quick)
{
        uint64_t rng = 0x2545f4914f6cdd1dull;
        /* windows drawn up to maxwin, which follows the server's speed on
         * this machine (TSan, qemu-user...): longer after a reclaim, shorter
         * after an answer, so both outcomes, and the races between them,
         * keep happening whatever the relative speeds */
        unsigned maxwin = 1000;
        for (uint64_t id = 0; id < calls; id++) {
                struct rpc_req *s;
                while (!(s = rpc_sq_slot(&sq)))
                        sched_yield();  /* skipped entries not yet drained */
                s->handle = id;
                for (int i = 0; i < 6; i++)
                        s->args[i] = id + i;
                claim_submit(&s->nr, 172);
                rpc_sq_publish(&sq);
                /* the window: often too short, so both sides race */
                unsigned window = rng_next(&rng) % (maxwin + 1);
                bool answered = false;
                for (unsigned p = 0; p < window; p++) {
                        if (!rpc_cq_is_empty(&cq)) {
                                answered = true;
                                break;
                        }
                }
                if (answered) {
                        (*quick)++;
                        maxwin -= maxwin / 8;
                        if (!wait_answer(id))
                                return false;
                        continue;
                }
#ifdef BROKEN_CLAIM
                bool mine = broken_reclaim(&s->nr, 172, &rng);
#else
                bool mine = claim_reclaim(&s->nr, 172);
#endif
                if (maxwin < 1000000)
                        maxwin += maxwin / 8 + 1;
                if (mine) {
                        (*won)++;
                        atomic_fetch_add_explicit(&executed[id], 1, memory_order_relaxed);
                } else {
                        (*lost)++;
                        if (!wait_answer(id))
                                return false;
                }
        }
        /* nothing may arrive for a reclaimed call: give the server time to
         * drain, then the CQ must be empty */
        while (!rpc_sq_is_empty(&sq))
                sched_yield();
        for (int k = 0; k < 1000; k++)
                sched_yield();
        CHECK(rpc_cq_is_empty(&cq), "a completion arrived after the last call (a reclaimed call ran)");
        return true;
}

int main(int argc, char **argv)
{
        uint64_t calls = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
        executed = calloc(calls, 1);
        rpc_sq_init(&sq);
        rpc_cq_init(&cq);
        double t0 = now();
        pthread_t th;
        pthread_create(&th, NULL, server, NULL);
        uint64_t won = 0, lost = 0, quick = 0;
        bool ok = client(calls, &won, &lost, &quick);
        atomic_store(&stop, true);
        pthread_join(th, NULL);
        if (!ok)
                return 1;
        uint64_t twice = 0, never = 0, first_bad = calls;
        for (uint64_t i = 0; i < calls; i++) {
                uint8_t n = atomic_load(&executed[i]);
                twice += n > 1;
                never += n == 0;
                if (n != 1 && first_bad == calls)
                        first_bad = i;
        }
        printf("claim: %lu calls: %lu answered in the window, %lu reclaimed (run by the client), "
               "%lu reclaims lost to the server; server ran %lu, skipped %lu (%.1f s)\n",
               (unsigned long)calls, (unsigned long)quick, (unsigned long)won, (unsigned long)lost,
               (unsigned long)served, (unsigned long)skipped, now() - t0);
        if (twice || never) {
                printf("FAIL claim: %lu calls ran twice, %lu never (first: call %lu)\n",
                       (unsigned long)twice, (unsigned long)never, (unsigned long)first_bad);
                return 1;
        }
        if (skipped != won || served + won != calls) {
                printf("FAIL claim: server skipped %lu but the client reclaimed %lu; ran %lu + %lu != %lu\n",
                       (unsigned long)skipped, (unsigned long)won, (unsigned long)served,
                       (unsigned long)won, (unsigned long)calls);
                return 1;
        }
        if (!won || !quick) {
                printf("FAIL claim: a path was not exercised (reclaimed %lu, lost %lu, answered %lu)\n",
                       (unsigned long)won, (unsigned long)lost, (unsigned long)quick);
                return 1;
        }
        printf("PASS claim: every call ran exactly once, reclaimed calls were never answered\n");
        return 0;
}
