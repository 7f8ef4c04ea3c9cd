/*
 * rpc/ring.h - lock-free single-producer/single-consumer ring, header only.
 *
 * MEMORY-ORDERING CONTRACT (read this first; every barrier below names its
 * partner by the labels used here)
 * ==========================================================================
 *
 * Ownership. A ring has exactly one producer context and one consumer
 * context (on duet: the client hart pushes the SQ and pops the CQ, the server
 * hart pops the SQ and pushes the CQ).
 *   - tail        written by the producer only, read by both.
 *   - head        written by the consumer only, read by both.
 *   - head_cache  private to the producer: last value of head it loaded.
 *   - tail_cache  private to the consumer: last value of tail it loaded.
 *   - ent[]       the slot of index i is written by the producer only while
 *                 i is free (tail <= i < head + N) and read by the consumer
 *                 only while i is used (head <= i < tail); publishing tail
 *                 hands a slot to the consumer, publishing head hands it back.
 *   - ent[].ring_seq  each entry's own sequence word (T's first member):
 *                 i + 1 once index i is published, written by the producer
 *                 in the same step as tail (P3), read by the consumer.
 * tail (+ head_cache) and head (+ tail_cache) sit on separate 64-byte cache
 * lines, so the only cross-hart line traffic is: the consumer pulling the
 * tail line when it refreshes tail_cache, the producer pulling the head line
 * when it refreshes head_cache, and the entries themselves.
 *
 * Why a sequence word in each entry, on top of the brief's head and tail:
 * a lone request (the common case: one task, one syscall) found through
 * tail costs two serial line transfers on the consumer's side, the tail
 * line and then the entry's line, and under QEMU each is a host cache-line
 * transfer between the vCPU threads (37-150 ns on this host).  A consumer
 * waiting for one entry polls that entry's ring_seq instead (peek,
 * is_empty): the line that brings the word brings the payload with it.
 * Batches still go by tail (pop_batch), and full/empty accounting by the
 * indices, exactly as before.  Make T one cache line (rpc/rpc.h does) so an
 * entry is one transfer.
 * Indices are free-running uint32_t; used = tail - head (mod 2^32) is always
 * in [0, N]; an index names slot index & (N-1). N is a power of two <= 2^30.
 *
 * Producer (push):
 *   P1  if (N - (tail - head_cache) < n)      looks too full for n entries:
 *         head_cache = load_acquire(head)     [A_P] pairs with [R_C]
 *       if still full: return 0 / false       back-pressure, nothing lost
 *       (push_batch pushes what fits and says how many)
 *   P2  ent[(tail + k) & (N-1)] = entry k     plain stores, k < n (all
 *                                             but ring_seq)
 *   P3  release: ent[tail + k].ring_seq =     [R_P] pairs with [A_C]/[A_S]
 *         tail + k + 1 for each k, then tail = tail + n
 *       (on RISC-V one `fence rw,w` before these stores, once per batch)
 *
 * Consumer (pop / pop_batch):
 *   C1  if (tail_cache - head <= 0, signed)   looks empty (only then; peek
 *                                             can leave tail_cache behind):
 *         tail_cache = load_acquire(tail)     [A_C] pairs with [R_P]
 *       if still empty: one entry if          [A_S] pairs with [R_P]
 *         load_acquire(ent[head].ring_seq) == head + 1 (its seq can be
 *         visible before tail), else return 0
 * Consumer, one entry (peek / is_empty): only [A_S] on ent[head].ring_seq.
 *   C2  out[k] = ent[(head + k) & (N-1)]      plain loads, k < n
 *   C3  store_release(head, head + n)         [R_C] pairs with [A_P]
 *       (once per batch, not once per entry)
 *   So pop_batch returns at most what tail_cache shows: it can return fewer
 *   than are queued (the rest come with the next call, which refreshes).
 *   Drain with `while ((n = pop_batch(...)))`, test with is_empty.
 *
 * Why these and no more:
 *   [R_P] -> [A_C]: the entry stores of P2 happen-before the consumer's
 *     reads in C2 of every index below the tail value [A_C] read (RAW on the
 *     entry). Without release a weakly ordered hart (RVWMO) may make the new
 *     tail visible before the entry bytes.
 *   [R_P] -> [A_S]: the same for the one entry whose ring_seq [A_S] read.
 *     ring_seq is stale (an index of the previous lap, or the value
 *     name##_init put there) until its entry is published: index i's slot
 *     holds i + 1 - N before, i + 1 after, never equal while N < 2^32.
 *   [R_C] -> [A_P]: the consumer's entry loads in C2 happen-before the
 *     producer's overwrite of the same slot in a later P2 (WAR on the entry).
 *     Linux gets this from a control dependency; C11 has no such thing, so
 *     the producer's refresh is a load-acquire.
 *   A side reads its OWN index with a relaxed load: it is the only writer,
 *   so it always sees its latest value.
 *   The cached copies are plain fields: each is touched by one side only.
 *   A stale cached copy is always safe: a stale head_cache under-reports
 *   free space, a stale tail_cache under-reports available entries; the side
 *   then refreshes, paying one cache-line transfer per batch, not per entry.
 *
 * Not reentrant: push and pop are each for ONE context. An interrupt
 * handler that could preempt a push half-way must not push the same ring.
 *
 * SLEEP / WAKE (need_wakeup) - the half of the protocol that spans rings,
 * waker bitmaps and the idle flag of rpc/idle.h
 * ---------------------------------------------------------------------
 * A side with nothing to do sleeps in wfi. Before it does, it must make sure
 * that any work published concurrently either is seen by its re-check or
 * makes the publisher send an IPI. Both sides run a store, a full fence and
 * a load, crossed (a Dekker pair):
 *
 *   sleeper (interrupts off)             waker (any hart)
 *   S1 need_wakeup = 1                   W1 publish: ring store_release
 *                                           (tail for SQ/CQ, head for a
 *                                           producer waiting for space) or
 *                                           waker bit atomic_fetch_or
 *   S2 fence(seq_cst)     [F_S] <-pairs->W2 fence(seq_cst)     [F_W]
 *   S3 re-check inbound: rings           W3 if (need_wakeup) send IPI
 *      (is_empty: the head entry's
 *      ring_seq; has_space: head when
 *      the cached copy shows no room)
 *      and waker bitmap
 *   S4 work? need_wakeup = 0, go on.
 *      none? wfi; need_wakeup = 0.
 *
 * Claim: no lost wake-up. The two seq_cst fences are totally ordered.
 *   If [F_W] precedes [F_S], S3 observes W1 (or a later value of the same
 *     index/bitmap word, i.e. the work was already consumed).
 *   If [F_S] precedes [F_W], W3 observes S1 (or a later store to the flag:
 *     the sleeper's own S4 clear, made after S3 when it is awake anyway; it
 *     goes on polling, and its next S1..S3 round has [F_W] before its [F_S]
 *     - W3 read a value older than that round's S1 - so it sees W1).
 * So either the sleeper sees the work, or the waker sees the flag and sends
 * the IPI. The IPI cannot be "too early": interrupts are off from S1 to wfi,
 * and wfi returns when an enabled interrupt is PENDING even with sstatus.SIE
 * clear, so an IPI that lands between S3 and wfi makes wfi return at once.
 * Hence: never clear sip.SSIP between S3 and wfi (the trap handler clears it
 * after interrupts are re-enabled). Drop the fences, or the re-check, and
 * both sides can read the other's stale value: the sleeper sleeps on work
 * and nobody sends the IPI (tests/host/test_idle.c -DBROKEN_NO_FENCE shows
 * this hang).
 * Batching is allowed: publish a whole batch, then one W2/W3.
 *
 * Usage:
 *   RING_DEFINE(sq, struct rpc_req, 64)
 * (T's first member must be `_Atomic uint32_t ring_seq`, which the ring
 * owns: never write it) defines struct sq and, for it,
 *   void     sq_init(struct sq *r);
 *   bool     sq_push(struct sq *r, const T *e);             producer
 *   unsigned sq_push_batch(struct sq *r, const T *in, unsigned n); producer
 *   bool     sq_has_space(struct sq *r);                     producer
 *   unsigned sq_pop_batch(struct sq *r, T *out, unsigned max); consumer
 *   bool     sq_pop(struct sq *r, T *out);                   consumer
 *   bool     sq_is_empty(struct sq *r);                      consumer
 * and the same steps without a copy, for an entry built or read in place:
 *   T       *sq_slot(struct sq *r);        producer: P1, the free slot at
 *                                           tail, or NULL when full
 *   void     sq_publish(struct sq *r);     producer: P3 for that one slot
 *   T       *sq_peek(struct sq *r);        consumer: [A_S], the entry at
 *                                           head, or NULL when empty
 *   void     sq_release(struct sq *r);     consumer: C3 for that one entry
 * (write the slot between sq_slot and sq_publish; read the entry between
 * sq_peek and sq_release, never after: P2 and C2 are the caller's.)
 * (No semicolon after RING_DEFINE(...).) The struct must be 64-byte aligned
 * (static storage or an aligned allocation); sq_init sets it up before
 * either side uses it, and its publication to the other hart is the
 * caller's (e.g. done before starting that hart).
 *
 * Freestanding: only <stdint.h> <stddef.h> <stdbool.h> <stdatomic.h>. An
 * entry is copied in word by word, all but its ring_seq (a plain write of
 * the word the consumer may be polling would be a data race), and out by
 * struct assignment; GCC inlines both for a one-line T.
 */
