/* Subsystems above the hardware, and what each cpu does by role. */
#include "kernel/kmain.h"
#include "kernel/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/platform.h"
#include "kernel/memlayout.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/fs/vfs.h"
#include "kernel/cpio.h"
#include "kernel/fs/file.h"
#include "kernel/proc.h"
#include "kernel/fs/procfs.h"
#include "kernel/stats.h"
#include "sched/thread.h"
#include "rpc/offload.h"
#include "kernel/latency.h"
#include "drivers/console.h"
#include "drivers/plic.h"
#include "drivers/tty.h"
#include "drivers/rtc_goldfish.h"
#include "kernel/walltime.h"
#include "kernel/random.h"
#include "drivers/virtio.h"
#include "drivers/blkdev.h"
#include "drivers/mmc_spi.h"
#include "kernel/fs/bcache.h"
#include "kernel/fs/mount.h"

static void make_node(const char *dirpath, const char *name, uint32_t mode, uint32_t rdev)
{
	struct inode *dir, *ip;
	if (vfs_lookup(vfs_root(), dirpath, 1, &dir) != 0)
		return;
	if (S_ISDIR(mode))
		vfs_mkdir(dir, name, mode & 07777);
	else if (vfs_create(dir, name, mode, rdev, &ip) == 0)
		inode_put(ip);
	inode_put(dir);
}

/* /dev/rtc -> rtc0, as udev links it: busybox hwclock opens /dev/rtc first. */
static void make_rtc_link(void)
{
	struct inode *dev;
	if (vfs_lookup(vfs_root(), "/dev", 1, &dev) != 0)
		return;
	vfs_symlink(dev, "rtc", "rtc0");
	inode_put(dev);
}

static void rootfs_init(void)
{
	vfs_init();
	if (plat.initrd_end > plat.initrd_start) {
		int n = cpio_unpack(PA2VA(plat.initrd_start), plat.initrd_end - plat.initrd_start,
				    vfs_root());
		if (n < 0)
			pr_err("initramfs: unpack failed (%d)\n", n);
		else
			pr_info("initramfs: %d entries, %lu KiB\n", n,
				(plat.initrd_end - plat.initrd_start) / 1024);
	}
	make_node("/", "dev", S_IFDIR | 0755, 0);
	make_node("/", "tmp", S_IFDIR | 01777, 0);
	make_node("/", "proc", S_IFDIR | 0555, 0);
	procfs_init();		/* mounted on the /proc just made */
	make_node("/dev", "console", S_IFCHR | 0600, MKDEV(5, 1));
	make_node("/dev", "tty", S_IFCHR | 0666, MKDEV(5, 0));
	make_node("/dev", "null", S_IFCHR | 0666, MKDEV(1, 3));
	make_node("/dev", "zero", S_IFCHR | 0666, MKDEV(1, 5));
	make_node("/dev", "random", S_IFCHR | 0666, MKDEV(1, 8));
	make_node("/dev", "urandom", S_IFCHR | 0666, MKDEV(1, 9));
	/* POSIX shared memory and named semaphores (musl's shm_open, sem_open): in RAM, for all */
	make_node("/dev", "shm", S_IFDIR | 01777, 0);
	if (rtc_present()) {
		make_node("/dev", "rtc0", S_IFCHR | 0600, MKDEV(RTC_MAJOR, 0));
		make_rtc_link();
		make_node("/dev", "misc", S_IFDIR | 0755, 0);
		make_node("/dev/misc", "rtc", S_IFCHR | 0600, MKDEV(10, 135));
	}
}

void kernel_init(void)
{
	walltime_init();	/* CLOCK_REALTIME from the RTC */
	random_init();		/* the generator, from /chosen/rng-seed */
	for (int i = 0; i < ncpu; i++)
		exec_init(&cpus[i]);
	rootfs_init();
	tty_init();
	latency_init();
	offload_init();
	/* console input interrupts go to the cpu that runs syscalls */
	if (console_irq()) {
		plic_route(console_irq(), offload ? 1 : 0, tty_irq);
		console_rx_irq(1);
	}
	bcache_init();
	virtio_init();		/* disks, entropy: interrupts to the same cpu */
	mmc_spi_init();		/* SD cards on SPI (sifive_u, the Unmatched) */
	blkdev_scan_all();	/* partitions: vda1... */
	blkdev_make_nodes();	/* /dev/vda... */
	disk_mount_root();	/* root=/dev/vda: the disk becomes / */
}

static _Noreturn void client_main(void)
{
	if (cmdline.floor && ncpu >= 2) {
		/* make bench tags each run with the host's state (docs/BENCHMARKS.md) */
		while (!atomic_load(&cpus[1].online))
			;
		selftest_floor();
	}
	if (offload)
		offload_client_start();
	const char *init = cmdline.init[0] ? cmdline.init : "/etc/init";
	char *argv[INIT_ARGS_MAX + 1];
	argv[0] = (char *)init;
	for (int i = 0; i < cmdline.init_argc; i++)
		argv[i + 1] = cmdline.init_argv[i];
	int err = proc_start_init(init, cmdline.init_argc + 1, argv);
	if (err) {
		pr_err("init %s failed to start: %d\n", init, err);
		kprintf("init exited: status 127\n");
		system_halt(127);
	}
	exec_loop();
}

static volatile uint64_t crash_test_addr = 8;	/* unmapped: page 0 */

/* crash_test=N: prove that a kernel fault on cpu N-1 prints registers and a named backtrace. */
static __attribute__((noinline)) void crash_test_fault(volatile uint64_t *p)
{
	pr_err("crash_test: loading from %p on cpu %d\n", (void *)p, cpuid());
	(void)*p;
}

_Noreturn void role_main(struct cpu *c)
{
	if (cmdline.crash_test && c->id == cmdline.crash_test - 1)
		crash_test_fault((volatile uint64_t *)crash_test_addr);
	if (cmdline.selftest && c->id == 0) {
		/* let every cpu print its role line before the check */
		for (int i = 1; i < ncpu; i++)
			while (!atomic_load(&cpus[i].online))
				;
		system_halt(selftest_run());
	}
	if (c->id == 0)
		client_main();		/* the first client starts init */
	if (c->role == ROLE_CLIENT) {
		offload_client_start();	/* more clients (clients=N) take forked tasks */
		exec_loop();
	}
	if (c->role == ROLE_SERVER && !cmdline.selftest) {
		offload_server_start();
		exec_loop();
	}
	for (;;)
		wfi();		/* parked: IPIs still answered (self-check, halt) */
}
