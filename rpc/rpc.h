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

#define RPC_SQ_ENTRIES 128      /* power of two */
#define RPC_CQ_ENTRIES 128      /* power of two, >= RPC_SQ_ENTRIES */

/* One request, one cache line: the server's poll of ring_seq brings it all. */
struct rpc_req {
        _Atomic uint32_t ring_seq;      /* the ring's (rpc/ring.h) */
        uint32_t nr;                    /* syscall number (a7) */
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

#endif /* DUET_RPC_RPC_H */
