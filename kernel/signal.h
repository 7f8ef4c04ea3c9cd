/*
 * Signals.  Sending runs on the syscall cpu (kill, the tty's ^C, SIGCHLD,
 * SIGPIPE) and only sets a pending bit and wakes whatever the task is
 * waiting in; delivery runs on the client, on the way back to user mode
 * (default action, or a handler frame built on the user stack).
 */
#pragma once
#include <stdint.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define NSIG 64
#define SIGRTMIN_K 32		/* the kernel's first real-time signal (musl reserves 32..34) */
#define SIGQUEUE_MAX 1024	/* queued instances per real-time signal and thread */

/* si_code of a fault's signal */
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define ILL_ILLOPC 1
#define SIG_DFL 0
#define SIG_IGN 1
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000

#define SI_USER 0
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_TKILL (-6)
#define SI_KERNEL 0x80
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPC 1

struct proc;
struct task;
struct sig_info;

/* Thread-directed (tkill, tgkill, a fault, a SIGEV_THREAD_ID timer); si NULL: SI_USER. */
int signal_send_thread(struct task *t, int sig, const struct sig_info *si);
/* Process-directed, with a siginfo: to a thread that does not block sig. */
int signal_send_info(struct proc *p, int sig, const struct sig_info *si);
/* Take the lowest pending signal of set off t; 0 if none. */
int signal_take(struct task *t, uint64_t set);
/* Linux's 128-byte siginfo_t for sig from what was recorded at send time. */
void signal_fill_info(uint8_t info[128], int sig, const struct sig_info *si);

/* Queue sig for p (0 = existence check only). Syscall cpu or its IRQs. */
int signal_send(struct proc *p, int sig);
/* For kill/tkill/tgkill: 0, or -EPERM if the caller may not signal p (kill(2)'s uid rule). */
int signal_may_send(struct proc *p, int sig);
int signal_send_checked(struct proc *p, int sig);
/* kill(2) targets: pid > 0, 0 (own group), -1 (all), < -1 (group). */
int signal_kill(int pid, int sig);
/* Client, on return to user: act on pending signals. */
void signal_deliver(struct task *t);
/*
 * A synchronous fault of the task running on this cpu: delivered to its
 * handler with si_code and si_addr, or fatal when the signal is blocked,
 * ignored or left at its default (as Linux's force_sig_fault).
 */
struct task;
void signal_fault(struct task *t, int sig, int code, uint64_t addr);
