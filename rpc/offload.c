/*
 * Remote system calls (offload=1), the heart of duet.
 *
 * Client (cpu 0), on the trapping task's kernel thread:
 *   push {handle, nr, a0..a5, tag=task} on the SQ; kick the server only if
 *   it sleeps (rpc/idle.h); park.  The executor's poll hook drains the CQ
 *   in batches and readies each completed task with its result.
 * Server (cpu 1), executor poll hook:
 *   drain the SQ in batches; each request goes to a worker: a pooled
 *   kernel thread (a stackful coroutine) that runs the ordinary handler,
 *   may park any number of times (pipe, tty, sleep, wait4), then pushes
 *   {handle, result, tag} on the CQ and kicks the client only if it sleeps.
 *
 * Credit rule: the client keeps at most RPC_CQ_ENTRIES calls in flight, so
 * the server never finds the CQ full; a full SQ or no credit parks the
 * submitter until a completion frees one (back-pressure, never loss).
 */
#include "rpc/offload.h"
#include "rpc/rpc.h"
#include "rpc/idle.h"
#include "kernel/proc.h"
#include "kernel/kmalloc.h"
#include "kernel/printk.h"
#include "kernel/stats.h"
#include "kernel/trap.h"
#include "syscall/syscall.h"
#include "kernel/cmdline.h"
#include "kernel/platform.h"

#define CLIENT_CPU 0
#define SERVER_CPU 1
#define BATCH 32

static struct rpc_sq sq;	/* client produces, server consumes */
static struct rpc_cq cq;	/* server produces, client consumes */

/* ---- client ---- */

static unsigned inflight;		/* client only */
/* latency=1: stamp each call (reading the time CSR costs ~100 ns under QEMU) */
static int latency_stats;
static struct waitq credit_wait;	/* tasks waiting for a slot, client only */

void offload_init(void)
{
	latency_stats = cmdline.latency;
	rpc_sq_init(&sq);
	rpc_cq_init(&cq);
	waitq_init(&credit_wait);
}

static int client_poll(void);
static unsigned spin_budget;	/* polls (SQ on the server, CQ on the client) before parking */
static unsigned switch_budget;	/* client: polls before giving way to a ready task */

long offload_call(struct task *t, uint64_t nr, const uint64_t a[6])
{
	struct rpc_req req = { .handle = t->thread->waker, .nr = nr,
			       .args = { a[0], a[1], a[2], a[3], a[4], a[5] }, .tag = (uint64_t)t };
	if (inflight >= RPC_CQ_ENTRIES || !rpc_sq_has_space(&sq)) {
		stats.sq_full++;
		wait_event(&credit_wait, inflight < RPC_CQ_ENTRIES && rpc_sq_has_space(&sq), 0);
	}
	inflight++;
	t->sys_done = 0;
	if (latency_stats)
		t->t_submit = r_time();
	rpc_sq_push(&sq, &req);		/* store_release(tail): the entry before the index */
	if (idle_should_kick(exec_idle(SERVER_CPU))) {	/* Dekker partner of the server's idle_prepare */
		stats.kicks_to_server++;
		ipi_send(SERVER_CPU, IPI_WAKE);
	}
	/*
	 * Wait for the answer right here, draining the CQ ourselves (we are on
	 * the consumer's cpu, outside interrupt context): no context switch
	 * through the executor.  Even with other tasks ready we wait about a
	 * round trip first, because switching to another process writes satp,
	 * which under QEMU flushes the whole TLB.  Counted in polls, not time:
	 * reading the time CSR is slow under QEMU.
	 */
	for (unsigned i = 1; !t->sys_done; i++) {
		if (!rpc_cq_is_empty(&cq)) {	/* one acquire load per spin */
			client_poll();
			continue;
		}
		if ((i & 31) == 0 && (i > spin_budget || (i > switch_budget && exec_others_waiting())))
			break;
	}
	while (!t->sys_done)
		thread_park();
	return t->sys_result;
}

static int client_poll(void)
{
	struct rpc_cqe done[BATCH];
	unsigned n, total = 0;
	while ((n = rpc_cq_pop_batch(&cq, done, BATCH)) != 0) {
		stats.cq_batches++;
		stats.cq_reqs += n;
		total += n;
		for (unsigned i = 0; i < n; i++) {
			struct task *t = (struct task *)done[i].tag;
			if (latency_stats)
				stats.lat_cq += r_time() - t->t_complete;	/* ring + wake-up, back */
			t->sys_result = done[i].result;
			t->sys_done = 1;
			thread_ready(t->thread);
		}
		inflight -= n;
	}
	/* client only: nobody else touches credit_wait, so peek before locking */
	if (total && credit_wait.head)
		waitq_wake_all(&credit_wait);
	return total != 0;
}

