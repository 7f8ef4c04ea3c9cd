/*
 * The vDSO image (arch/riscv/vdso/, built by mk/vdso.mk) is embedded in the
 * kernel's rodata.  On first use it is copied once into user pages that
 * every process then maps read+execute at VDSO_BASE, sharing the same
 * physical pages (a reference each, like fork's shared pages).
 */
#include "kernel/vdso.h"
#include "kernel/spinlock.h"
#include "kernel/param.h"
#include "kernel/page_alloc.h"
#include "kernel/errno.h"
#include "vdso_syms.h"
#include <string.h>

__asm__(".pushsection .rodata\n"
	".balign 16\n"
	"vdso_image: .incbin \"" VDSO_SO_PATH "\"\n"
	"vdso_image_end:\n"
	".popsection\n");
extern const char vdso_image[], vdso_image_end[];

#define VDSO_MAX_PAGES 4
static void *vdso_pages[VDSO_MAX_PAGES];
static int vdso_npages;		/* made so far */
static int vdso_ready;
static struct spinlock vdso_lock = SPINLOCK_INIT("vdso");

/* Under vdso_lock: the shared copy, made once; it is never freed. */
static int vdso_pages_make(void)
{
	size_t size = (size_t)(vdso_image_end - vdso_image);
	int n = (int)((size + PGSIZE - 1) / PGSIZE);
	if (n > VDSO_MAX_PAGES)
		return -ENOEXEC;
	for (int i = vdso_npages; i < n; i++) {
		void *pg = upage_alloc();
		if (!pg)
			return -ENOMEM;	/* the pages made so far are kept for the next try */
		size_t off = (size_t)i * PGSIZE, c = size - off < PGSIZE ? size - off : PGSIZE;
		memcpy(pg, vdso_image + off, c);
		vdso_pages[i] = pg;
		vdso_npages = i + 1;
	}
	vdso_ready = 1;
	return 0;
}

int vdso_map(struct mm *mm)
{
	spin_lock(&vdso_lock);
	int err = vdso_ready ? 0 : vdso_pages_make();
	spin_unlock(&vdso_lock);
	for (int i = 0; i < vdso_npages && !err; i++)
		err = uvm_map_page(mm, VDSO_BASE + (uint64_t)i * PGSIZE, vdso_pages[i], PTE_R | PTE_X);
	return err;
}

uint64_t vdso_sigreturn_va(void)
{
	return VDSO_BASE + VDSO_OFF_rt_sigreturn;
}
