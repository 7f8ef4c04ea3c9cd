/*
 * Remote system calls (offload=1), the heart of duet.
 *
 * Client (cpu 0, and cpus 2.. with clients=N; one SQ/CQ pair each), on the
 * trapping task's kernel thread:
 *   write {handle, nr, a0..a5} into the next SQ slot and publish it
 *   (handle: the task thread's waker handle, which both sides resolve to
 *   the task); kick the server only if it sleeps (rpc/idle.h); poll the CQ
 *   for the answer, first with interrupts off (offload_try_fast, the trap's
 *   fast path), then on (offload_wait), then park.  The executor's poll
 *   hook drains the CQ in batches and readies each completed task.
 * Server (cpu 1), executor poll hook:
 *   drain the SQ in batches; each request goes to a worker: a pooled
 *   kernel thread (a stackful coroutine) that runs the ordinary handler,
 *   may park any number of times (pipe, tty, sleep, wait4), then writes
 *   {handle, result} into the CQ and kicks the client only if it sleeps;
 *   while nothing else on the server is ready it takes the next request
 *   itself (take_next_inline).
 *
 * Credit rule: each client keeps at most RPC_CQ_ENTRIES calls in flight, so
 * the server never finds a CQ full; a full SQ or no credit parks the
 * submitter until a completion frees one (back-pressure, never loss).
 *
 * With several clients, a forked child goes to the next client in turn: its
 * task is queued in that client's inbox (a short spinlock: forks are rare)
 * and the client builds the task's thread itself, since a waker table has
 * one owner.
 */
#include "rpc/offload.h"
#include "rpc/rpc.h"
#include "rpc/idle.h"
#include "rpc/adapt.h"
#include "rpc/fallback.h"
#include "kernel/insn_mark.h"
#include "kernel/proc.h"
#include "kernel/kmalloc.h"
#include "kernel/printk.h"
#include "kernel/stats.h"
#include "kernel/trap.h"
#include "syscall/syscall.h"
#include "kernel/cmdline.h"
#include "kernel/platform.h"
#include "kernel/latency.h"

#define SERVER_CPU 1
#define BATCH 32

/* One ring pair per client cpu, indexed by logical cpu id. */
struct client {
	struct rpc_sq sq;		/* this client produces, the server consumes */
	struct rpc_cq cq;		/* the server produces, this client consumes */
	/* this client only, written on every call */
	_Alignas(64) unsigned inflight;
	struct waitq credit_wait;	/* tasks waiting for a slot */
	struct fallback fb;		/* in-place fallback: this client only (rpc/fallback.h) */
	/* set at boot, then read by the server on every completion */
	_Alignas(64) struct idle_flag *idle;	/* this client executor's need_wakeup */
	int active;
	/* forked tasks to adopt: any client pushes (a short lock: forks are rare) */
	_Alignas(64) struct spinlock inbox_lock;
	struct task *inbox;
};
static struct client clients[NCPU];
static struct idle_flag *server_idle __read_mostly;	/* the server executor's need_wakeup */
static int client_ids[NCPU] __read_mostly, nclients __read_mostly;	/* the active clients */

static struct client *myclient(void) { return &clients[mycpu()->id]; }

/* ---- client ---- */

void offload_init(void)
{
	server_idle = exec_idle(SERVER_CPU);
	for (int i = 0; i < ncpu; i++) {
		struct client *c = &clients[i];
		rpc_sq_init(&c->sq);
		rpc_cq_init(&c->cq);
		waitq_init(&c->credit_wait);
		spin_init(&c->inbox_lock, "inbox");
		c->idle = exec_idle(i);
		c->fb.gap = FB_GAP_MIN;
		c->fb.avg16 = FB_AVG_START << 4;
		c->active = cpus[i].role == ROLE_CLIENT;
		if (c->active)
			client_ids[nclients++] = i;
	}
}

static int client_poll(void);

/* Bookkeeping of any completion taken on this client. */
static inline void completion_taken(struct client *c)
{
	c->inflight--;
	STATS.cq_reqs++;
	if (c->credit_wait.head)	/* this client only: peek before locking */
		waitq_wake_all(&c->credit_wait);
}