static int client_pending(void)
{
	return !rpc_cq_is_empty(&cq);
}

static const struct exec_hooks client_hooks = { client_poll, client_pending };

void offload_client_start(void)
{
	spin_budget = cmdline.poll_us * 20;	/* ~50 ns per empty poll under QEMU */
	switch_budget = (cmdline.poll_us < 5 ? cmdline.poll_us : 5) * 20;
	exec_set_hooks(&client_hooks);
}

/* ---- server ---- */

struct worker {
	struct thread *thread;
	struct rpc_req req;
	int has_req;		/* set when handed a request; a stale wake finds 0 */
	struct worker *next;	/* idle list, server only */
};
static struct worker *idle_workers;
static unsigned nworkers;

static void complete(const struct rpc_req *req, long result)
{
	struct rpc_cqe c = { req->handle, result, req->tag };
	while (!rpc_cq_push(&cq, &c)) {	/* cannot happen under the credit rule */
		stats.cq_full++;
		thread_yield();
	}
	if (idle_should_kick(exec_idle(CLIENT_CPU))) {
		stats.kicks_to_client++;
		ipi_send(CLIENT_CPU, IPI_WAKE);
	}
}

static int take_next_inline(struct worker *w)
{
	for (unsigned i = 1; i < spin_budget; i++) {
		if ((i & 31) == 0 && exec_others_waiting())
			return 0;
		if (!rpc_sq_is_empty(&sq) && rpc_sq_pop(&sq, &w->req)) {
			stats.sq_batches++;
			stats.sq_reqs++;
			stats.inline_reqs++;
			return 1;
		}
	}
	return 0;
}

static void worker_main(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		struct task *t = (struct task *)w->req.tag;
		uint64_t t0 = 0;
		if (latency_stats) {
			t0 = r_time();
			stats.lat_sq += t0 - t->t_submit;	/* ring + wake-up, client to server */
		}
		current()->task = t;	/* curtask()/curproc() for the handler */
		if (uaccess_mode == UACCESS_SATP)
			mm_activate(t->proc->mm);	/* the caller's table, for SUM copies */
		t->sys_thread = current();	/* a signal wakes us here */
		long r = syscall_dispatch(w->req.nr, w->req.args);
		t->sys_thread = NULL;
		current()->task = NULL;
		if (latency_stats) {
			t->t_complete = r_time();
			stats.lat_serve += t->t_complete - t0;
		}
		complete(&w->req, r);
		/*
		 * Run to completion: while nothing else on this cpu is ready,
		 * take the next request ourselves instead of parking, which
		 * saves two context switches per call in the steady state.
		 */
		if (take_next_inline(w))
			continue;
		w->has_req = 0;
		w->next = idle_workers;
		idle_workers = w;
		while (!w->has_req)
			thread_park();	/* until the next request is handed over */
	}
}

static struct worker *worker_get(void)
{
	struct worker *w = idle_workers;
	if (w) {
		idle_workers = w->next;
		return w;
	}
	w = kzalloc(sizeof *w);
	if (!w)
		return NULL;
	w->thread = thread_create(SERVER_CPU, worker_main, w, NULL);
	if (!w->thread) {
		kfree(w);
		return NULL;
	}
	nworkers++;
	return w;
}

static int server_poll(void)
{
	struct rpc_req reqs[BATCH];
	unsigned n, total = 0;
	while ((n = rpc_sq_pop_batch(&sq, reqs, BATCH)) != 0) {
		stats.sq_batches++;
		stats.sq_reqs += n;
		total += n;
		for (unsigned i = 0; i < n; i++) {
			struct worker *w = worker_get();
			if (!w) {
				/* no memory for a coroutine: fail this call, not the kernel */
				complete(&reqs[i], -12 /* -ENOMEM */);
				continue;
			}
			w->req = reqs[i];
			w->has_req = 1;
			thread_ready(w->thread);
		}
	}
	return total != 0;
}

static int server_pending(void)
{
	return !rpc_sq_is_empty(&sq);
}

static const struct exec_hooks server_hooks = { server_poll, server_pending };

void offload_server_start(void)
{
	spin_budget = cmdline.poll_us * 20;
	exec_set_hooks(&server_hooks);
}
