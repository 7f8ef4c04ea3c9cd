/*
 * procfs: /proc for ps, top, free, uptime, mount and df.  See
 * kernel/fs/procfs.h for the model (inodes per lookup, contents rendered at
 * open) and kernel/fs/vfs.h (struct inode_ops) for how ramfs's path walk,
 * readdir, getcwd and file_open_inode reach the hooks here.
 *
 * Inode numbers: PROC_INO_BASE | pid << 8 | slot; pid 0 is the top level,
 * slot 0 the directory itself, 1..63 a table entry, 64.. an fd link.  So a
 * name has the same number on every lookup, as find and ls -i expect.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel/fs/procfs.h"
#include "kernel/thread_group.h"
#include "kernel/fs/vfs.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/printk.h"
#include "kernel/stats.h"
#include "kernel/timer.h"
#include "kernel/platform.h"
#include "kernel/cpu.h"
#include "kernel/memlayout.h"
#include "kernel/uvm.h"
#include "kernel/fs/pagecache.h"
#include "sched/thread.h"

#define PROC_INO_BASE   0xf0000000u
#define SLOT_FD         64
#define USER_HZ         100	/* clock ticks in /proc, as AT_CLKTCK says */
#define RENDER_MAX_PAGES 16	/* a file bigger than 64 KiB is refused */
#define ROOT_PID_POS    64	/* readdir cookie of pid N in /proc: ROOT_PID_POS + N */
#define POS_END         (1ULL << 40)

/* ---- text buffers: len counts what did not fit too, so overflow shows ---- */

struct sbuf {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

static void sb_put(struct sbuf *sb, const void *p, size_t n)
{
	if (sb->len + n < sb->cap)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
}

/* The output fitted (with room for vsnprintf's NUL). */
static int sb_fits(const struct sbuf *sb)
{
	return sb->len < sb->cap;
}

/* ---- nodes ---- */

enum pkind { PK_ROOT, PK_PID, PK_FDS, PK_ENT, PK_FD, PK_TASKS };

struct pnode;
typedef int (*show_fn)(struct pnode *pn, struct sbuf *sb);

struct pent {
	const char *name;
	uint32_t mode;
	show_fn show;		/* a file's contents or a link's target; NULL for dirs */
};

struct pnode {
	struct inode ip;	/* first: the VFS only ever sees this */
	enum pkind kind;
	const struct pent *ent;	/* PK_ENT, PK_FDS */
	int pid;		/* 0 outside /proc/<pid> */
	int fd;			/* PK_FD */
};

static struct inode *proc_root;

static struct pnode *pnode_of(struct inode *ip) { return ip->priv; }

static uint32_t ino_of(int pid, uint32_t slot)
{
	return PROC_INO_BASE | ((uint32_t)pid & 0xfffff) << 8 | slot;
}

/* The process a syscall runs for; 0 in a kernel context (boot's exec of init). */
static int caller_pid(void)
{
	struct thread *t = current();
	return t && t->task ? t->task->proc->pid : 0;
}

/* A pid, or the tid of any thread (as Linux, /proc/<tid> is its process's directory). */
static struct proc *pn_proc(struct pnode *pn)
{
	struct proc *p = proc_by_pid(pn->pid);
	struct task *t = p ? NULL : task_by_tid(pn->pid);
	return p ? p : t ? t->proc : NULL;
}

/*
 * The task of a live process.  The client frees a task only after the
 * syscall cpu made the process a zombie, so P_ALIVE (seen here, on the
 * cpu that writes it) keeps the task; it is NULL until a fork completes.
 */
static struct task *live_task(struct proc *p)
{
	return p->state == P_ALIVE ? p->task : NULL;
}

static uint64_t to_clk(uint64_t ticks)
{
	return ticks * USER_HZ / plat.timebase;
}

/* ---- memory use of a process: leaf pages in the user half of its table ---- */

static uint64_t count_pages(pagetable_t pt, int level, int nent)
{
	uint64_t n = 0;
	for (int i = 0; i < nent; i++) {
		pte_t pte = pt[i];
		if (level == 0) {
			n += (pte & (PTE_V | PTE_NONE)) != 0;	/* PROT_NONE pages are still held */
			continue;
		}
		if (!(pte & PTE_V))
			continue;
		if (pte & (PTE_R | PTE_W | PTE_X))
			n += 1UL << (9 * level);		/* a superpage */
		else
			n += count_pages(PA2VA(PTE2PA(pte)), level - 1, 512);
	}
	return n;
}

uint64_t procfs_mm_pages(struct mm *mm)
{
	if (!mm)
		return 0;
	spin_lock(&mm->lock);
	uint64_t n = count_pages(mm->pgd, 2, 256);	/* entries 256.. are the kernel's */
	spin_unlock(&mm->lock);
	return n;
}

static uint64_t proc_pages(struct proc *p)
{
	return p->state == P_ALIVE ? procfs_mm_pages(p->mm) : 0;
}

/* ---- the mount table ---- */

struct mnt {
	char source[32], dir[64], type[16];
};

#define NMOUNT 8
#define NMOUNT_FIXED 2
/* the root is not called "rootfs": df hides that name, and this root stays for good */
static struct mnt mounts[NMOUNT] = {
	{ "ramfs", "/", "ramfs" },
	{ "proc", "/proc", "proc" },
};

static struct mnt *mnt_find(const char *dir)
{
	for (int i = 0; i < NMOUNT; i++)
		if (mounts[i].dir[0] && !strcmp(mounts[i].dir, dir))
			return &mounts[i];
	return NULL;
}

int procfs_mount_add(const char *source, const char *dir, const char *type)
{
	if (strlen(dir) >= sizeof mounts[0].dir)
		return -ENAMETOOLONG;
	if (mnt_find(dir))
		return -EBUSY;
	for (int i = NMOUNT_FIXED; i < NMOUNT; i++) {
		struct mnt *m = &mounts[i];
		if (m->dir[0])
			continue;
		snprintf(m->source, sizeof m->source, "%s", source);
		snprintf(m->dir, sizeof m->dir, "%s", dir);
		snprintf(m->type, sizeof m->type, "%s", type);
		return 0;
	}
	return -ENOSPC;
}

/* root=: what /proc/mounts says is on "/" */
void procfs_mount_root(const char *source, const char *type)
{
	snprintf(mounts[0].source, sizeof mounts[0].source, "%s", source);
	snprintf(mounts[0].type, sizeof mounts[0].type, "%s", type);
}

int procfs_mount_del(const char *dir)
{
	struct mnt *m = mnt_find(dir);
	if (!m)
		return -EINVAL;
	if (m == &mounts[0])
		return -EBUSY;		/* the root */
	if (m >= &mounts[NMOUNT_FIXED])
		m->dir[0] = 0;
	return 0;			/* procfs stays: it cannot really go */
}

static int show_mounts(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	for (int i = 0; i < NMOUNT; i++)
		if (mounts[i].dir[0])
			sb_printf(sb, "%s %s %s rw%s 0 0\n", mounts[i].source, mounts[i].dir,
				  mounts[i].type, i == 1 ? ",nosuid,nodev,noexec" : "");
	return 0;
}

/* ---- top-level files ---- */

/*
 * User-mode ticks of the live tasks.  They all run on the client cpu
 * (logical 0).  A task's times leave with it, so this can drop: top copes.
 */
static uint64_t user_ticks_live(void)
{
	uint64_t sum = 0;
	int i = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; ) {
		struct task *t = live_task(p);
		if (t)
			sum += t->thread->run_ticks;
	}
	return sum;
}