/* latency=1: the completion, stamped by the server, reached the client. */
static void latency_taken(struct task *t, uint64_t stamp)
{
	t->t_seen = lat_stamp();
	STATS.lat_cq += t->t_seen - stamp;	/* ring + wake-up, back */
}

/* The task whose thread has this waker handle on this cpu. */
static struct task *task_of(int cpu, uint64_t handle)
{
	struct thread *th = exec_thread_of(cpu, handle);
	BUG_ON(!th || !th->task);	/* its call is in flight: it cannot be gone */
	return th->task;
}

/* The result of task t's call: record it and ready t if it is parked. */
static void complete_task(struct client *c, struct task *t, long result, uint64_t stamp)
{
	if (latency_on)
		latency_taken(t, stamp);
	t->sys_result = result;
	t->sys_done = 1;
	if (t->thread != current())
		thread_ready(t->thread);
	completion_taken(c);
}

static unsigned spin_budget __read_mostly;	/* polls (SQ on the server, CQ on the client) before parking */
static unsigned switch_budget __read_mostly;	/* client: polls before giving way to a ready task */
static unsigned fast_budget __read_mostly;	/* client: polls with interrupts off (the fast path) */

/* The SQ slot for the next call, or NULL without credit or a free slot. */
static inline struct rpc_req *free_slot(struct client *c)
{
	return c->inflight < RPC_CQ_ENTRIES ? rpc_sq_slot(&c->sq) : NULL;
}

/* No credit or no free SQ slot: park until a completion frees one. */
static __attribute__((noinline)) struct rpc_req *wait_for_slot(struct client *c)
{
	STATS.sq_full++;
	wait_event(&c->credit_wait, c->inflight < RPC_CQ_ENTRIES && rpc_sq_has_space(&c->sq), 0);
	return rpc_sq_slot(&c->sq);	/* nothing ran on this cpu since the check */
}

/* Fill slot s with t's call and hand it to the server (the SQ producer). */
static inline void submit(struct client *c, struct rpc_req *s, struct task *t,
			  uint64_t nr, const uint64_t a[6])
{
	s->handle = t->thread->waker;
	claim_submit(&s->nr, (uint32_t)nr);	/* SUBMITTED; syscall_runs_local keeps wider ones here */
	for (int i = 0; i < 6; i++)
		s->args[i] = a[i];
	c->inflight++;
	t->sys_done = 0;
	if (latency_on) {
		t->t_submit = lat_stamp();
		STATS.lat_pre += t->t_submit - t->t_trap;
	}
	rpc_sq_publish(&c->sq);	/* release: the entry before its ring_seq and tail */
	if (idle_should_kick(server_idle)) {	/* Dekker partner of the server's idle_prepare */
		STATS.kicks_to_server++;
		ipi_send(SERVER_CPU, IPI_WAKE);
	}
}

/*
 * Spin on our CQ from poll `i` up to `polls`: the poll at which an entry is
 * there, or 0 (ran out, or with may_yield other threads are ready).  Only
 * the empty polls run here, between marks, so that the instruction-count
 * plugin counts spinning apart (kernel/insn_mark.h).
 */
static inline unsigned cq_spin(struct client *c, unsigned i, unsigned polls, int may_yield)
{
	INSN_MARK_SPIN();
	for (; i <= polls; i++) {
		if (rpc_cq_peek(&c->cq))	/* one plain load per empty poll */
			break;
		if (may_yield && (i & 31) == 0 && i > switch_budget && exec_others_waiting()) {
			i = polls + 1;
			break;
		}
	}
	INSN_MARK_END();
	return i <= polls ? i : 0;
}

/*
 * Poll our CQ up to `polls` times for task t's completion, taking any
 * other task's on the way: the poll it came at (>= 1) and its result in *r
 * once t's came.  With
 * may_yield, stop early (0) once other threads are ready to run.  The
 * window shrinks to what recent answers took (rpc/adapt.h): a peer later
 * than that is not running, and we sleep instead.
 */
