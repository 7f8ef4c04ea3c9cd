#!/bin/sh
# Issue 11: the vDSO, glibc programs (static and dynamic), musl dynamic
# programs and dlopen, file mappings and fault signals, in both offload
# modes and with clients=2; the programs run inside one boot per mode
# (tests/dyn/dynamic.sh as init), their lines prefixed.  Then the busybox
# suite with a dynamically linked busybox.
. tests/lib.sh
trap '' PIPE
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=dynamic-off$off
	qemu_virt $n 180 2 "init=/tests/dynamic.sh offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"
done

# two client cpus (clients=2 on 3 harts): forked children land on either
n=dynamic-clients2
qemu_virt $n 180 3 "init=/tests/dynamic.sh clients=2 loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'

# the busybox suite with a dynamically linked busybox (PT_INTERP musl) as
# /bin/busybox and every applet: BUILD/initramfs-dyn.cpio (make rootfs-dyn)
make --no-print-directory rootfs-dyn >"$LOGDIR/rootfs-dyn.txt" 2>&1 ||
	fail rootfs-dyn "make rootfs-dyn failed: $(tail -3 "$LOGDIR/rootfs-dyn.txt" | tr '\n' '|')"
for off in 1 0; do
	n=bbsuite-dyn-off$off
	qemu_virt $n 300 2 "init=/tests/suite.sh offload=$off loglevel=warn" -initrd $BUILD/initramfs-dyn.cpio
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
done
if riscv64-linux-gnu-readelf -l $BUILD/rootfs-dyn/bin/busybox 2>/dev/null |
	grep -q 'interpreter: /lib/ld-musl-riscv64.so.1'; then
	pass bbsuite-dyn-busybox-is-dynamic
else
	fail bbsuite-dyn-busybox-is-dynamic "expected PT_INTERP /lib/ld-musl-riscv64.so.1 in $BUILD/rootfs-dyn/bin/busybox"
fi