/*
 * One "cpuN" line: busy is uptime minus idle; user time belongs to the cpu
 * that runs tasks.  A cpu without an executor (parked, or the spare one
 * with offload=0) only sits in wfi: all idle.
 */
static void cpu_times(int i, uint64_t up, uint64_t user_all, uint64_t t[3])
{
	enum cpu_role r = cpus[i].role;
	int runs_tasks = r == ROLE_CLIENT || r == ROLE_LOCAL;
	uint64_t idle = up;
	if ((runs_tasks || r == ROLE_SERVER) && exec_stats[i].idle_ticks < up)
		idle = exec_stats[i].idle_ticks;
	uint64_t busy = up - idle;
	uint64_t user = runs_tasks ? (user_all < busy ? user_all : busy) : 0;
	t[0] = to_clk(user);
	t[1] = to_clk(busy - user);
	t[2] = to_clk(idle);
}

/* Idle time summed over cpus, in clock ticks, as /proc/stat counts it. */
static uint64_t idle_clk_all(void)
{
	uint64_t idle = 0, t[3], up = time_now();
	for (int i = 0; i < ncpu; i++) {
		cpu_times(i, up, 0, t);
		idle += t[2];
	}
	return idle;
}

static int show_uptime(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	uint64_t up = to_clk(time_now()), idle = idle_clk_all();
	sb_printf(sb, "%lu.%02lu %lu.%02lu\n", up / 100, up % 100, idle / 100, idle % 100);
	return 0;
}

static void meminfo_line(struct sbuf *sb, const char *name, uint64_t kb)
{
	sb_printf(sb, "%-16s%8lu kB\n", name, kb);
}