static inline int poll_own(struct client *c, struct task *t, unsigned polls, int may_yield,
			   long *r)
{
	uint64_t handle = t->thread->waker;
	int cpu = mycpu()->id;
	unsigned window = adapt_window(cpu, polls);
	for (unsigned i = 1;; i++) {
		i = cq_spin(c, i, window, may_yield);
		if (!i) {
			if (!may_yield || !exec_others_waiting())	/* ran out, not gave way */
				adapt_giveup(cpu, window);
			return 0;
		}
		struct rpc_cqe *e = rpc_cq_peek(&c->cq);
		uint64_t h = e->handle, stamp = e->stamp;
		long result = e->result;
		rpc_cq_release(&c->cq);
		if (h == handle) {	/* ours: straight back, no flag, no wake */
			adapt_hit(cpu, i);
			if (latency_on)
				latency_taken(t, stamp);
			completion_taken(c);
			*r = result;
			return i;
		}
		complete_task(c, task_of(cpu, h), result, stamp);
	}
}

/*
 * The rest of t's call after submit: wait for the answer right here,
 * draining the CQ ourselves (we are its consumer, outside interrupt
 * context), so no context switch through the executor.  Even with other
 * tasks ready we wait about a round trip first, because switching to
 * another process writes satp, which under QEMU flushes the whole TLB.
 * Counted in polls, not time: reading the time CSR is slow under QEMU.
 * Then park until the executor's poll hands us the result.
 */
long offload_wait(struct task *t)
{
	long r;
	/* the fast path's wait gave up (the server is not running): sleep now */
	if (!adapt_skip_idle_spin(mycpu()->id) && poll_own(myclient(), t, spin_budget, 1, &r))
		return r;
	while (!t->sys_done)
		thread_park();
	return t->sys_result;
}

/*
 * The trapping task's system call, on the server: a[] are its a0..a5 (in
 * its trap frame).  The request is built in the ring slot itself and the
 * answer read in place: every store and every call here is paid on each
 * offloaded syscall.
 */
long offload_call(struct task *t, uint64_t nr, const uint64_t a[6])
{
	struct client *c = myclient();
	struct rpc_req *s = free_slot(c);
	if (!s)
		s = wait_for_slot(c);
	submit(c, s, t, nr, a);
	return offload_wait(t);
}

/* ---- in-place fallback (rpc/fallback.h; the claim: rpc/claim.h) ---- */

int fallback_on __read_mostly = 1;
static uint64_t fb_wake_ticks __read_mostly;	/* how long a woken server has to come up */

/* A late answer: a reclaimed request, or a late probe.  To LOCAL, or probe less often. */
static void fallback_late(struct fallback *f)
{
	if (!f->local) {
		f->local = 1;
		STATS.fb_to_local++;
	} else if (f->gap < FB_GAP_MAX) {
		f->gap *= 2;
	}
	f->until = f->gap;
	f->oks = 0;
	f->waking = 0;
}

/* LOCAL: a probe answered in time.  Enough in a row: back to OFFLOAD. */
static void fallback_prompt(struct fallback *f)
{
	if (++f->oks < FB_PROBE_OKS)
		return;		/* until is 0: the next safe call probes again */
	f->local = 0;
	f->oks = 0;
	if (f->gap / 2 >= FB_GAP_MIN)
		f->gap /= 2;
	STATS.fb_to_offload++;
}

/*
 * LOCAL, a call that may run here: 1 to run it here without a request,
 * 0 to send it as a probe.  A probe to a sleeping server would only
 * measure its wake-up: wake it instead, and probe once it is up.
 */
static int fallback_runs_here(struct fallback *f)
{
	if (f->waking) {
		if (!idle_looks_asleep(server_idle)) {
			f->waking = 0;
			return 0;
		}
		/* the time CSR is slow under QEMU: look at it every 16th call */
		if ((++f->waking & 15) == 0 && r_time() > f->wake_until)
			fallback_late(f);	/* it did not come up: try again later */
		return 1;
	}
	if (f->until) {
		f->until--;
		return 1;
	}
	if (idle_looks_asleep(server_idle)) {
		STATS.fb_wakes++;
		ipi_send(SERVER_CPU, IPI_WAKE);
		f->waking = 1;
		f->wake_until = r_time() + fb_wake_ticks;
		return 1;
	}
	return 0;
}

