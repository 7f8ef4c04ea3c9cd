/* The vDSO every process gets (kernel/vdso.c, docs/DYNAMIC.md). */
#pragma once
#include <stdint.h>
#include "kernel/uvm.h"

/* In the gap above the stack (the sendfile bounce page sits at USER_STACK_TOP). */
#define VDSO_BASE (USER_STACK_TOP + 0x100000UL)

/* Map the vDSO's pages (shared, read+execute) at VDSO_BASE. */
int vdso_map(struct mm *mm);
/* Where a handler without SA_RESTORER returns to. */
uint64_t vdso_sigreturn_va(void);