#ifndef DUET_RPC_RING_H
#define DUET_RPC_RING_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdatomic.h>


#define RING_CACHELINE 64

/*
 * The accesses that order the ring: load-acquire [A_P] [A_C] [A_S] and the
 * release of P3 and C3.  On RISC-V they use the RVWMO mapping of the Linux
 * kernel and of the RISC-V ISA manual (Table A.6): a plain load followed by
 * `fence r,rw`, and `fence rw,w` followed by plain stores.  GCC 12 instead
 * compiles every C11 atomic store, relaxed or not, to an AMO, and every
 * acquire load to a full fence; under QEMU an AMO is a locked host
 * instruction that must own the cache line, so a store-release of an index
 * the other hart is polling stalled the producer for a whole cross-core
 * transfer on every push.  Anywhere else (the host tests under
 * ThreadSanitizer, which understands C11 atomics but not fences) the C11
 * operations are used.  RING_C11=1 forces them on RISC-V too.
 *   ring_release_fence(); ring_store_released(p, v)...
 * is a release store of each v: one fence for a batch on RISC-V, a
 * store-release each in C11.  ring_acquire_is(p, v) is a load-acquire
 * compared with v, whose fence RISC-V pays only when they are equal: an
 * empty poll is then one plain load (a fence is a locked host instruction
 * under QEMU, and the loops that poll run it thousands of times).
 */