static int show_meminfo(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	uint64_t total = kpool.npages * (PGSIZE / 1024);
	uint64_t free = pool_free_pages(&kpool) * (PGSIZE / 1024);
	meminfo_line(sb, "MemTotal:", total);
	meminfo_line(sb, "MemFree:", free);
	meminfo_line(sb, "MemAvailable:", free);	/* nothing is reclaimable */
	static const char *const zero[] = {
		"Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:", "Shmem:",
		"Slab:", "SReclaimable:", "SUnreclaim:", "SwapTotal:", "SwapFree:",
	};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		meminfo_line(sb, zero[i], 0);
	return 0;
}

/* Demand paging and reclaim counters (kernel/uvm.c, kernel/fs/pagecache.c), Linux's format. */
static int show_vmstat(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	sb_printf(sb, "pgfault_demand_zero %lu\n", (uint64_t)uvm_counters.demand_zero);
	sb_printf(sb, "pgfault_zero_page %lu\n", (uint64_t)uvm_counters.zero_page);
	sb_printf(sb, "cow_copy %lu\n", (uint64_t)uvm_counters.cow_copies);
	sb_printf(sb, "oom_kill %lu\n", (uint64_t)uvm_counters.oom_kills);
	sb_printf(sb, "pgpgin_pagecache %lu\n", pcache_reads);
	sb_printf(sb, "pgsteal_pagecache %lu\n", reclaim_stats[0]);
	sb_printf(sb, "pgsteal_bcache %lu\n", reclaim_stats[1]);
	return 0;
}

/* Live processes and how many of them are runnable (the caller counts). */
static void count_procs(int *total, int *running, int *last)
{
	int i = 0, me = caller_pid();
	*total = *running = *last = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; ) {
		if (p->pid > *last)
			*last = p->pid;
		struct task *t = live_task(p);
		if (p->state != P_ALIVE)
			continue;
		++*total;
		if (p->pid == me || (t && t->thread && t->thread->state != T_PARKED))
			++*running;
	}
}

static int show_loadavg(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	int total, running, last;
	count_procs(&total, &running, &last);
	/* no load average is kept yet: honest zeros */
	sb_printf(sb, "0.00 0.00 0.00 %d/%d %d\n", running, total, last);
	return 0;
}

static int show_stat(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	uint64_t up = time_now(), user_all = user_ticks_live(), sum[3] = { 0 }, t[3];
	uint64_t ctxt = 0, intr = 0;
	for (int i = 0; i < ncpu; i++) {
		cpu_times(i, up, user_all, t);
		for (int k = 0; k < 3; k++)
			sum[k] += t[k];
		ctxt += exec_stats[i].switches;
		intr += cpus[i].timer_irqs + cpus[i].ext_irqs + cpus[i].ipis_recv;
	}
	sb_printf(sb, "cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", sum[0], sum[1], sum[2]);
	for (int i = 0; i < ncpu; i++) {
		cpu_times(i, up, user_all, t);
		sb_printf(sb, "cpu%d %lu 0 %lu %lu 0 0 0 0 0 0\n", i, t[0], t[1], t[2]);
	}
	int64_t sec, nsec;
	vfs_now(&sec, &nsec);
	int total, running, last;
	count_procs(&total, &running, &last);
	sb_printf(sb, "intr %lu\nctxt %lu\nbtime %ld\nprocesses %d\nprocs_running %d\n"
		  "procs_blocked 0\nsoftirq 0\n", intr, ctxt, sec - (int64_t)(time_ns() / 1000000000UL),
		  last, running);
	return 0;
}

static const struct hart_info *hart_of(uint32_t hartid)
{
	for (int i = 0; i < plat.nharts; i++)
		if (plat.harts[i].hartid == hartid)
			return &plat.harts[i];
	return NULL;
}

static int show_cpuinfo(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	for (int i = 0; i < ncpu; i++) {
		const struct hart_info *h = hart_of(cpus[i].hartid);
		sb_printf(sb, "processor\t: %d\nhart\t\t: %u\nisa\t\t: %s\nmmu\t\t: %s\n"
			  "role\t\t: %s\nmodel name\t: %s\n\n", i, cpus[i].hartid,
			  h ? h->isa : "rv64imac", h && !h->has_mmu ? "none" : "sv39",
			  cpu_role_name(cpus[i].role), plat.model);
	}
	return 0;
}

static int show_version(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	/* the same release and version strings as uname(2) */
	sb_printf(sb, "Linux version 6.1.0-duet (root@duet) (gcc version %s) #1 SMP duet\n",
		  __VERSION__);
	return 0;
}

