#!/bin/sh
# Issue 12: virtio-mmio (legacy version 1 and modern version 2), virtio-rng,
# virtio-blk, the block cache, in both offload modes.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

# virtio-rng: bytes arrive by interrupt on the cpu that runs system calls
for off in 1 0; do
	for ver in 1 2; do
		legacy=$([ $ver = 1 ] && echo true || echo false)
		n=virtio-rng-v$ver-off$off
		qemu_virt $n 60 2 "init=/bin/sh offload=$off -- -c true" -initrd $INITRD \
			-global virtio-mmio.force-legacy=$legacy -device virtio-rng-device
		check_status $n 0
		check_log $n "$n-probe" "virtio0: mmio 0x10008000 irq 8 version $ver device 4 \(virtio-rng\)"
		cpu=$([ $off = 1 ] && echo 1 || echo 0)
		check_log $n "$n-entropy" "cpu$cpu\] virtio-rng: 64 bytes of entropy from virtio0"
	done
done