/* Our request in slot s was reclaimed: no completion will come for it. */
static void reclaimed(struct client *c)
{
	c->inflight--;
	if (c->credit_wait.head)
		waitq_wake_all(&c->credit_wait);
	STATS.fb_reclaims++;
	fallback_late(&c->fb);
}

/*
 * The fast path, with interrupts still off from the trap (usertrap.c):
 * -1 if there is no slot or credit (nothing submitted: use offload_call);
 * 2 if the call is to run right here (in-place fallback: nothing in
 * flight); else submit and poll a short while: 1 with the result in *r, or
 * 0 if it is still in flight (turn interrupts on, then offload_wait).  The
 * poll is short because interrupts wait meanwhile.
 *
 * With fallback on, the first `window` polls are what recent answers
 * predict; a call that may run on this hart (syscall_runs_anywhere) and is
 * not answered by then is taken back if the server has not taken it, and
 * runs here.  Interrupts are off from submit to the reclaim, so no other
 * request is published on this SQ meanwhile and slot s still names ours
 * (the claim's precondition, rpc/claim.h).
 */
__hotpath int offload_try_fast(struct task *t, uint64_t nr, const uint64_t a[6], long *r)
{
	struct client *c = myclient();
	int probe = 0;
	if (c->fb.local && syscall_runs_anywhere(t, nr, a)) {
		if (fallback_runs_here(&c->fb)) {
			STATS.fb_inplace++;
			return 2;
		}
		probe = 1;
		STATS.fb_probes++;
	}
	struct rpc_req *s = free_slot(c);
	if (!s)
		return -1;
	submit(c, s, t, nr, a);
	if (!fallback_on)
		return poll_own(c, t, fast_budget, 0, r) != 0;
	/* a probe gets the whole fast window: an idle server takes a request
	 * through its executor, slower than a worker's inline take */
	unsigned window = probe ? fast_budget : fallback_window(&c->fb, fast_budget);
	unsigned got = poll_own(c, t, window, 0, r);
	if (got) {
		fallback_answered(&c->fb, got);
		if (probe)
			fallback_prompt(&c->fb);
		return 1;
	}
	if (probe || syscall_runs_anywhere(t, nr, a)) {
		if (claim_reclaim(&s->nr, (uint32_t)nr)) {
			reclaimed(c);
			STATS.fb_inplace++;
			return 2;
		}
		STATS.fb_lost++;	/* taken meanwhile: its answer is on the way */
		if (probe)
			fallback_late(&c->fb);	/* taken, but late: probe less often */
	}
	return window < fast_budget && poll_own(c, t, fast_budget - window, 0, r);
}

/*
 * About to enter user mode (interrupts off).  If other tasks of this client
 * wait for completions, the server must interrupt the user code when one
 * arrives, or a task that never traps would hold them back: set
 * need_wakeup as a sleeper would (full fence, Dekker pair with the fence in
 * complete()'s idle_should_kick), then re-check.  Non-zero: completions are
 * already here, take them first.
 */
__hotpath int offload_user_enter(void)
{
	struct client *c = myclient();
	if (!c->active || c->inflight == 0)
		return 0;
	idle_prepare(c->idle);
	if (!rpc_cq_is_empty(&c->cq)) {
		idle_done(c->idle);
		return 1;
	}
	mycpu()->offload_armed = 1;
	return 0;
}

/* Back in the kernel from user mode, armed: the executor watches its CQ again. */
void offload_user_exit(void)
{
	mycpu()->offload_armed = 0;
	idle_done(myclient()->idle);
}

/* Adopt the tasks other clients placed here. */
static int take_inbox(struct client *c)
{
	if (!__atomic_load_n(&c->inbox, __ATOMIC_RELAXED))	/* peek: forks are rare */
		return 0;
	spin_lock(&c->inbox_lock);
	struct task *list = c->inbox;
	c->inbox = NULL;
	spin_unlock(&c->inbox_lock);
	int n = 0;
	while (list) {
		struct task *t = list;
		list = t->adopt_next;
		if (task_adopt(t) != 0)
			task_adopt_failed(t->proc, t);
		n++;
	}
	return n;
}

