#!/bin/sh
# run-linux.sh [PROGRAM ARGS...]: boot the Linux baseline (make linux,
# build/linux/Image) in QEMU virt with duet's `make run` machine flags
# (-smp 2 -m 512M, OpenSBI -bios default, virtio-rng) on duet's own initramfs,
# unchanged, plus one appended cpio member: /linux-init (rootfs/linux-init),
# which mounts /proc /sys /dev, runs PROGRAM (a shell if none) and powers off.
#   sh scripts/run-linux.sh                      an interactive busybox shell
#   sh scripts/run-linux.sh /bin/bench getppid 20000
# Environment:
#   BUILD (build)  INITRD (BUILD/initramfs.cpio)  SMP (2)  MEM (512M)
#   DISK=<image>   attached as virtio-blk, /dev/vda (cache=unsafe, as bench-disk.sh)
#   RNG=0          no virtio-rng-device (scripts/bench.sh boots duet without one)
#   TIMEOUT=<s>    kill QEMU after that many seconds (default: none)
#   LINUX_ARGS     more kernel command line
#   QEMU_EXTRA     more QEMU arguments (word-split)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
IMAGE=${LINUX_IMAGE:-$BUILD/linux/Image}
INITRD=${INITRD:-$BUILD/initramfs.cpio}
SMP=${SMP:-2}
MEM=${MEM:-512M}
RNG=${RNG:-1}
[ -f "$IMAGE" ] || { echo "run-linux: $IMAGE missing: make linux" >&2; exit 1; }
[ -f "$INITRD" ] || { echo "run-linux: $INITRD missing: make rootfs-full" >&2; exit 1; }

# duet's archive + a second newc archive holding /linux-init: Linux unpacks
# concatenated archives in order, so duet's bytes are used as they are.
ovl=$BUILD/linux/overlay
mkdir -p "$ovl"
cp "$here/../rootfs/linux-init" "$ovl/linux-init"
chmod 755 "$ovl/linux-init"
# named after INITRD's path: runs on different initramfs may overlap
initrd=$BUILD/linux/initramfs-$(echo "$INITRD" | tr -c 'A-Za-z0-9.\n-' _)
(cd "$ovl" && echo linux-init | cpio -o -H newc -R 0:0 --quiet) >"$initrd.ovl"
cat "$INITRD" "$initrd.ovl" >"$initrd"
rm -f "$initrd.ovl"

# rdinit=: Linux looks for the initramfs program there (init= is for a disk
# root); panic=-1 with -no-reboot: a panic ends QEMU instead of hanging it
set -- rdinit=/linux-init console=ttyS0 loglevel=4 panic=-1 ${LINUX_ARGS:-} ${1+-- "$@"}
disk=""
[ -z "${DISK:-}" ] || disk="-drive file=$DISK,format=raw,if=none,id=d0,cache=unsafe -device virtio-blk-device,drive=d0"
rng=""
[ "$RNG" = 0 ] || rng="-device virtio-rng-device"
to=""
[ -z "${TIMEOUT:-}" ] || to="timeout --foreground -k 5 $TIMEOUT"
# shellcheck disable=SC2086
exec $to qemu-system-riscv64 -no-reboot -M virt -smp "$SMP" -m "$MEM" $rng -nographic -bios default \
	-kernel "$IMAGE" -initrd "$initrd" $disk ${QEMU_EXTRA:-} -append "$*"
