#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/uvm.h"
#include "rpc/adapt.h"
#include "rpc/fallback.h"
#include "kernel/fs/pagecache.h"
#include <string.h>
#include <stdlib.h>

struct cmdline cmdline __read_mostly = { .offload = 1, .loglevel = LOG_INFO, .poll_us = 50, .clients = 1 };

static void set_option(char *word)
{
	char *eq = strchr(word, '=');
	const char *val = eq ? eq + 1 : "1";
	if (eq)
		*eq = '\0';
	if (strcmp(word, "offload") == 0)
		cmdline.offload = atoi(val) != 0;
	else if (strcmp(word, "selftest") == 0)
		cmdline.selftest = atoi(val) != 0;
	else if (strcmp(word, "floor") == 0)
		cmdline.floor = atoi(val) != 0;
	else if (strcmp(word, "poll_us") == 0)
		cmdline.poll_us = (unsigned)atoi(val);
	else if (strcmp(word, "clients") == 0)
		cmdline.clients = atoi(val) > 0 ? atoi(val) : 1;
	else if (strcmp(word, "uaccess") == 0)
		uaccess_mode = strcmp(val, "satp") == 0 ? UACCESS_SATP : UACCESS_WALK;
	else if (strcmp(word, "fallback") == 0)
		fallback_on = atoi(val) != 0;	/* rpc/fallback.h: fallback=0, never run a call in place */
	else if (strcmp(word, "adapt") == 0)
		adapt_on = atoi(val) != 0;	/* rpc/adapt.h: adapt=0, fixed spin windows */
	else if (strcmp(word, "execcache") == 0)
		exec_cache = atoi(val) != 0;
	else if (strcmp(word, "latency") == 0)
		cmdline.latency = atoi(val) != 0;
	else if (strcmp(word, "sstc") == 0)
		cmdline.no_sstc = atoi(val) == 0;
	else if (strcmp(word, "crash_test") == 0)
		cmdline.crash_test = atoi(val);	/* N: fault on logical cpu N-1 */
	else if (strcmp(word, "selftest_fail") == 0)
		cmdline.selftest_fail = atoi(val) != 0;
	else if (strcmp(word, "loglevel") == 0) {
		int l = log_level_parse(val);
		if (l >= 0)
			cmdline.loglevel = l;
	} else if (strcmp(word, "init") == 0) {
		strncpy(cmdline.init, val, sizeof cmdline.init - 1);
	}
	/* unknown words are ignored, as Linux passes them on */
}

void cmdline_parse(const char *bootargs)
{
	strncpy(cmdline.buf, bootargs, sizeof cmdline.buf - 1);
	char *p = cmdline.buf;
	int after_dashes = 0;
	while (*p) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		char *word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		if (after_dashes) {
			if (cmdline.init_argc < INIT_ARGS_MAX - 1)
				cmdline.init_argv[cmdline.init_argc++] = word;
		} else if (strcmp(word, "--") == 0) {
			after_dashes = 1;
		} else {
			set_option(word);
		}
	}
	log_level = cmdline.loglevel;
}