static int client_poll(void)
{
	struct client *c = myclient();
	struct rpc_cqe done[BATCH];
	unsigned n, total = 0;
	take_inbox(c);
	while ((n = rpc_cq_pop_batch(&c->cq, done, BATCH)) != 0) {
		STATS.cq_batches++;
		total += n;
		for (unsigned i = 0; i < n; i++)
			complete_task(c, task_of(mycpu()->id, done[i].handle), done[i].result,
				      done[i].stamp);
	}
	return total != 0;
}

__hotpath static int client_pending(void)
{
	struct client *c = myclient();
	return !rpc_cq_is_empty(&c->cq) || __atomic_load_n(&c->inbox, __ATOMIC_RELAXED);
}

/*
 * A new task (fork's child): the next client in turn adopts it.  Any client
 * cpu, on the parent's thread.  Returns -ENOMEM if it could not be started.
 */
int task_place(struct task *t)
{
	static unsigned next;	/* placement cursor; a race only skews the balance */
	if (!offload || nclients <= 1)
		return task_adopt(t);
	int target = client_ids[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % nclients];
	if (target == mycpu()->id)
		return task_adopt(t);
	struct client *c = &clients[target];
	spin_lock(&c->inbox_lock);
	t->adopt_next = c->inbox;
	c->inbox = t;
	spin_unlock(&c->inbox_lock);	/* release: the task's fields before the list */
	ipi_send(target, IPI_WAKE);	/* it may be asleep or running user code */
	return 0;
}

static const struct exec_hooks client_hooks = { client_poll, client_pending };

void offload_client_start(void)
{
	/* in polls, not time (the time CSR is slow under QEMU): an empty poll is
	 * one load, ~10 ns, so this window is shorter than poll_us; the
	 * executor's time-based idle poll (sched/exec.c) covers the rest */
	spin_budget = cmdline.poll_us * 20;
	switch_budget = (cmdline.poll_us < 5 ? cmdline.poll_us : 5) * 20;
	/* interrupts wait meanwhile: at most ~5 us (an empty poll is one load, ~10 ns) */
	fast_budget = (cmdline.poll_us < 10 ? cmdline.poll_us : 10) * 50;
	fb_wake_ticks = FB_WAKE_US * plat.timebase / 1000000;
	exec_set_hooks(&client_hooks);
}

/* ---- server ---- */

struct worker {
	struct thread *thread;
	struct rpc_req req;	/* handle and args; the number is in nr */
	uint32_t nr;
	struct task *task;	/* the caller, from req.handle */
	int client;		/* the cpu whose SQ the request came from */
	int has_req;		/* set when handed a request; a stale wake finds 0 */
	struct worker *next;	/* idle list, server only */
};
static struct worker *idle_workers;
static unsigned nworkers;

/* The answer to req, on the CQ of the client it came from. */
__hotserver static void complete(int client, const struct rpc_req *req, long result,
				 uint64_t stamp)
{
	struct client *c = &clients[client];
	struct rpc_cqe *e;
	while (!(e = rpc_cq_slot(&c->cq))) {	/* cannot happen under the credit rule */
		STATS.cq_full++;
		thread_yield();
	}
	e->handle = req->handle;
	e->result = result;
	e->stamp = stamp;
	rpc_cq_publish(&c->cq);	/* store_release(tail): the entry before the index */
	if (idle_should_kick(c->idle)) {	/* Dekker partner of the client's idle_prepare */
		STATS.kicks_to_client++;
		ipi_send(client, IPI_WAKE);
	}
}

/*
 * Spin on every client's SQ from poll `i` up to `polls`: the index in
 * client_ids of one with a request, or -1 (ran out, or other threads are
 * ready).  Only the empty polls, between marks for the instruction-count
 * plugin (kernel/insn_mark.h).
 */
