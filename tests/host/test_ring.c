/*
 * Host test of rpc/ring.h: two pthreads under ThreadSanitizer.
 *
 *  ring_unit        single-threaded: full/empty, batches, index wrap.
 *  ring_spin        producer pushes RING_MSGS (default 10^7) sequence-
 *                   numbered messages through a 64-entry ring, spinning and
 *                   yielding when full; the consumer pops random-size
 *                   batches and checks: no loss, no duplicate, order kept,
 *                   payload intact. Indices start just below 2^32 to wrap.
 *  ring_sleep       the rpc_sq ring with both sides sleeping by the
 *                   rpc/idle.h protocol on a simulated wfi: the consumer
 *                   when the ring is empty, the producer when it is full.
 *
 * The simulated wfi is a futex latch whose word is only touched with
 * relaxed atomics, so TSan sees no happens-before through it (an IPI
 * orders no memory either): every ordering the test relies on must come
 * from the ring itself.
 *
 * Usage: test_ring [spin_msgs [sleep_msgs]]
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "rpc/rpc.h"
#include "rpc/idle.h"

#include "tests/host/harness.h"

/* ---- simulated wfi: a futex latch, the "pending interrupt" ---- */

struct latch {
        _Atomic uint32_t pending;
};

static void latch_kick(struct latch *l)             /* send the IPI */
{
        atomic_store_explicit(&l->pending, 1, memory_order_relaxed);
        syscall(SYS_futex, &l->pending, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void latch_wfi(struct latch *l)              /* wfi: returns at once if pending */
{
        while (atomic_load_explicit(&l->pending, memory_order_relaxed) == 0)
                syscall(SYS_futex, &l->pending, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void latch_ack(struct latch *l)              /* trap handler clears SSIP */
{
        atomic_store_explicit(&l->pending, 0, memory_order_relaxed);
}

/* ---- the test ring and payload ---- */

struct msg {
        _Atomic uint32_t ring_seq;      /* the ring's */
        uint32_t pad;
        uint64_t seq;
        uint64_t check;
};

#define TRING_N 64
RING_DEFINE(tring, struct msg, TRING_N)

static uint64_t msg_check(uint64_t seq)
{
        return seq * 0x9e3779b97f4a7c15ull ^ 0x5555aaaa5555aaaaull;
}

static struct tring tr;

static bool test_unit(void)
{
        struct msg m, out[200];

        tring_init_at(&tr, 0xffffffe0u);
        CHECK(tring_is_empty(&tr), "new ring not empty");
        CHECK(!tring_pop(&tr, &m), "pop from empty ring");
        CHECK(tring_pop_batch(&tr, out, 10) == 0, "pop_batch from empty ring");
        CHECK(tring_has_space(&tr), "new ring has no space");
        for (uint64_t i = 0; i < TRING_N; i++) {
                m.seq = i;
                m.check = msg_check(i);
                CHECK(tring_push(&tr, &m), "push %llu failed", (unsigned long long)i);
        }
        m.seq = 999;
        CHECK(!tring_push(&tr, &m), "push into full ring succeeded");
        CHECK(!tring_has_space(&tr), "full ring has space");
        CHECK(!tring_is_empty(&tr), "full ring empty");
        CHECK(tring_pop_batch(&tr, out, 10) == 10, "pop_batch 10");
        for (unsigned k = 0; k < 10; k++)
                CHECK(out[k].seq == k, "order after pop_batch");
        CHECK(tring_has_space(&tr), "no space after pop");
        struct msg in[20];
        for (unsigned k = 0; k < 20; k++) {
                in[k].seq = TRING_N + k;
                in[k].check = msg_check(TRING_N + k);
        }
        CHECK(tring_push_batch(&tr, in, 20) == 10, "push_batch into 10 free");
        /* The consumer refreshes tail only when its cached copy is used
         * up: the first pop sees the 54 it knew of, the next the rest. */
        CHECK(tring_pop_batch(&tr, out, 200) == TRING_N - 10, "drain (cached)");
        CHECK(tring_pop_batch(&tr, out + TRING_N - 10, 200) == 10, "drain (refreshed)");
        for (unsigned k = 0; k < TRING_N; k++)
                CHECK(out[k].seq == 10 + k && out[k].check == msg_check(10 + k),
                      "order after wrap at %u", k);
        CHECK(tring_is_empty(&tr), "drained ring not empty");
        /* head_cache stale but showing some room: a batch bigger than
         * that room must refresh, not stop short. */
        for (unsigned k = 0; k < TRING_N - 3; k++)
                CHECK(tring_push(&tr, &in[0]), "refill %u", k);
        CHECK(tring_pop_batch(&tr, out, 200) == TRING_N - 3, "drain refill");
        CHECK(tring_push_batch(&tr, in, 5) == 5, "push_batch with a stale head_cache");
        CHECK(tring_pop_batch(&tr, out, 200) == 5, "drain 5");
        /* in place: slot/publish and peek/release, full and empty */
        CHECK(tring_peek(&tr) == NULL, "peek on empty ring");
        for (unsigned k = 0; k < TRING_N; k++) {
                struct msg *s = tring_slot(&tr);
                CHECK(s != NULL, "slot %u of an emptied ring", k);
                s->seq = 1000 + k;
                tring_publish(&tr);
        }
        CHECK(tring_slot(&tr) == NULL, "slot in a full ring");
        for (unsigned k = 0; k < TRING_N; k++) {
                struct msg *e = tring_peek(&tr);
                CHECK(e != NULL && e->seq == 1000 + k, "peek %u: order", k);
                CHECK(tring_peek(&tr) == e, "peek twice without release");
                tring_release(&tr);
        }
        CHECK(tring_peek(&tr) == NULL && tring_is_empty(&tr), "peek after draining");
        /* peek left tail_cache behind head: pop_batch must see nothing */
        CHECK(tring_pop_batch(&tr, out, 200) == 0, "pop_batch after peeks");
        /* mixed: one taken in place, the rest by pop_batch, in order */
        for (unsigned k = 0; k < 3; k++)
                CHECK(tring_push(&tr, &in[k]), "push %u for the mixed take", k);
        struct msg *e0 = tring_peek(&tr);
        CHECK(e0 && e0->seq == TRING_N, "peek the first of three");
        tring_release(&tr);
        CHECK(tring_pop_batch(&tr, out, 200) == 2 && out[0].seq == TRING_N + 1 &&
              out[1].seq == TRING_N + 2, "pop_batch the other two");
        CHECK(tring_is_empty(&tr), "empty after the mixed take");
        /* head and tail crossed 2^32: 0xffffffe0 + 207 messages */
        CHECK(atomic_load(&tr.head) == 0xaf && atomic_load(&tr.tail) == 0xaf,
              "indices did not wrap: head %u tail %u",
              atomic_load(&tr.head), atomic_load(&tr.tail));
        printf("PASS ring_unit\n");
        return true;
}

/* ---- ring_spin ---- */

static uint64_t spin_msgs;
static _Atomic uint64_t spin_full_waits;

static void *spin_producer(void *arg)
{
        (void)arg;
        uint64_t rs = 0x1234567;
        uint64_t full = 0;
        struct msg b[8];

        for (uint64_t seq = 0; seq < spin_msgs;) {
                unsigned n = 1;
                if ((rng_next(&rs) & 3) == 0)           /* 1/4: a batch */
                        n = 1 + rng_next(&rs) % 8;
                if (n > spin_msgs - seq)
                        n = spin_msgs - seq;
                for (unsigned k = 0; k < n; k++) {
                        b[k].seq = seq + k;
                        b[k].check = msg_check(seq + k);
                }
                if (n == 1 && (rng_next(&rs) & 1)) {    /* in place: slot + publish */
                        struct msg *s;
                        for (unsigned tries = 0; !(s = tring_slot(&tr)); tries++) {
                                full++;
                                if (tries > 16)
                                        sched_yield();
                        }
                        s->seq = b[0].seq;      /* never ring_seq: the ring's */
                        s->check = b[0].check;
                        tring_publish(&tr);
                        seq++;
                        continue;
                }
                unsigned done = 0;
                for (unsigned tries = 0; done < n; tries++) {
                        unsigned p = tring_push_batch(&tr, b + done, n - done);
                        done += p;
                        if (p == 0) {
                                full++;
                                if (tries > 16)
                                        sched_yield();
                        }
                }
                seq += n;
        }
        atomic_store_explicit(&spin_full_waits, full, memory_order_relaxed);
        return NULL;
}

static bool test_spin(void)
{
        pthread_t p;
        struct msg out[32];
        uint64_t expect = 0, batches = 0, empty = 0, rs = 0x9876543;
        bool ok = true;
        double t0 = now();

        tring_init_at(&tr, 0xffffffffu - 1000);
        pthread_create(&p, NULL, spin_producer, NULL);
        while (expect < spin_msgs) {
                unsigned max = 1 + rng_next(&rs) % 32;
                unsigned n;
                if (max <= 8) {                         /* in place: peek + release */
                        struct msg *e = tring_peek(&tr);
                        n = e != NULL;
                        if (e) {
                                out[0] = *e;
                                tring_release(&tr);
                        }
                } else {
                        n = tring_pop_batch(&tr, out, max);
                }
                if (n == 0) {
                        empty++;
                        if ((empty & 15) == 0)
                                sched_yield();
                        continue;
                }
                batches++;
                for (unsigned k = 0; k < n; k++, expect++) {
                        if (out[k].seq != expect || out[k].check != msg_check(expect)) {
                                printf("FAIL ring_spin: got seq %llu check %llx, want seq %llu"
                                       " (loss, duplicate or reorder)\n",
                                       (unsigned long long)out[k].seq,
                                       (unsigned long long)out[k].check,
                                       (unsigned long long)expect);
                                ok = false;
                                break;
                        }
                }
                if (!ok)
                        break;
        }
        if (!ok) {
                /* let the producer finish: drain without checking */
                while (tring_pop_batch(&tr, out, 32) || atomic_load(&tr.tail) !=
                       (uint32_t)(0xffffffffu - 1000 + spin_msgs))
                        ;
        }
        pthread_join(p, NULL);
        double dt = now() - t0;
        if (ok && !tring_is_empty(&tr)) {
                printf("FAIL ring_spin: extra messages after the last one\n");
                ok = false;
        }
        if (!ok) {
                failures++;
                return false;
        }
        printf("PASS ring_spin: %llu msgs, ring %u, %.2f s (%.0f ns/msg), "
               "avg pop batch %.1f, producer full-waits %llu, consumer empty polls %llu\n",
               (unsigned long long)spin_msgs, TRING_N, dt, dt * 1e9 / spin_msgs,
               (double)spin_msgs / batches,
               (unsigned long long)atomic_load(&spin_full_waits),
               (unsigned long long)empty);
        return true;
}

/* ---- ring_sleep: rpc_sq, both sides sleep on a simulated wfi ---- */

static struct rpc_sq sq;
static struct idle_flag cons_idle, prod_idle;
static struct latch cons_latch, prod_latch;
static uint64_t sleep_msgs;

struct side_stats {
        uint64_t wfi, cancels, kicks, batches;
};
static struct side_stats pst, cst;

static void req_fill(struct rpc_req *r, uint64_t seq)
{
        r->handle = seq;
        r->nr = seq & 0x1ff;
        for (unsigned k = 0; k < 6; k++)
                r->args[k] = seq * 7 + k;
}

static bool req_ok(const struct rpc_req *r, uint64_t seq)
{
        if (r->handle != seq || r->nr != (seq & 0x1ff))
                return false;
        for (unsigned k = 0; k < 6; k++)
                if (r->args[k] != seq * 7 + k)
                        return false;
        return true;
}

/* A short busy-poll window, sometimes none, then the idle protocol. */
static void sleep_until(bool (*work)(void), struct idle_flag *f,
                        struct latch *l, struct side_stats *st, uint64_t *rs)
{
        unsigned spin = rng_next(rs) % 4 ? 0 : rng_next(rs) % 64;
        for (unsigned i = 0; i < spin; i++)
                if (work())
                        return;
        idle_prepare(f);                        /* S1 + S2 */
        if (work()) {                           /* S3 */
                idle_cancel(f);
                st->cancels++;
                return;
        }
        st->wfi++;
        latch_wfi(l);
        idle_done(f);
        latch_ack(l);
}

static bool sq_has_work(void) { return !rpc_sq_is_empty(&sq); }
static bool sq_has_room(void) { return rpc_sq_has_space(&sq); }

static void *sleep_producer(void *arg)
{
        (void)arg;
        uint64_t rs = 0xabcdef1;
        struct rpc_req b[8];

        for (uint64_t seq = 0; seq < sleep_msgs;) {
                unsigned n = 1 + rng_next(&rs) % 8;
                if (n > sleep_msgs - seq)
                        n = sleep_msgs - seq;
                for (unsigned k = 0; k < n; k++)
                        req_fill(&b[k], seq + k);
                unsigned done = 0;
                while (done < n) {
                        unsigned p = rpc_sq_push_batch(&sq, b + done, n - done);
                        done += p;
                        if (p) {
                                pst.batches++;
                                /* W2 + W3 once per published batch */
                                if (idle_should_kick(&cons_idle)) {
                                        pst.kicks++;
                                        latch_kick(&cons_latch);
                                }
                        } else {
                                sleep_until(sq_has_room, &prod_idle, &prod_latch, &pst, &rs);
                        }
                }
                seq += n;
        }
        return NULL;
}

static bool test_sleep(void)
{
        pthread_t p;
        struct rpc_req out[16];
        uint64_t expect = 0, rs = 0x7777;
        double t0 = now();

        rpc_sq_init(&sq);
        idle_flag_init(&cons_idle);
        idle_flag_init(&prod_idle);
        pthread_create(&p, NULL, sleep_producer, NULL);
        while (expect < sleep_msgs) {
                unsigned n = rpc_sq_pop_batch(&sq, out, 1 + rng_next(&rs) % 16);
                if (n == 0) {
                        sleep_until(sq_has_work, &cons_idle, &cons_latch, &cst, &rs);
                        continue;
                }
                cst.batches++;
                for (unsigned k = 0; k < n; k++, expect++) {
                        if (!req_ok(&out[k], expect)) {
                                printf("FAIL ring_sleep: bad entry at seq %llu (handle %llu)\n",
                                       (unsigned long long)expect,
                                       (unsigned long long)out[k].handle);
                                fflush(stdout);
                                exit(1);        /* the producer may be asleep */
                        }
                }
                /* space was freed: W2 + W3 for a producer sleeping on full */
                if (idle_should_kick(&prod_idle)) {
                        cst.kicks++;
                        latch_kick(&prod_latch);
                }
        }
        pthread_join(p, NULL);
        double dt = now() - t0;
        if (!rpc_sq_is_empty(&sq)) {
                printf("FAIL ring_sleep: extra messages\n");
                failures++;
                return false;
        }
        printf("PASS ring_sleep: %llu rpc_req msgs, ring %u, %.2f s (%.0f ns/msg); "
               "consumer: %llu wfi, %llu re-check saves, %llu kicks to producer; "
               "producer: %llu wfi (ring full), %llu re-check saves, %llu kicks to consumer\n",
               (unsigned long long)sleep_msgs, RPC_SQ_ENTRIES, dt, dt * 1e9 / sleep_msgs,
               (unsigned long long)cst.wfi, (unsigned long long)cst.cancels,
               (unsigned long long)cst.kicks, (unsigned long long)pst.wfi,
               (unsigned long long)pst.cancels, (unsigned long long)pst.kicks);
        return true;
}

int main(int argc, char **argv)
{
        spin_msgs = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
        sleep_msgs = argc > 2 ? strtoull(argv[2], NULL, 0) : 2000000;
        setvbuf(stdout, NULL, _IOLBF, 0);
        alarm(300);     /* a hang is a failure, not a stuck runner */

        test_unit();
        test_spin();
        test_sleep();
        return failures ? 1 : 0;
}