#if defined(__riscv) && !defined(RING_C11)
static inline uint32_t ring_load_acquire(_Atomic uint32_t *p)
{
        uint32_t v = *(volatile uint32_t *)p;
        __asm__ volatile("fence r,rw" ::: "memory");
        return v;
}
static inline void ring_release_fence(void)
{
        __asm__ volatile("fence rw,w" ::: "memory");
}
static inline void ring_store_released(_Atomic uint32_t *p, uint32_t v)
{
        *(volatile uint32_t *)p = v;
}
static inline bool ring_acquire_is(_Atomic uint32_t *p, uint32_t want)
{
        if (*(volatile uint32_t *)p != want)
                return false;
        /* the load that saw want, then this fence: an acquire of it */
        __asm__ volatile("fence r,rw" ::: "memory");
        return true;
}
#else
static inline uint32_t ring_load_acquire(_Atomic uint32_t *p)
{
        return atomic_load_explicit(p, memory_order_acquire);
}
static inline void ring_release_fence(void)
{
}
static inline void ring_store_released(_Atomic uint32_t *p, uint32_t v)
{
        atomic_store_explicit(p, v, memory_order_release);
}
static inline bool ring_acquire_is(_Atomic uint32_t *p, uint32_t want)
{
        return atomic_load_explicit(p, memory_order_acquire) == want;
}
#endif

/* Entries are copied in word by word around their ring_seq. */
typedef uint32_t __attribute__((may_alias)) ring_word;

/* The indices must be real lock-free atomics on every target we build. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "ring: 32-bit atomics must be lock-free");
_Static_assert(sizeof(unsigned int) == sizeof(uint32_t), "ring: uint32_t must be unsigned int");

#define RING_DEFINE(name, T, N)                                                \
_Static_assert((N) >= 2 && ((N) & ((N) - 1)) == 0 && (N) <= (1u << 30),        \
               #name ": capacity must be a power of two in [2, 2^30]");        \
_Static_assert(offsetof(T, ring_seq) == 0 && sizeof(T) % sizeof(ring_word) == 0,\
               #name ": the entry must begin with its ring_seq");              \
                                                                               \
struct name {                                                                  \
        /* producer line: written by the producer only */                      \
        _Alignas(RING_CACHELINE) _Atomic uint32_t tail;                        \
        uint32_t head_cache;    /* producer private */                         \
        /* consumer line: written by the consumer only */                      \
        _Alignas(RING_CACHELINE) _Atomic uint32_t head;                        \
        uint32_t tail_cache;    /* consumer private */                         \
        /* entries: see the ownership rule at the top of rpc/ring.h */         \
        _Alignas(RING_CACHELINE) T ent[N];                                     \
};                                                                             \
                                                                               \
