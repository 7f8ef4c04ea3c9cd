/*
 * Process table, init, exit.  Process fields are only changed by syscall
 * handlers on the syscall cpu (see proc.h); task threads live on the
 * client cpu (logical 0).
 */
#include "drivers/blkdev.h"
#include "kernel/proc.h"
#include "kernel/ipc/ipc.h"
#include "kernel/fs/file.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "kernel/stats.h"
#include "kernel/signal.h"
#include "kernel/fs/filemap.h"
#include "kernel/thread_group.h"
#include "kernel/fs/flock.h"
#include "drivers/tty.h"
#include <string.h>

static struct proc *procs[NPROC];
static int next_pid = 1;
struct proc *initproc;

struct proc *proc_alloc(void)
{
	for (int i = 0; i < NPROC; i++) {
		if (procs[i])
			continue;
		_Static_assert(sizeof(struct proc) <= PGSIZE, "a proc fits a page");
		struct proc *p = page_alloc();	/* bigger than kmalloc's classes */
		if (!p)
			return NULL;
		p->pid = next_pid++;
		p->state = P_ALIVE;
		p->umask = 022;
		waitq_init(&p->child_exit);
		waitq_init(&p->thread_gone);
		p->start_time = time_now();
		procs[i] = p;
		return p;
	}
	return NULL;	/* table full: fork returns -EAGAIN */
}

/* A tid for a new thread: from the pid space, as Linux. */
int pid_alloc(void)
{
	return next_pid++;
}

/* kernel/cred.h: the credentials of the process this thread runs or serves a call for. */
struct cred *cred_current(void)
{
	struct thread *t = current();
	if (!t || !t->task || !t->task->proc)
		return NULL;
	return &t->task->proc->cred;
}

struct proc *proc_by_pid(int pid)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i] && procs[i]->pid == pid)
			return procs[i];
	return NULL;
}

struct proc *proc_iter(int *i)
{
	while (*i < NPROC) {
		struct proc *p = procs[(*i)++];
		if (p)
			return p;
	}
	return NULL;
}

void proc_free(struct proc *p)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i] == p)
			procs[i] = NULL;
	page_free(p);
}

static void task_main(void *arg)
{
	struct task *t = arg;
	/* a signal sent before the task first ran (kill right after fork) */
	signal_deliver(t);
	if (t->exiting)
		task_exit_self(t);
	task_return_to_user(t);
}

/* A task is a zeroed page: per-signal siginfo and queues made it outgrow kmalloc. */
struct task *task_struct_alloc(void)
{
	_Static_assert(sizeof(struct task) <= PGSIZE, "a task fits a page");
	return page_alloc();
}

void task_struct_free(struct task *t)
{
	if (t)
		page_free(t);
}

/* A task for p, not yet on any cpu: its first frame goes in t->start_tf. */
struct task *task_alloc(struct proc *p)
{
	struct task *t = task_struct_alloc();
	if (!t)
		return NULL;
	t->proc = p;
	t->tid = p->pid;
	thread_link(p, t);	/* the first thread of its group */
	p->task = t;
	return t;
}

/*
 * On the client cpu that will run it (the waker table is single-owner):
 * the task's kernel thread, its frame at the top of the stack, ready to go.
 */
int task_adopt(struct task *t)
{
	t->thread = thread_create(mycpu()->id, task_main, t, t);
	if (!t->thread)
		return -ENOMEM;
	t->tf = (struct trapframe *)(t->thread->kstack_top - TF_SIZE);
	*t->tf = t->start_tf;
	task_start(t);
	return 0;
}

int proc_start_init(const char *path, int argc, char **argv)
{
	struct proc *p = proc_alloc();
	if (!p)
		return -ENOMEM;
	p->cwd = vfs_root();
	inode_get(p->cwd);
	p->sid = p->pgid = p->pid;
	int err = fd_install_console(p);
	struct task *t = err ? NULL : task_alloc(p);
	if (!t)
		return err ? err : -ENOMEM;
	char *envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", "TERM=vt100", "PS1=duet# " };
	uint64_t entry, sp;
	err = exec_load(p, path, argv, argc, envp, 4, &entry, &sp);
	if (err)
		return err;
	t->start_tf.sepc = entry;
	t->start_tf.x[REG_SP] = sp;
	initproc = p;
	tty_set_foreground(p->pgid);
	return task_adopt(t);
}

/* wait4 status encoding: exit code in bits 8..15, a signal in bits 0..6. */
void proc_exit(struct proc *p, int status)
{
	posix_locks_release(p, NULL);
	sem_undo_exit(p);		/* SEM_UNDO: before the parent can see us gone */
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->files[fd]) {
			file_put(p->files[fd]);
			p->files[fd] = NULL;
		}
	if (p->cwd) {
		inode_put(p->cwd);
		p->cwd = NULL;
	}
	if (p->mm)
		filemap_release(p->mm);	/* MAP_SHARED pages back to their files */
	/* orphans go to init, which must hear of those already dead */
	int i = 0, zombies = 0;
	for (struct proc *c; (c = proc_iter(&i)) != NULL; )
		if (c->parent == p) {
			c->parent = initproc;
			atomic_store_explicit(&c->ppid, initproc ? initproc->pid : 0,
					      memory_order_relaxed);
			zombies += c->state == P_ZOMBIE;
		}
	if (zombies && initproc && initproc != p) {
		signal_send(initproc, SIGCHLD);
		waitq_wake_all(&initproc->child_exit);
	}
	p->exit_status = status;
	p->state = P_ZOMBIE;
	vfork_release(p);
	if (p->task)
		p->task->exiting = 1;	/* every thread has left already (group_exit) */
	if (p == initproc) {
		int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
		blkdev_shutdown();	/* caches to disk before the machine stops */
		kprintf("init exited: status %d\n", code);
		stats_print();
		system_halt(code);
	}
	if (p->parent)
		signal_send(p->parent, SIGCHLD);	/* wait4 is woken by the client's teardown */
}
