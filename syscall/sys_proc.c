/* Identity, process life cycle (exit, fork, execve, wait4), limits (getrandom: syscall/sys_random.c). */
#include "drivers/blkdev.h"
#include "syscall/sys.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/timer.h"
#include "kernel/printk.h"
#include "kernel/stats.h"
#include "kernel/thread_group.h"
#include "kernel/rlimit.h"
#include <string.h>

/* A vfork child let go of its parent (exec or exit): the parent runs again. */
void vfork_release(struct proc *p)
{
	struct task *parent = p->vfork_parent;
	if (!parent)
		return;
	p->vfork_parent = NULL;
	/* seq_cst: cleared before the wake, so the parent's re-check sees 0 */
	atomic_store(&parent->vfork_waiting, 0);
	thread_wake(parent->thread);
}

SYSCALL(getpid) { (void)a; return curproc()->pid; }
/* not p->parent->pid: on the client (in-place fallback) the parent may be
 * reaped and freed meanwhile; ppid is kept with parent, an atomic int */
SYSCALL(getppid) { (void)a; return atomic_load_explicit(&curproc()->ppid, memory_order_relaxed); }
SYSCALL(gettid) { (void)a; return curtask()->tid; }

SYSCALL(set_tid_address)
{
	curtask()->clear_child_tid = a[0];
	return curtask()->tid;
}

SYSCALL(exit_group)
{
	group_exit(curtask(), (int)(a[0] & 0xff) << 8);
	return 0;
}

/* One thread ends; the process with its last thread (kernel/thread_group.c). */
SYSCALL(exit)
{
	thread_exit_call(curtask(), (int)a[0]);
	return 0;
}

#define REBOOT_MAGIC1 0xfee1dead
#define CMD_RESTART 0x01234567
#define CMD_HALT 0xcdef0123
#define CMD_POWER_OFF 0x4321fedc

/* poweroff -f, halt -f, reboot -f: the machine stops with status 0. */
SYSCALL(reboot)
{
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (a[0] != REBOOT_MAGIC1)
		return -EINVAL;
	switch ((uint32_t)a[2]) {
	case CMD_POWER_OFF: case CMD_HALT: case CMD_RESTART:
		kprintf("duet: %s requested by pid %d\n",
			(uint32_t)a[2] == CMD_RESTART ? "reboot (as power off)" : "power off", curproc()->pid);
		blkdev_shutdown();
		stats_print();
		system_halt(0);
	default:
		return 0;	/* CAD on/off and the rest: accepted */
	}
}

static char hostname[65] = "duet";
static char domainname[65] = "(none)";

static long set_name(char *dst, uint64_t uname, uint64_t len)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	char tmp[65] = { 0 };
	if (copy_from_user(curmm(), tmp, uname, len))
		return -EFAULT;
	memcpy(dst, tmp, sizeof tmp);
	return 0;
}

SYSCALL(sethostname) { return set_name(hostname, a[0], a[1]); }
SYSCALL(setdomainname) { return set_name(domainname, a[0], a[1]); }

SYSCALL(uname)
{
	char u[6][65];
	memset(u, 0, sizeof u);
	strcpy(u[0], "Linux");
	memcpy(u[1], hostname, sizeof hostname);
	strcpy(u[2], "6.1.0-duet");
	strcpy(u[3], "#1 SMP duet");
	strcpy(u[4], "riscv64");
	memcpy(u[5], domainname, sizeof domainname);
	return copy_to_user(curmm(), a[0], u, sizeof u) ? -EFAULT : 0;
}

/* ---- signals: recorded now, delivered by the signal code later ---- */