_Static_assert(offsetof(struct name, head) - offsetof(struct name, tail)       \
               >= RING_CACHELINE, #name ": head and tail share a line");       \
_Static_assert(offsetof(struct name, ent) - offsetof(struct name, head)        \
               >= RING_CACHELINE, #name ": head and entries share a line");    \
                                                                               \
static inline T *name##__ent(struct name *r, uint32_t i)                       \
{                                                                              \
        return &r->ent[i & ((uint32_t)(N) - 1)];                               \
}                                                                              \
                                                                               \
/* Before either side runs, both indices at start (tests start near 2^32). */  \
/* Every ring_seq gets the value of the previous lap: nothing published.   */  \
/* Publishing the ring to the other side is the caller's business (e.g.   */   \
/* before starting the other hart).                                        */  \
static inline void name##_init_at(struct name *r, uint32_t start)              \
{                                                                              \
        atomic_init(&r->tail, start);                                          \
        atomic_init(&r->head, start);                                          \
        r->head_cache = start;                                                 \
        r->tail_cache = start;                                                 \
        for (uint32_t k = 0; k < (uint32_t)(N); k++)                           \
                atomic_init(&name##__ent(r, start + k)->ring_seq,              \
                            start + k + 1 - (uint32_t)(N));                    \
}                                                                              \
                                                                               \
static inline void name##_init(struct name *r)                                 \
{                                                                              \
        name##_init_at(r, 0);                                                  \
}                                                                              \
                                                                               \
/* Producer. Free slots, refreshing head_cache only if it shows fewer than */  \
/* want (want == 1: only when the ring looks full).                        */  \
static inline uint32_t name##__free(struct name *r, uint32_t t, unsigned want) \
{                                                                              \
        uint32_t f = (uint32_t)(N) - (uint32_t)(t - r->head_cache);            \
        if (f < want) {                                                        \
                /* [A_P]: orders the consumer's reads of the slots it     */   \
                /* released (C2) before our overwrite (P2). Pairs with    */   \
                /* [R_C], the release of head in name##__consumed.        */   \
                r->head_cache = ring_load_acquire(&r->head);                   \
                f = (uint32_t)(N) - (uint32_t)(t - r->head_cache);             \
        }                                                                      \
        return f;                                                              \
}                                                                              \
                                                                               \
/* Producer. P3 for n entries written at t..t+n-1.                         */  \
static inline void name##__published(struct name *r, uint32_t t, unsigned n)   \
{                                                                              \
        /* [R_P]: the entry stores of P2 before the sequence words and     */  \
        /* tail. Pairs with [A_C] (tail, name##__avail) and [A_S]          */  \
        /* (ring_seq, name##__seq_ready).                                  */  \
        ring_release_fence();                                                  \
        for (unsigned k = 0; k < n; k++)                                       \
                ring_store_released(&name##__ent(r, t + k)->ring_seq, t + k + 1);\
        ring_store_released(&r->tail, t + n);                                  \
}                                                                              \
                                                                               \
/* Producer. P2 for one entry: every word but ring_seq, which the consumer  */ \
/* may be polling right now (a plain store to it would be a data race).    */  \
static inline void name##__copy_in(T *dst, const T *src)                       \
{                                                                              \
        ring_word *d = (ring_word *)dst;                                       \
        const ring_word *s = (const ring_word *)src;                           \
        for (size_t w = 1; w < sizeof(T) / sizeof(ring_word); w++)             \
                d[w] = s[w];                                                   \
}                                                                              \
                                                                               \
/* Producer. Push up to n entries, publish once. Returns the number pushed */  \
/* (0 when full: back-pressure, the caller keeps the entries).             */  \
static inline unsigned name##_push_batch(struct name *r, const T *in,          \
                                         unsigned n)                           \
{                                                                              \
        /* Own index: we are its only writer, relaxed sees our last store. */  \
        uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);     \
        uint32_t f = name##__free(r, t, n);                                    \
        if (n > f)                                                             \
                n = f;                                                         \
        for (unsigned k = 0; k < n; k++)                                       \
                name##__copy_in(name##__ent(r, t + k), &in[k]);                \
        if (n)                                                                 \
                name##__published(r, t, n);                                    \
        return n;                                                              \
}                                                                              \
                                                                               \
/* Producer. false when full: nothing was written (back-pressure).         */  \
static inline bool name##_push(struct name *r, const T *e)                     \
{                                                                              \
        return name##_push_batch(r, e, 1) == 1;                                \
}                                                                              \
                                                                               \
/* Producer. Cheap when head_cache shows room; otherwise one acquire load  */  \
/* of head. This is also the S3 re-check of a producer sleeping for space. */  \
static inline bool name##_has_space(struct name *r)                            \
{                                                                              \
        uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);     \
        return name##__free(r, t, 1) != 0;                                     \
}                                                                              \
                                                                               \