static int show_filesystems(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	sb_printf(sb, "nodev\tramfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
	return 0;
}

static int show_duet(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	size_t room = sb->cap - sb->len;
	int n = stats_format(sb->buf + sb->len, room > 0x7fffffff ? 0x7fffffff : (int)room);
	if (n > 0)
		sb->len += (size_t)n;
	return 0;
}

static int show_cmdline_kernel(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	sb_printf(sb, "%s\n", plat.bootargs);
	return 0;
}

static int show_self(struct pnode *pn, struct sbuf *sb)
{
	(void)pn;
	int pid = caller_pid();
	if (!pid)
		return -ENOENT;
	sb_printf(sb, "%d", pid);
	return 0;
}

/* ---- /proc/<pid>/ files ---- */

static char state_of(struct proc *p)
{
	if (p->state != P_ALIVE)
		return 'Z';
	struct task *t = live_task(p);
	if (p->pid == caller_pid() || !t || !t->thread)
		return 'R';
	return t->thread->state == T_PARKED ? 'S' : 'R';
}

static const char *state_name(char c)
{
	return c == 'R' ? "running" : c == 'S' ? "sleeping" : "zombie";
}

/* The terminal on fd 0, in stat's tty_nr encoding (Linux's new dev_t). */
static uint32_t tty_of(struct proc *p)
{
	struct file *f = p->state == P_ALIVE ? p->files[0] : NULL;
	if (!f || !f->ip || !S_ISCHR(f->ip->mode))
		return 0;
	uint32_t ma = VFS_MAJOR(f->ip->rdev);
	return ma == 4 || ma == 5 ? f->ip->rdev : 0;
}

/* Signal sets for stat/status: bit s-1 for signal s. */
static void sig_sets(struct proc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int s = 1; s <= 64; s++) {
		uint64_t h = p->sigactions[s].handler;
		if (h == 1)
			*ign |= 1UL << (s - 1);
		else if (h > 1)
			*cgt |= 1UL << (s - 1);
	}
}

static int show_pid_stat(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ESRCH;
	struct task *t = live_task(p);
	uint64_t pages = proc_pages(p), ign, cgt;
	sig_sets(p, &ign, &cgt);
	uint32_t tty = tty_of(p);
	/* fields 1-13: identity and faults (none counted) */
	sb_printf(sb, "%d (%s) %c %d %d %d %u %d 0 0 0 0 0 ", p->pid, p->comm, state_of(p),
		  p->parent ? p->parent->pid : 0, p->pgid, p->sid, tty, tty ? p->pgid : -1);
	/* 14-25: times, priority 20 + nice 0, one thread, start, vsize bytes, rss pages, rsslim */
	sb_printf(sb, "%lu %lu 0 0 20 0 1 0 %lu %lu %lu %lu ", t ? to_clk(t->thread->run_ticks) : 0,
		  t ? to_clk(t->stime) : 0, to_clk(p->start_time), pages * PGSIZE, pages, ~0UL);
	/* 26-44: code/stack addresses (hidden, as for another user), signals, cpu 0 */
	sb_printf(sb, "0 0 0 0 0 0 %lu %lu %lu 0 0 0 17 0 0 0 0 0 0\n", t ? t->sigmask : 0, ign, cgt);
	return 0;
}

static int show_pid_status(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ESRCH;
	struct task *t = live_task(p);
	const struct cred *c = &p->cred;
	char st = state_of(p);
	uint64_t ign, cgt, kb = proc_pages(p) * (PGSIZE / 1024);
	sig_sets(p, &ign, &cgt);
	sb_printf(sb, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		  "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		  "FDSize:\t%d\nGroups:\t",
		  p->comm, p->umask, st, state_name(st), p->pid, p->pid,
		  p->parent ? p->parent->pid : 0, c->uid, c->euid, c->suid, c->fsuid,
		  c->gid, c->egid, c->sgid, c->fsgid, NOFILE);
	for (int i = 0; i < c->ngroups; i++)
		sb_printf(sb, "%u ", c->groups[i]);
	sb_printf(sb, "\n");
	if (p->state == P_ALIVE)
		sb_printf(sb, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n",
			  kb, kb, kb, kb);
	sb_printf(sb, "Threads:\t1\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n"
		  "SigIgn:\t%016lx\nSigCgt:\t%016lx\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
		  0UL, 0UL, t ? t->sigmask : 0, ign, cgt);
	return 0;
}

static int show_pid_statm(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ESRCH;
	uint64_t pages = proc_pages(p);
	sb_printf(sb, "%lu %lu 0 0 0 0 0\n", pages, pages);
	return 0;
}