SYSCALL(rt_sigaction)
{
	int sig = (int)a[0];
	if (sig < 1 || sig > 64 || a[3] != 8)
		return -EINVAL;
	struct proc *p = curproc();
	if (a[2] && copy_to_user(curmm(), a[2], &p->sigactions[sig], sizeof p->sigactions[sig]))
		return -EFAULT;
	if (a[1]) {
		if (sig == 9 || sig == 19)
			return -EINVAL;	/* SIGKILL and SIGSTOP cannot be caught */
		struct sigaction_k sa;
		if (copy_from_user(curmm(), &sa, a[1], sizeof sa))
			return -EFAULT;
		p->sigactions[sig] = sa;
	}
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	struct task *t = curtask();
	if (a[3] != 8)
		return -EINVAL;
	uint64_t old = t->sigmask, set;
	if (a[1]) {
		if (copy_from_user(curmm(), &set, a[1], 8))
			return -EFAULT;
		switch (a[0]) {
		case 0: t->sigmask |= set; break;
		case 1: t->sigmask &= ~set; break;
		case 2: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~((1UL << 8) | (1UL << 18));	/* never block SIGKILL, SIGSTOP */
	}
	if (a[2] && copy_to_user(curmm(), a[2], &old, 8))
		return -EFAULT;
	return 0;
}

/* ---- fork, execve, wait4 ---- */

#define SIGCHLD 17
#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SIGHAND 0x800

SYSCALL(clone)
{
	uint64_t flags = a[0];
	/* riscv64 order: flags, stack, parent_tid, tls, child_tid */
	if (flags & CLONE_THREAD)
		return thread_clone(curtask(), flags, a[1], a[2], a[3], a[4]);
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	struct proc *p = curproc();
	if (!rlimit_fork_ok(p) || !task_room())
		return -EAGAIN;		/* RLIMIT_NPROC, or tasks in all */
	struct proc *c = proc_alloc();
	if (!c)
		return -EAGAIN;
	rlimit_inherit(c, p);
	c->mm = mm_clone(p->mm);	/* CLONE_VM (vfork) also gets a copy: same semantics for the child */
	if (!c->mm) {
		proc_free(c);
		return -ENOMEM;
	}
	c->parent = p;
	atomic_store_explicit(&c->ppid, p->pid, memory_order_relaxed);
	c->cwd = p->cwd;
	inode_get(c->cwd);
	c->umask = p->umask;
	c->cred = p->cred;
	c->pgid = p->pgid;
	c->sid = p->sid;
	memcpy(c->sigactions, p->sigactions, sizeof c->sigactions);
	memcpy(c->comm, p->comm, sizeof c->comm);
	memcpy(c->cmdline, p->cmdline, sizeof c->cmdline);
	c->cmdline_len = p->cmdline_len;
	memcpy(c->exe, p->exe, sizeof c->exe);
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->files[fd]) {
			c->files[fd] = p->files[fd];
			file_get(c->files[fd]);
		}
	c->cloexec = p->cloexec;
	/* the client creates the child's task thread when this call completes */
	curtask()->fork_child = c;
	curtask()->fork_sp = a[1];
	curtask()->fork_flags = flags;
	if (flags & CLONE_VFORK)
		c->vfork_parent = curtask();
	return c->pid;
}

/*
 * execve's arguments: up to EXEC_ARGS_MAX strings and EXEC_STRINGS_MAX
 * bytes in all (argv and envp together), as Linux's ARG_MAX-style limit;
 * beyond that -E2BIG.  One contiguous buffer keeps the coroutine stack small.
 */
#define EXEC_ARGS_MAX    4096
#define EXEC_STRINGS_MAX (128 * 1024)

struct exec_args {
	char *argv[EXEC_ARGS_MAX + 1], *envp[EXEC_ARGS_MAX + 1];
	int argc, envc;
	size_t used;
	char strings[EXEC_STRINGS_MAX];
};
#define EXEC_ARGS_PAGES ((sizeof(struct exec_args) + PGSIZE - 1) / PGSIZE)

static int copy_strv(struct exec_args *ea, uint64_t uv, char **out)
{
	int n = 0;
	for (; uv; n++) {
		uint64_t up;
		if (copy_from_user(curmm(), &up, uv + (uint64_t)n * 8, 8))
			return -EFAULT;
		if (!up)
			break;
		if (ea->argc + ea->envc + n >= EXEC_ARGS_MAX)
			return -E2BIG;
		long len = strncpy_from_user(curmm(), ea->strings + ea->used, up,
					     EXEC_STRINGS_MAX - ea->used);
		if (len < 0)
			return len == -ENAMETOOLONG ? -E2BIG : (int)len;
		out[n] = ea->strings + ea->used;
		ea->used += (size_t)len + 1;
	}
	out[n] = NULL;
	return n;
}

