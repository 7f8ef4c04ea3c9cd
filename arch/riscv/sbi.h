/* SBI calls duet uses: base probe, timer, IPI, HSM, SRST, legacy putchar. */
#pragma once
#include <stdint.h>

struct sbiret { long error; long value; };

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_HSM    0x48534D
#define SBI_EXT_SRST   0x53525354

#define SBI_SRST_SHUTDOWN      0
#define SBI_SRST_REASON_NONE   0
#define SBI_SRST_REASON_FAIL   1

#define SBI_HSM_STARTED  0
#define SBI_HSM_STOPPED  1

void sbi_init(void);
long sbi_probe(long ext);
void sbi_set_timer(uint64_t stime);
int  sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base);
int  sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque);
long sbi_hart_status(uint64_t hartid);
void sbi_system_reset(uint32_t type, uint32_t reason);
void sbi_console_putchar(int c);
unsigned long sbi_spec_version(void);