static int show_pid_cmdline(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ESRCH;
	if (p->state == P_ALIVE)	/* a zombie's is empty, as on Linux */
		sb_put(sb, p->cmdline, (size_t)p->cmdline_len);
	return 0;
}

static int show_pid_comm(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ESRCH;
	sb_printf(sb, "%s\n", p->comm);
	return 0;
}

/*
 * Links that reveal another process's files (cwd, exe, fd/N) and its fd
 * directory follow Linux's ptrace read rule: the caller's fsuid and fsgid
 * are all of the target's uids and gids, or the caller is root.
 */
static int may_inspect(struct proc *p)
{
	struct cred *c = cred_current();
	const struct cred *t = &p->cred;
	if (!c || cred_is_root())
		return 0;
	if (c->fsuid == t->uid && c->fsuid == t->euid && c->fsuid == t->suid &&
	    c->fsgid == t->gid && c->fsgid == t->egid && c->fsgid == t->sgid)
		return 0;
	return -EACCES;
}

static int show_pid_exe(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p || p->state != P_ALIVE || !p->exe[0])
		return -ENOENT;
	if (may_inspect(p))
		return -EACCES;
	sb_printf(sb, "%s", p->exe);
	return 0;
}

/* A directory's path; -ERANGE shows as overflow so the caller retries bigger. */
static int put_dir_path(struct sbuf *sb, struct inode *dir)
{
	int n = vfs_getcwd(dir, sb->buf + sb->len, sb->cap - sb->len);
	if (n == -ERANGE) {
		sb->len = sb->cap;
		return 0;
	}
	if (n < 0)
		return n;
	sb->len += (size_t)n;
	return 0;
}

static int show_pid_cwd(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	if (!p || p->state != P_ALIVE || !p->cwd)
		return -ENOENT;
	if (may_inspect(p))
		return -EACCES;
	return put_dir_path(sb, p->cwd);
}

struct find_ino {
	uint64_t ino;
	char name[NAME_MAX + 1];
};

static int match_ino(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype)
{
	struct find_ino *fi = ctx;
	(void)dtype;
	if (ino != fi->ino || len > NAME_MAX)
		return 0;
	memcpy(fi->name, name, len);
	fi->name[len] = 0;
	return 1;
}

/* A device node's name in /dev; 0 if found. */
static int dev_name(struct inode *ip, struct find_ino *fi)
{
	struct inode *dev;
	if (vfs_lookup(vfs_root(), "/dev", 1, &dev))
		return -ENOENT;
	uint64_t pos = 0;
	fi->ino = ip->ino;
	fi->name[0] = 0;
	vfs_readdir(dev, &pos, match_ino, fi);
	inode_put(dev);
	return fi->name[0] ? 0 : -ENOENT;
}

/* What an fd points at: a directory's path, a /dev name, or Linux-style anon names. */
static int show_fd(struct pnode *pn, struct sbuf *sb)
{
	struct proc *p = pn_proc(pn);
	struct file *f = p && p->state == P_ALIVE ? p->files[pn->fd] : NULL;
	if (!f)
		return -ENOENT;
	if (may_inspect(p))
		return -EACCES;
	if (!f->ip) {
		sb_printf(sb, "pipe:[%lu]", (uint64_t)(uintptr_t)f->priv >> 4 & 0xffffffff);
		return 0;
	}
	if (S_ISDIR(f->ip->mode))
		return put_dir_path(sb, f->ip);
	struct find_ino *fi = kmalloc(sizeof *fi);
	if (!fi)
		return -ENOMEM;
	if ((S_ISCHR(f->ip->mode) || S_ISBLK(f->ip->mode)) && !dev_name(f->ip, fi))
		sb_printf(sb, "/dev/%s", fi->name);
	else
		sb_printf(sb, "anon_inode:[%u]", f->ip->ino);	/* ramfs keeps no path for files */
	kfree(fi);
	return 0;
}

/* ---- the tables ---- */

#define M_REG (S_IFREG | 0444)
#define M_LNK (S_IFLNK | 0777)
#define M_DIR (S_IFDIR | 0555)

static const struct pent root_ents[] = {
	{ "cmdline", M_REG, show_cmdline_kernel },
	{ "cpuinfo", M_REG, show_cpuinfo },
	{ "duet", M_REG, show_duet },
	{ "filesystems", M_REG, show_filesystems },
	{ "loadavg", M_REG, show_loadavg },
	{ "meminfo", M_REG, show_meminfo },
	{ "mounts", M_REG, show_mounts },
	{ "self", M_LNK, show_self },
	{ "stat", M_REG, show_stat },
	{ "uptime", M_REG, show_uptime },
	{ "version", M_REG, show_version },
	{ "vmstat", M_REG, show_vmstat },
};

