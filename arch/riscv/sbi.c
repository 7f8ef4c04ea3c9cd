/*
 * Supervisor Binary Interface calls (SBI spec v1.0).  OpenSBI 1.1 offers the
 * TIME, IPI, HSM and SRST extensions; sbi_init() probes them once so a
 * missing one is reported instead of failing later in an odd way.
 */
#include "arch/riscv/sbi.h"
#include "kernel/printk.h"

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ r_a0, r_a1 };
}

static int have_time, have_ipi, have_srst;

long sbi_probe(long ext)
{
	return sbi_call(SBI_EXT_BASE, 3, ext, 0, 0).value;
}

unsigned long sbi_spec_version(void)
{
	return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0).value;
}

void sbi_init(void)
{
	unsigned long v = sbi_spec_version();
	have_time = sbi_probe(SBI_EXT_TIME) > 0;
	have_ipi = sbi_probe(SBI_EXT_IPI) > 0;
	have_srst = sbi_probe(SBI_EXT_SRST) > 0;
	pr_info("sbi: spec %lu.%lu impl %ld, time %d ipi %d hsm %d srst %d\n",
		(v >> 24) & 0x7f, v & 0xffffff, sbi_call(SBI_EXT_BASE, 1, 0, 0, 0).value,
		have_time, have_ipi, sbi_probe(SBI_EXT_HSM) > 0, have_srst);
}

void sbi_set_timer(uint64_t stime)
{
	if (have_time)
		sbi_call(SBI_EXT_TIME, 0, (long)stime, 0, 0);
	else
		sbi_call(0x00, 0, (long)stime, 0, 0);	/* legacy set_timer */
}

int sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base)
{
	if (!have_ipi) {
		/* legacy send_ipi takes a pointer to the mask */
		uint64_t mask = hart_mask << hart_mask_base;
		return (int)sbi_call(0x04, 0, (long)&mask, 0, 0).error;
	}
	return (int)sbi_call(SBI_EXT_IPI, 0, (long)hart_mask, (long)hart_mask_base, 0).error;
}

int sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque)
{
	return (int)sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start_pa, (long)opaque).error;
}

long sbi_hart_status(uint64_t hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, (long)hartid, 0, 0);
	return r.error ? r.error : r.value;
}

void sbi_system_reset(uint32_t type, uint32_t reason)
{
	if (have_srst) {
		/*
		 * Returns only if refused (no device for this type, e.g. QEMU
		 * sifive_u); the legacy call would then hang every hart in M-mode.
		 */
		sbi_call(SBI_EXT_SRST, 0, type, reason, 0);
		return;
	}
	sbi_call(0x08, 0, 0, 0, 0);	/* legacy shutdown */
}

void sbi_console_putchar(int c)
{
	sbi_call(0x01, 0, c, 0, 0);
}
