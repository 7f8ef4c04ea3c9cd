/*
 * rpc/rpc.h - the system-call messages and the ring pair that carries them.
 * The ring and sleep protocol is in rpc/ring.h; the flag in rpc/idle.h.
 *
 * SQ: produced by the client hart (trap path), consumed by the server.
 * CQ: produced by the server hart, consumed by the client.
 *
 * Credit rule: a client keeps at most RPC_CQ_ENTRIES requests in flight
 * (pushed and not yet completed). Every request gets exactly one completion,
 * so the server's rpc_cq_push can then never fail and the server never has
 * to park a finished syscall. A task that would exceed the credit, or that
 * finds the SQ full, is parked on the client until a completion arrives.
 */
#ifndef DUET_RPC_RPC_H
#define DUET_RPC_RPC_H

#include <stdint.h>
#include "rpc/ring.h"
#include "rpc/claim.h"

#define RPC_SQ_ENTRIES 128      /* power of two */
#define RPC_CQ_ENTRIES 128      /* power of two, >= RPC_SQ_ENTRIES */

/* One request, one cache line: the server's poll of ring_seq brings it all. */
struct rpc_req {
        _Atomic uint32_t ring_seq;      /* the ring's (rpc/ring.h) */
        _Atomic uint32_t nr;            /* syscall number (a7) | claim state (rpc/claim.h) */
        uint64_t handle;                /* client waker handle of the calling task */
        uint64_t args[6];               /* a0..a5 */
} __attribute__((aligned(64)));

/* One completion, one cache line too. */
struct rpc_cqe {
        _Atomic uint32_t ring_seq;      /* the ring's (rpc/ring.h) */
        uint32_t pad;
        uint64_t handle;                /* rpc_req.handle, echoed */
        int64_t result;                 /* a0 on return (negative errno on error) */
        uint64_t stamp;                 /* latency=1: the handler's end, cycles */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct rpc_req) == 64, "rpc_req: one cache line");
_Static_assert(sizeof(struct rpc_cqe) == 64, "rpc_cqe: one cache line");
_Static_assert(RPC_CQ_ENTRIES >= RPC_SQ_ENTRIES, "credit rule needs CQ >= SQ");

RING_DEFINE(rpc_sq, struct rpc_req, RPC_SQ_ENTRIES)
RING_DEFINE(rpc_cq, struct rpc_cqe, RPC_CQ_ENTRIES)

/*
 * Server: take the oldest request of sq (rpc/claim.h): 1 with its handle
 * and arguments in *out and its number in *nr, to run; 0 if its client
 * reclaimed it (released, not to be run or answered); -1 if sq is empty.
 * The claim is decided before the slot is released: after the release the
 * client may reuse it.  The nr word is not copied (the client may be
 * CASing it): its value comes from the claim's RMW.
 */
static inline int rpc_sq_take(struct rpc_sq *sq, struct rpc_req *out, uint32_t *nr)
{
        struct rpc_req *e = rpc_sq_peek(sq);    /* [A_S]: the payload is visible */
        if (!e)
                return -1;
        out->handle = e->handle;
        for (int i = 0; i < 6; i++)
                out->args[i] = e->args[i];
        uint32_t old = claim_take(&e->nr);
        rpc_sq_release(sq);                     /* C3: the slot back to the client */
        if (CLAIM_STATE(old) == CLAIM_RECLAIMED)
                return 0;
        *nr = old & CLAIM_NR_MASK;
        return 1;
}

#endif /* DUET_RPC_RPC_H */
