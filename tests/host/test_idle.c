/*
 * Host test of the sleep/wake protocol (rpc/idle.h with rpc/rpc.h rings).
 *
 * A client thread and a server thread play duet's syscall round trip: the
 * client pushes requests on an SQ and sleeps until their completions come
 * back on the CQ; the server drains the SQ, pushes completions, and sleeps
 * when the SQ is empty. Both sleep by the protocol of rpc/idle.h:
 *
 *     idle_prepare; re-check inbound ring; wfi; idle_done
 *
 * and both kick the other after publishing, only if idle_should_kick says
 * so. "wfi" is a futex latch: it returns at once if a kick is pending (like
 * a pending interrupt with SIE clear); the "trap handler" clears it after
 * idle_done. The latch word is touched with relaxed atomics only, so TSan
 * sees no synchronisation through it (an IPI orders no memory either).
 *
 * A watchdog fails the test if no round completes for WATCHDOG_S seconds
 * while work is pending (a request in the SQ, a completion in the CQ, or a
 * request in flight): that is a lost wake-up, the sleeper is in wfi with
 * work for it and nobody will kick it.
 *
 * Build flags for the deliberately broken variants (not in the default
 * run; both must FAIL):
 *   -DBROKEN_NO_FENCE    the sleeper skips the re-check after idle_prepare
 *                        (S3), so nothing closes the window between its
 *                        last look at the ring and setting the flag.
 *   -DBROKEN_FENCE_ONLY  keeps the re-check but replaces the two seq_cst
 *                        fences with release/acquire (no store->load
 *                        order): the Dekker pair is broken. On x86 this
 *                        needs the store buffer to hide the flag store for
 *                        the few instructions of the window, so it is
 *                        rarely caught; see docs/CONCURRENCY.md.
 *
 * Usage: test_idle [rounds]          (default 10^6)
 *        test_idle litmus [iters]    (default 2*10^6)
 *
 * litmus: the store-buffering litmus test behind the protocol, on the real
 * functions. Per iteration, started together by a spin barrier:
 *     sleeper: idle_prepare(f);  e = rpc_sq_is_empty(q);
 *     waker:   rpc_sq_push(q);   k = idle_should_kick(f);
 * e && !k (sleeper saw no work AND waker saw no flag) is the lost wake-up;
 * the fences must make it impossible: any occurrence is a FAIL. The same
 * loop without fences (release store / acquire load of the flag) is run as
 * a control and its count is only reported: it shows whether this machine
 * reorders the store and the load at all, i.e. whether the 0 means
 * something. Build it without TSan (TSan's instrumentation puts hundreds of
 * instructions, some of them locked, between the store and the load).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "rpc/rpc.h"
#include "rpc/idle.h"

#define WATCHDOG_S 2.0
#define MAX_INFLIGHT 4

#include "tests/host/harness.h"

/* ---- simulated wfi / IPI ---- */

struct latch {
        _Atomic uint32_t pending;
};