SYSCALL(execve)
{
	char *path = page_alloc();
	struct exec_args *ea = page_alloc_n(EXEC_ARGS_PAGES);
	long err = path && ea ? 0 : -ENOMEM;
	if (!err)
		err = strncpy_from_user(curmm(), path, a[0], PGSIZE);
	if (err >= 0)
		err = ea->argc = copy_strv(ea, a[1], ea->argv);
	if (err >= 0)
		err = ea->envc = copy_strv(ea, a[2], ea->envp);
	if (err >= 0) {
		uint64_t entry, sp;
		struct proc *p = curproc();
		thread_kill_others(curtask());	/* before the point of no return: see docs/THREADS.md */
		err = exec_load(p, path, ea->argv, ea->argc, ea->envp, ea->envc, &entry, &sp);
		if (!err) {
			/*
			 * The new registers go in through the task, not its trap
			 * frame: the frame is on the client's kernel stack, and a
			 * server access would leave the server a translation of
			 * that stack that outlives it (kstack_free flushes only
			 * the freeing hart).  exec_finish applies them there.
			 */
			curtask()->exec_entry = entry;
			curtask()->exec_sp = sp;
			memset(&curtask()->fp, 0, sizeof curtask()->fp);
			curtask()->fp_gen++;
			curtask()->altstack_sp = curtask()->altstack_size = 0;
			curtask()->altstack_on = 0;
			for (int fd = 0; fd < NOFILE; fd++)
				if ((p->cloexec >> fd & 1) && p->files[fd]) {
					file_put(p->files[fd]);
					p->files[fd] = NULL;
				}
			p->cloexec = 0;
			vfork_release(p);
			for (int s = 1; s <= 64; s++)	/* caught signals revert to default */
				if (p->sigactions[s].handler > 1)
					p->sigactions[s].handler = 0;
		}
	}
	if (ea)
		page_free_n(ea, EXEC_ARGS_PAGES);
	if (path)
		page_free(path);
	return err;
}

#define WNOHANG 1
#define WUNTRACED 2

static struct proc *find_zombie(struct proc *p, int pid, uint64_t wait_opts, int *have_child)
{
	int i = 0;
	*have_child = 0;
	for (struct proc *c; (c = proc_iter(&i)) != NULL; ) {
		if (c->parent != p || (pid > 0 && c->pid != pid) || (pid < -1 && c->pgid != -pid) ||
		    (pid == 0 && c->pgid != p->pgid))
			continue;
		*have_child = 1;
		/*
		 * A zombie counts as soon as proc_exit made it one, before its
		 * client has torn the task down: SIGCHLD went out then, and a
		 * WNOHANG wait after SIGCHLD must find the child (ash's `wait`
		 * relies on it, or it sleeps in sigsuspend forever).
		 */
		if (c->state == P_ZOMBIE)
			return c;
		if ((wait_opts & WUNTRACED) && atomic_load(&c->stop_report))
			return c;
	}
	return NULL;
}

SYSCALL(wait4)
{
	struct proc *p = curproc();
	int pid = (int)a[0], have;
	if (a[2] & ~(uint64_t)(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000))
		return -EINVAL;
	struct proc *z;
	long r = wait_event(&p->child_exit, (z = find_zombie(p, pid, a[2], &have)) != NULL || !have ||
			    (a[2] & WNOHANG), signal_pending_now() ? -EINTR : 0);
	if (r)
		return r;
	if (!z)
		return have ? 0 : -ECHILD;
	int zpid = z->pid, stopsig = atomic_exchange(&z->stop_report, 0);
	int status = z->state == P_ZOMBIE ? z->exit_status : (stopsig << 8) | 0x7f;
	if (a[1] && copy_to_user(curmm(), a[1], &status, sizeof status))
		return -EFAULT;
	if (z->state == P_ZOMBIE) {
		/* its client may still be tearing the task down: a short wait */
		wait_event(&p->child_exit, atomic_load_explicit(&z->reapable, memory_order_acquire), 0);
		proc_free(z);
	}
	return zpid;
}