static const struct pent pid_ents[] = {
	{ "cmdline", M_REG, show_pid_cmdline },
	{ "comm", M_REG, show_pid_comm },
	{ "cwd", M_LNK, show_pid_cwd },
	{ "exe", M_LNK, show_pid_exe },
	{ "fd", S_IFDIR | 0500, NULL },	/* owner only, as on Linux */
	{ "mounts", M_REG, show_mounts },
	{ "stat", M_REG, show_pid_stat },
	{ "statm", M_REG, show_pid_statm },
	{ "status", M_REG, show_pid_status },
	{ "task", M_DIR, NULL },	/* one directory per thread, named by tid */
};

#define NROOT (int)(sizeof root_ents / sizeof root_ents[0])
#define NPIDENT (int)(sizeof pid_ents / sizeof pid_ents[0])
_Static_assert(NROOT + 2 < ROOT_PID_POS && NPIDENT < SLOT_FD, "slots and cookies stay apart");

/* ---- rendering ---- */

/* Contents at open time, in pages the open file owns. */
struct rendered {
	size_t len, pages;
	char text[];
};

static show_fn show_of(struct pnode *pn)
{
	return pn->kind == PK_FD ? show_fd : pn->ent->show;
}

/* Render pn, doubling the buffer until it fits. */
static int render(struct pnode *pn, struct rendered **out)
{
	for (size_t pages = 1; pages <= RENDER_MAX_PAGES; pages *= 2) {
		struct rendered *r = page_alloc_n(pages);
		if (!r)
			return -ENOMEM;
		struct sbuf sb = { r->text, pages * PGSIZE - sizeof *r, 0 };
		int err = show_of(pn)(pn, &sb);
		if (!err && sb_fits(&sb)) {
			r->len = sb.len;
			r->pages = pages;
			*out = r;
			return 0;
		}
		page_free_n(r, pages);
		if (err)
			return err;
	}
	return -EFBIG;
}

/* A symlink's target is rendered at lookup: the path walk reads ip->data directly. */
static int link_fill(struct pnode *pn)
{
	struct rendered *r;
	int err = render(pn, &r);
	if (err)
		return err;
	char *t = NULL;
	if (r->len >= KMALLOC_MAX)
		err = -ENAMETOOLONG;
	else if (!(t = kmalloc(r->len + 1)))
		err = -ENOMEM;
	if (t) {
		memcpy(t, r->text, r->len);
		pn->ip.data = (uint8_t *)t;
		pn->ip.size = r->len;
	}
	page_free_n(r, r->pages);
	return err;
}

/* ---- inodes ---- */

static const struct inode_ops dir_iops, file_iops, link_iops;

/*
 * A fresh referenced inode for one name; dirs hold a ref on their parent
 * for "..", links carry their target.  Freed by pnode_release.
 */
static int pnode_new(struct inode *parent, enum pkind kind, const struct pent *ent, int pid,
		     int fd, uint32_t mode, uint32_t slot, struct inode **out)
{
	struct pnode *pn = kzalloc(sizeof *pn);
	if (!pn)
		return -ENOMEM;
	struct inode *ip = &pn->ip;
	pn->kind = kind;
	pn->ent = ent;
	pn->pid = pid;
	pn->fd = fd;
	ip->ino = ino_of(pid, slot);
	ip->mode = mode;
	struct proc *p = pid ? proc_by_pid(pid) : NULL;
	if (p) {	/* /proc/<pid>/...: the process's effective ids, as on Linux */
		ip->uid = p->cred.euid;
		ip->gid = p->cred.egid;
	}
	ip->nlink = S_ISDIR(mode) ? 2 : 1;
	ip->refs = 1;
	ip->priv = pn;
	vfs_now(&ip->mtime.sec, &ip->mtime.nsec);
	ip->atime = ip->ctime = ip->mtime;
	ip->ops = S_ISDIR(mode) ? &dir_iops : S_ISLNK(mode) ? &link_iops : &file_iops;
	if (S_ISLNK(mode)) {
		int err = link_fill(pn);
		if (err) {
			kfree(pn);
			return err;
		}
	}
	if (S_ISDIR(mode)) {
		ip->parent = parent ? parent : ip;
		if (parent)
			inode_get(parent);
	}
	*out = ip;
	return 0;
}

static void pnode_release(struct inode *ip)
{
	if (ip == proc_root)
		return;		/* held by its mount forever */
	if (S_ISDIR(ip->mode) && ip->parent != ip)
		inode_put(ip->parent);
	if (S_ISLNK(ip->mode) && ip->data)
		kfree(ip->data);
	kfree(pnode_of(ip));
}