__hotserver static inline int sq_spin(unsigned i, unsigned polls, unsigned *at)
{
	int found = -1;
	INSN_MARK_SPIN();
	for (; i < polls && found < 0; i++) {
		for (int k = 0; k < nclients; k++)
			if (rpc_sq_peek(&clients[client_ids[k]].sq)) {	/* one plain load when empty */
				*at = i;
				found = k;
				break;
			}
		if (found < 0 && (i & 31) == 0 && exec_others_waiting())
			break;
	}
	INSN_MARK_END();
	return found;
}

/*
 * Run to completion: while nothing else on this cpu is ready, the worker
 * that just answered takes the next request itself instead of parking,
 * which saves two context switches per call in the steady state.  Polls
 * every client's SQ in place, for as long as recent gaps between requests
 * predict (rpc/adapt.h); past that the clients are not running: park, and
 * let the executor sleep.
 */
__hotserver static int take_next_inline(struct worker *w)
{
	int cpu = mycpu()->id;
	unsigned window = adapt_window(cpu, spin_budget), at = 0;
again:;
	int k = sq_spin(1, window, &at);
	if (k < 0) {
		if (!exec_others_waiting())	/* ran out, not gave way */
			adapt_giveup(cpu, window);
		return 0;
	}
	adapt_hit(cpu, at);
	struct client *c = &clients[client_ids[k]];
	if (rpc_sq_take(&c->sq, &w->req, &w->nr) != 1) {	/* reclaimed: skip it */
		STATS.fb_skipped++;
		goto again;
	}
	w->client = client_ids[k];
	w->task = task_of(w->client, w->req.handle);
	STATS.inline_reqs++;
	return 1;
}

__hotserver static void worker_main(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		struct task *t = w->task;
		uint64_t t0 = 0;
		if (latency_on) {
			t0 = lat_stamp();
			STATS.lat_sq += t0 - t->t_submit;	/* ring + wake-up, client to server */
		}
		current()->task = t;	/* curtask()/curproc() for the handler */
		if (uaccess_mode == UACCESS_SATP)
			mm_activate(t->proc->mm);	/* the caller's table, for SUM copies */
		t->sys_thread = current();	/* a signal wakes us here */
		long r = syscall_dispatch(w->nr, w->req.args);
		t->sys_thread = NULL;
		current()->task = NULL;
		uint64_t done_at = 0;
		if (latency_on) {
			done_at = lat_stamp();
			STATS.lat_serve += done_at - t0;
		}
		complete(w->client, &w->req, r, done_at);
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

static int server_drain(int client);

static int server_poll(void)
{
	int total = 0;
	for (int i = 0; i < nclients; i++)
		total += server_drain(client_ids[i]);
	return total != 0;
}

/*
 * Hand every request of this client's SQ to a worker, one at a time: each
 * is claimed (rpc_sq_take) before its slot goes back, and a reclaimed one
 * is skipped (its client ran it).
 */
static int server_drain(int client)
{
	struct rpc_sq *sq = &clients[client].sq;
	struct rpc_req req;
	uint32_t nr;
	unsigned total = 0;
	int got;
	while ((got = rpc_sq_take(sq, &req, &nr)) >= 0) {
		total++;
		if (!got) {
			STATS.fb_skipped++;
			continue;
		}
		STATS.sq_reqs++;
		struct worker *w = worker_get();
		if (!w) {
			/* no memory for a coroutine: fail this call, not the kernel */
			complete(client, &req, -12 /* -ENOMEM */, 0);
			continue;
		}
		w->req = req;
		w->nr = nr;
		w->client = client;
		w->task = task_of(client, req.handle);
		w->has_req = 1;
		thread_ready(w->thread);
	}
	if (total)
		STATS.sq_batches++;
	return total != 0;
}

static int server_pending(void)
{
	for (int i = 0; i < nclients; i++)
		if (!rpc_sq_is_empty(&clients[client_ids[i]].sq))
			return 1;
	return 0;
}

static const struct exec_hooks server_hooks = { server_poll, server_pending };

void offload_server_start(void)
{
	spin_budget = cmdline.poll_us * 20;
	exec_set_hooks(&server_hooks);
}