/* Producer. The slot a push would write (P1), NULL when full; the caller  */  \
/* fills it, all but ring_seq (P2), then name##_publish hands it over.     */  \
static inline T *name##_slot(struct name *r)                                   \
{                                                                              \
        uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);     \
        if (name##__free(r, t, 1) == 0)                                        \
                return NULL;                                                   \
        return name##__ent(r, t);                                              \
}                                                                              \
                                                                               \
/* Producer. Hand over the slot name##_slot gave (P3).                     */  \
static inline void name##_publish(struct name *r)                              \
{                                                                              \
        uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);     \
        name##__published(r, t, 1);                                            \
}                                                                              \
                                                                               \
/* Consumer. Is the entry at index h published? [A_S]                     */   \
static inline bool name##__seq_ready(struct name *r, uint32_t h)               \
{                                                                              \
        /* [A_S]: the producer's stores to this entry (P2) before our      */  \
        /* reads of it. Pairs with [R_P] in name##__published.             */  \
        return ring_acquire_is(&name##__ent(r, h)->ring_seq, h + 1);           \
}                                                                              \
                                                                               \
/* Consumer. Entries available, refreshing tail_cache only if it shows     */  \
/* none; then the head entry's own word (it may be visible before tail).   */  \
static inline uint32_t name##__avail(struct name *r, uint32_t h)               \
{                                                                              \
        /* Signed: entries taken by peek leave tail_cache behind head. */      \
        int32_t a = (int32_t)(r->tail_cache - h);                              \
        if (a <= 0) {                                                          \
                /* [A_C]: makes the producer's entry stores (P2) visible */    \
                /* to our reads (C2). Pairs with [R_P], the release of */      \
                /* tail in name##__published. */                               \
                r->tail_cache = ring_load_acquire(&r->tail);                   \
                a = (int32_t)(r->tail_cache - h);                              \
                if (a <= 0)                                                    \
                        a = name##__seq_ready(r, h);                           \
        }                                                                      \
        return (uint32_t)a;                                                    \
}                                                                              \
                                                                               \
/* Consumer. C3 for n entries taken from h.                                */  \
static inline void name##__consumed(struct name *r, uint32_t h, unsigned n)    \
{                                                                              \
        /* [R_C]: our entry loads complete before the producer may reuse   */  \
        /* the slots. Pairs with [A_P], the load_acquire(head) in          */  \
        /* name##__free.                                                   */  \
        ring_release_fence();                                                  \
        ring_store_released(&r->head, h + n);                                  \
}                                                                              \
                                                                               \
/* Consumer. Copy out up to max entries, publish head ONCE. Returns count. */  \
static inline unsigned name##_pop_batch(struct name *r, T *out, unsigned max)  \
{                                                                              \
        /* Own index: we are its only writer. */                               \
        uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);     \
        uint32_t a = name##__avail(r, h);                                      \
        unsigned n = max < a ? max : (unsigned)a;                              \
        for (unsigned k = 0; k < n; k++)                                       \
                out[k] = *name##__ent(r, h + k);                               \
        if (n)                                                                 \
                name##__consumed(r, h, n);                                     \
        return n;                                                              \
}                                                                              \
                                                                               \
/* Consumer. false when empty. */                                              \
static inline bool name##_pop(struct name *r, T *out)                          \
{                                                                              \
        return name##_pop_batch(r, out, 1) == 1;                               \
}                                                                              \
                                                                               \
/* Consumer. The oldest entry, read in place ([A_S] on its own word, one   */  \
/* line transfer), NULL when empty; the caller reads it (C2), then         */  \
/* name##_release gives the slot back (C3).                                */  \
static inline T *name##_peek(struct name *r)                                   \
{                                                                              \
        uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);     \
        return name##__seq_ready(r, h) ? name##__ent(r, h) : NULL;             \
}                                                                              \
                                                                               \
/* Consumer. Give back the entry name##_peek gave; it is not to be read    */  \
/* after this.                                                             */  \
static inline void name##_release(struct name *r)                              \
{                                                                              \
        uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);     \
        name##__consumed(r, h, 1);                                             \
}                                                                              \
                                                                               \
/* Consumer. One load of the head entry's ring_seq (plus the acquire's */      \
/* fence when it shows the entry), on a line the producer writes once per */   \
/* lap: never a lock, never a write. The S3 re-check of a sleeping */          \
/* consumer. */                                                                \
static inline bool name##_is_empty(struct name *r)                             \
{                                                                              \
        uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);     \
        return !name##__seq_ready(r, h);                                       \
}

#endif /* DUET_RPC_RING_H */