static int name_is(const struct pent *e, const char *name, size_t len)
{
	return strlen(e->name) == len && !memcmp(e->name, name, len);
}

/* A decimal number without sign or leading zeros; -1 if name is not one. */
static int parse_num(const char *name, size_t len)
{
	if (len == 0 || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n;
}

static int lookup_table(struct inode *dir, const struct pent *t, int n, int pid,
			const char *name, size_t len, struct inode **out)
{
	for (int i = 0; i < n; i++)
		if (name_is(&t[i], name, len))
			return pnode_new(dir, !S_ISDIR(t[i].mode) ? PK_ENT :
					 t[i].show == NULL && !strcmp(t[i].name, "task") ? PK_TASKS : PK_FDS,
					 &t[i], pid, 0, t[i].mode, (uint32_t)i + 1, out);
	return -ENOENT;
}

static int proc_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct pnode *pn = pnode_of(dir);
	int num = parse_num(name, len);
	if (pn->kind == PK_ROOT) {
		if (num > 0 && (proc_by_pid(num) || task_by_tid(num)))
			return pnode_new(dir, PK_PID, NULL, num, 0, M_DIR, 0, out);
		return lookup_table(dir, root_ents, NROOT, 0, name, len, out);
	}
	struct proc *p = pn_proc(pn);
	if (!p)
		return -ENOENT;		/* reaped since the directory was looked up */
	if (pn->kind == PK_PID)
		return lookup_table(dir, pid_ents, NPIDENT, pn->pid, name, len, out);
	if (pn->kind == PK_TASKS) {
		struct task *t = num > 0 ? task_by_tid(num) : NULL;
		if (!t || t->proc != p)
			return -ENOENT;
		return pnode_new(dir, PK_PID, NULL, num, 0, M_DIR, 0, out);
	}
	if (num < 0 || num >= NOFILE || p->state != P_ALIVE || !p->files[num])
		return -ENOENT;
	return pnode_new(dir, PK_FD, NULL, pn->pid, num, M_LNK, SLOT_FD + (uint32_t)num, out);
}

/* "." and ".." at cookies 0 and 1; non-zero if emit stopped. */
static int emit_dots(struct inode *dir, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	if (*pos == 0) {
		if (emit(ctx, ".", 1, dir->ino, DT_DIR))
			return 1;
		*pos = 1;
	}
	if (*pos == 1) {
		if (emit(ctx, "..", 2, dir->parent->ino, DT_DIR))
			return 1;
		*pos = 2;
	}
	return 0;
}

/* Table entries at cookies 2.. */
static int emit_table(const struct pent *t, int n, int pid, uint64_t *pos,
		      vfs_emit_fn emit, void *ctx)
{
	for (; *pos >= 2 && *pos < 2 + (uint64_t)n; ++*pos) {
		const struct pent *e = &t[*pos - 2];
		uint32_t ino = ino_of(pid, (uint32_t)(*pos - 1));	/* slot = index + 1 */
		if (emit(ctx, e->name, strlen(e->name), ino, (e->mode >> 12) & 15))
			return 1;
	}
	return 0;
}

/* The lowest pid >= from in the table, 0 if none: pids never repeat, so cookies stay valid. */
static int pid_at_or_after(int from)
{
	int best = 0, i = 0;
	for (struct proc *p; (p = proc_iter(&i)) != NULL; )
		if (p->pid >= from && (!best || p->pid < best))
			best = p->pid;
	return best;
}

static int readdir_root(uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	if (emit_table(root_ents, NROOT, 0, pos, emit, ctx))
		return 0;
	if (*pos < ROOT_PID_POS)
		*pos = ROOT_PID_POS;
	char name[12];
	int pid;
	while (*pos < POS_END && (pid = pid_at_or_after((int)(*pos - ROOT_PID_POS))) > 0) {
		int n = snprintf(name, sizeof name, "%d", pid);
		if (emit(ctx, name, (size_t)n, ino_of(pid, 0), DT_DIR))
			return 0;
		*pos = ROOT_PID_POS + (uint64_t)pid + 1;
	}
	*pos = POS_END;
	return 0;
}

static int readdir_fds(struct pnode *pn, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	struct proc *p = pn_proc(pn);
	for (; *pos >= 2 && *pos < 2 + NOFILE; ++*pos) {
		int fd = (int)*pos - 2;
		if (!p || p->state != P_ALIVE || !p->files[fd])
			continue;
		char name[4];
		int n = snprintf(name, sizeof name, "%d", fd);
		if (emit(ctx, name, (size_t)n, ino_of(pn->pid, SLOT_FD + (uint32_t)fd), DT_LNK))
			return 0;
	}
	*pos = POS_END;
	return 0;
}

