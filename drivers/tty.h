#pragma once
void tty_init(void);
void tty_irq(unsigned irq);
/* Weak hooks the signal code overrides: ^C/^Z, and "a signal interrupts this wait". */
void tty_signal(int sig);
int signal_pending_now(void);
int tty_foreground_pgrp(void);
void tty_set_foreground(int pgrp);
void pipe_sigpipe(void);
long sigreturn_frame(void);