static void latch_kick(struct latch *l)
{
        atomic_store_explicit(&l->pending, 1, memory_order_relaxed);
        syscall(SYS_futex, &l->pending, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void latch_wfi(struct latch *l)
{
        while (atomic_load_explicit(&l->pending, memory_order_relaxed) == 0)
                syscall(SYS_futex, &l->pending, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void latch_ack(struct latch *l)
{
        atomic_store_explicit(&l->pending, 0, memory_order_relaxed);
}

/* ---- protocol under test (or a broken one) ---- */

#ifdef BROKEN_FENCE_ONLY
static void t_prepare(struct idle_flag *f)
{
        atomic_store_explicit(&f->need_wakeup, 1, memory_order_release);
}

static bool t_should_kick(struct idle_flag *f)
{
        return atomic_load_explicit(&f->need_wakeup, memory_order_acquire) != 0;
}
#else
#define t_prepare idle_prepare
#define t_should_kick idle_should_kick
#endif

struct side {
        struct idle_flag idle;
        struct latch latch;
        uint64_t wfi, saves, kicks_sent, kicks_skipped, polls_won;
        _Atomic int in_wfi;             /* for the watchdog's report only */
};

static struct rpc_sq sq;
static struct rpc_cq cq;
static struct side client, server;
static _Atomic uint64_t rounds_done;    /* completions received */
static _Atomic uint64_t served;         /* requests completed by the server */
static _Atomic uint64_t inflight;
static _Atomic int stop;
static uint64_t rounds;

/* A busy-poll window of random length (often none), then the protocol. */
static void sleep_until(struct side *me, bool (*work)(void), uint64_t *rs)
{
        unsigned spin = (rng_next(rs) & 1) ? 0 : rng_next(rs) % 32;
        for (unsigned i = 0; i < spin; i++)
                if (work()) {
                        me->polls_won++;
                        return;
                }
        if ((rng_next(rs) & 255) == 0)
                sched_yield();                  /* widen the race window */
        t_prepare(&me->idle);                   /* S1 + S2 */
#ifndef BROKEN_NO_FENCE
        if (work()) {                           /* S3 */
                idle_cancel(&me->idle);
                me->saves++;
                return;
        }
#endif
        me->wfi++;
        atomic_store_explicit(&me->in_wfi, 1, memory_order_relaxed);
        latch_wfi(&me->latch);
        atomic_store_explicit(&me->in_wfi, 0, memory_order_relaxed);
        idle_done(&me->idle);
        latch_ack(&me->latch);                  /* the IPI handler */
}

static void kick(struct side *me, struct side *peer)
{
        if (t_should_kick(&peer->idle)) {       /* W2 + W3 */
                me->kicks_sent++;
                latch_kick(&peer->latch);
        } else {
                me->kicks_skipped++;
        }
}

static bool server_has_work(void)
{
        return !rpc_sq_is_empty(&sq) || atomic_load_explicit(&stop, memory_order_relaxed);
}

static bool client_has_work(void)
{
        return !rpc_cq_is_empty(&cq);
}

static void *server_main(void *arg)
{
        (void)arg;
        uint64_t rs = 0x5e5e5e5;
        struct rpc_req req[8];
        struct rpc_cqe cqe[8];

        for (;;) {
                unsigned n = rpc_sq_pop_batch(&sq, req, 1 + rng_next(&rs) % 8);
                if (n) {
                        for (unsigned k = 0; k < n; k++) {
                                cqe[k].handle = req[k].handle;
                                cqe[k].result = (int64_t)(req[k].args[0] + req[k].args[5]);
                        }
                        /* credit rule: never more than MAX_INFLIGHT in flight */
                        if (rpc_cq_push_batch(&cq, cqe, n) != n) {
                                printf("FAIL idle: CQ full despite the credit rule\n");
                                exit(1);
                        }
                        atomic_fetch_add_explicit(&served, n, memory_order_relaxed);
                        kick(&server, &client);
                        continue;
                }
                if (atomic_load_explicit(&stop, memory_order_relaxed))
                        return NULL;
                sleep_until(&server, server_has_work, &rs);
        }
}

static void *watchdog_main(void *arg)
{
        (void)arg;
        uint64_t last = (uint64_t)-1;
        double since = now();

        while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
                usleep(20000);
                uint64_t d = atomic_load_explicit(&rounds_done, memory_order_relaxed) +
                             atomic_load_explicit(&served, memory_order_relaxed);
                if (d != last) {
                        last = d;
                        since = now();
                        continue;
                }
                if (now() - since < WATCHDOG_S)
                        continue;
                uint32_t sqh = atomic_load(&sq.head), sqt = atomic_load(&sq.tail);
                uint32_t cqh = atomic_load(&cq.head), cqt = atomic_load(&cq.tail);
                uint64_t inf = atomic_load(&inflight);
                if (sqt == sqh && cqt == cqh && inf == 0)
                        continue;               /* idle with nothing pending */
                printf("FAIL idle: lost wake-up: no progress for %.1f s with work pending "
                       "after %llu rounds: SQ %u queued, CQ %u queued, %llu in flight; "
                       "server in_wfi=%d need_wakeup=%u latch=%u; "
                       "client in_wfi=%d need_wakeup=%u latch=%u\n",
                       now() - since, (unsigned long long)atomic_load(&rounds_done),
                       sqt - sqh, cqt - cqh, (unsigned long long)inf,
                       atomic_load(&server.in_wfi), atomic_load(&server.idle.need_wakeup),
                       atomic_load(&server.latch.pending),
                       atomic_load(&client.in_wfi), atomic_load(&client.idle.need_wakeup),
                       atomic_load(&client.latch.pending));
                fflush(stdout);
                _exit(1);
        }
        return NULL;
}

/* ---- litmus ---- */

static struct rpc_sq lsq;
static struct idle_flag lflag;
static _Atomic unsigned bar_count, bar_sense;
static uint64_t lit_iters;
static _Atomic int lit_fenced;
static uint8_t *lit_k;

static void barrier2(unsigned *sense)
{
        *sense ^= 1;
        if (atomic_fetch_add(&bar_count, 1) == 1) {
                atomic_store(&bar_count, 0);
                atomic_store(&bar_sense, *sense);
        } else {
                /* spin, but yield when the other thread is not running
                 * (a shared or busy host) */
                for (unsigned i = 0;
                     atomic_load_explicit(&bar_sense, memory_order_acquire) != *sense; i++)
                        if (i > 200)
                                sched_yield();
        }
}

static void lit_delay(unsigned n)
{
        for (volatile unsigned i = 0; i < n; i++)
                ;
}

static void *lit_waker(void *arg)
{
        (void)arg;
        unsigned sense = 0;
        uint64_t rs = 0x77;
        struct rpc_req r = { .nr = 1 };

        for (int pass = 0; pass < 2; pass++) {
                barrier2(&sense);
                bool fenced = atomic_load(&lit_fenced);
                for (uint64_t i = 0; i < lit_iters; i++) {
                        barrier2(&sense);
                        lit_delay(rng_next(&rs) % 64);
                        rpc_sq_push(&lsq, &r);                          /* W1 */
                        if (fenced)
                                lit_k[i] = idle_should_kick(&lflag);    /* W2 W3 */
                        else
                                lit_k[i] = atomic_load_explicit(&lflag.need_wakeup,
                                                                memory_order_acquire) != 0;
                        barrier2(&sense);
                }
        }
        return NULL;
}

static uint64_t lit_pass(bool fenced, unsigned *sense, uint64_t *rs)
{
        struct rpc_req r;
        uint64_t bad = 0;

        atomic_store(&lit_fenced, fenced);
        barrier2(sense);
        for (uint64_t i = 0; i < lit_iters; i++) {
                barrier2(sense);
                lit_delay(rng_next(rs) % 64);
                bool e;
                if (fenced) {
                        idle_prepare(&lflag);                           /* S1 S2 */
                } else {
                        atomic_store_explicit(&lflag.need_wakeup, 1, memory_order_release);
                }
                e = rpc_sq_is_empty(&lsq);                              /* S3 */
                barrier2(sense);
                if (e && !lit_k[i])
                        bad++;
                rpc_sq_pop(&lsq, &r);                                   /* reset */
                idle_cancel(&lflag);
        }
        return bad;
}

static int litmus(uint64_t iters)
{
        pthread_t w;
        unsigned sense = 0;
        uint64_t rs = 0x1357;

        lit_iters = iters;
        lit_k = calloc(iters, 1);
        rpc_sq_init(&lsq);
        idle_flag_init(&lflag);
        double t0 = now();
        pthread_create(&w, NULL, lit_waker, NULL);
        uint64_t bad = lit_pass(true, &sense, &rs);
        uint64_t ctl = lit_pass(false, &sense, &rs);
        pthread_join(w, NULL);
        free(lit_k);
        double dt = now() - t0;
        if (bad) {
                printf("FAIL idle_litmus: %llu of %llu iterations: sleeper saw an empty ring "
                       "AND waker saw need_wakeup == 0 (lost wake-up) despite the fences\n",
                       (unsigned long long)bad, (unsigned long long)iters);
                return 1;
        }
        printf("PASS idle_litmus: 0 lost wake-ups in %llu iterations with idle.h's fences; "
               "control without fences: %llu (%s); %.2f s\n",
               (unsigned long long)iters, (unsigned long long)ctl,
               ctl ? "this machine reorders store->load, the fences are what prevent it"
                   : "reordering not observed here, the 0 above proves less",
               dt);
        return 0;
}

int main(int argc, char **argv)
{
        pthread_t srv, wd;
        uint64_t rs = 0xc11e47, next = 0, got = 0;
        struct rpc_req req[MAX_INFLIGHT];
        struct rpc_cqe cqe[MAX_INFLIGHT];

        setvbuf(stdout, NULL, _IOLBF, 0);
        alarm(300);
        if (argc > 1 && strcmp(argv[1], "litmus") == 0)
                return litmus(argc > 2 ? strtoull(argv[2], NULL, 0) : 2000000);
        rounds = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
        rpc_sq_init(&sq);
        rpc_cq_init(&cq);
        idle_flag_init(&client.idle);
        idle_flag_init(&server.idle);

        double t0 = now();
        pthread_create(&srv, NULL, server_main, NULL);
        pthread_create(&wd, NULL, watchdog_main, NULL);

        while (got < rounds) {
                /* submit a window of 1..MAX_INFLIGHT requests, one kick check */
                unsigned w = 1 + rng_next(&rs) % MAX_INFLIGHT;
                if (w > rounds - next)
                        w = rounds - next;
                for (unsigned k = 0; k < w; k++) {
                        req[k].handle = next + k;
                        req[k].nr = 172;        /* getpid */
                        for (unsigned a = 0; a < 6; a++)
                                req[k].args[a] = (next + k) * 3 + a;
                }
                atomic_fetch_add_explicit(&inflight, w, memory_order_relaxed);
                if (rpc_sq_push_batch(&sq, req, w) != w) {
                        printf("FAIL idle: SQ full with %u in flight\n", MAX_INFLIGHT);
                        return 1;
                }
                kick(&client, &server);
                next += w;
                /* wait for all of them */
                while (got < next) {
                        unsigned n = rpc_cq_pop_batch(&cq, cqe, MAX_INFLIGHT);
                        if (n == 0) {
                                sleep_until(&client, client_has_work, &rs);
                                continue;
                        }
                        for (unsigned k = 0; k < n; k++, got++) {
                                uint64_t want = got * 3 + (got * 3 + 5);
                                if (cqe[k].handle != got ||
                                    cqe[k].result != (int64_t)want) {
                                        printf("FAIL idle: bad completion %llu (want %llu)\n",
                                               (unsigned long long)cqe[k].handle,
                                               (unsigned long long)got);
                                        return 1;
                                }
                        }
                        atomic_fetch_sub_explicit(&inflight, n, memory_order_relaxed);
                        atomic_fetch_add_explicit(&rounds_done, n, memory_order_relaxed);
                }
        }
        atomic_store_explicit(&stop, 1, memory_order_relaxed);
        latch_kick(&server.latch);      /* unconditional: shutdown */
        pthread_join(srv, NULL);
        pthread_join(wd, NULL);
        double dt = now() - t0;

        printf("PASS idle: %llu round trips in %.2f s (%.1f us each); "
               "server: %llu wfi, %llu re-check saves, %llu polls won, kicks %llu sent / %llu skipped; "
               "client: %llu wfi, %llu re-check saves, %llu polls won, kicks %llu sent / %llu skipped\n",
               (unsigned long long)rounds, dt, dt * 1e6 / rounds,
               (unsigned long long)server.wfi, (unsigned long long)server.saves,
               (unsigned long long)server.polls_won,
               (unsigned long long)server.kicks_sent, (unsigned long long)server.kicks_skipped,
               (unsigned long long)client.wfi, (unsigned long long)client.saves,
               (unsigned long long)client.polls_won,
               (unsigned long long)client.kicks_sent, (unsigned long long)client.kicks_skipped);
        return 0;
}