/* /proc/<pid>/task: the live threads' tids, cookie 2 + tid (tids never repeat). */
static int readdir_tasks(struct pnode *pn, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	struct proc *p = pn_proc(pn);
	for (;;) {
		int best = 0;
		for (struct task *t = p && p->state == P_ALIVE ? p->threads : NULL; t; t = t->group_next)
			if ((uint64_t)t->tid + 2 >= *pos && (!best || t->tid < best))
				best = t->tid;
		if (!best)
			break;
		char name[12];
		int n = snprintf(name, sizeof name, "%d", best);
		if (emit(ctx, name, (size_t)n, ino_of(best, 0), DT_DIR))
			return 0;
		*pos = (uint64_t)best + 3;
	}
	*pos = POS_END;
	return 0;
}

static int proc_readdir(struct inode *dir, uint64_t *pos, vfs_emit_fn emit, void *ctx)
{
	struct pnode *pn = pnode_of(dir);
	if (pn->kind != PK_ROOT && !pn_proc(pn))
		return -ENOENT;		/* like a removed directory */
	if (emit_dots(dir, pos, emit, ctx))
		return 0;
	if (pn->kind == PK_ROOT)
		return readdir_root(pos, emit, ctx);
	if (pn->kind == PK_FDS)
		return readdir_fds(pn, pos, emit, ctx);
	if (pn->kind == PK_TASKS)
		return readdir_tasks(pn, pos, emit, ctx);
	if (!emit_table(pid_ents, NPIDENT, pn->pid, pos, emit, ctx))
		*pos = POS_END;
	return 0;
}

/* For getcwd inside /proc: a pid directory is named by its pid, the rest by their table entry. */
static int proc_name(struct inode *ip, char *buf)
{
	struct pnode *pn = pnode_of(ip);
	if (pn->kind == PK_PID)
		return snprintf(buf, NAME_MAX + 1, "%d", pn->pid);
	if (pn->kind == PK_FD)
		return snprintf(buf, NAME_MAX + 1, "%d", pn->fd);
	if (pn->ent)
		return snprintf(buf, NAME_MAX + 1, "%s", pn->ent->name);
	return -ENOENT;
}

/* ---- open files ---- */

static long pfile_read(struct file *f, uint64_t ubuf, size_t n)
{
	struct rendered *r = f->priv;
	if (f->off >= r->len)
		return 0;
	size_t c = r->len - f->off < n ? r->len - f->off : n;
	if (copy_to_user(curproc()->mm, ubuf, r->text + f->off, c))
		return -EFAULT;
	f->off += c;
	return (long)c;
}

static void pfile_release(struct file *f)
{
	struct rendered *r = f->priv;
	page_free_n(r, r->pages);
}

static int pfile_poll(struct file *f)
{
	(void)f;
	return 3;
}

static const struct file_ops pfile_ops = {
	.read = pfile_read, .release = pfile_release, .poll = pfile_poll,
};

static int pfile_open(struct inode *ip, int flags, struct file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;		/* every file here is read-only */
	struct rendered *r;
	int err = render(pnode_of(ip), &r);
	if (err)
		return err;
	struct file *f = file_alloc(&pfile_ops, ip, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC |
							     O_NOCTTY));
	if (!f) {
		page_free_n(r, r->pages);
		return -ENOMEM;
	}
	f->priv = r;
	inode_get(ip);
	*out = f;
	return 0;
}

static const struct inode_ops dir_iops = {
	.lookup = proc_lookup, .readdir = proc_readdir, .name = proc_name, .release = pnode_release,
};
static const struct inode_ops file_iops = {
	.name = proc_name, .open = pfile_open, .release = pnode_release,
};
static const struct inode_ops link_iops = {
	.name = proc_name, .release = pnode_release,
};

void procfs_init(void)
{
	struct inode *mp;
	if (vfs_lookup(vfs_root(), "/proc", 1, &mp)) {
		pr_warn("procfs: no /proc directory\n");
		return;
	}
	struct inode *up = vfs_parent_of(mp);
	int err = mp->ops ? -EBUSY : pnode_new(up, PK_ROOT, NULL, 0, 0, M_DIR, 0, &proc_root);
	inode_put(up);		/* pnode_new took its own ref for ".." */
	if (!err)
		mp->mounted = proc_root;	/* the mount holds proc_root's one ref */
	else
		pr_warn("procfs: not mounted (%d)\n", err);
	inode_put(mp);
}
