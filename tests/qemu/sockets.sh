#!/bin/sh
# Sockets (docs/SOCKETS.md): user/socktest (AF_UNIX stream, dgram and
# seqpacket, path and abstract names, SO_PEERCRED, SCM_RIGHTS, EPIPE and
# SIGPIPE; UDP and TCP over loopback, nonblocking connect and poll, the
# errors) in offload=1, offload=0 and clients=2, then busybox's nc, syslogd,
# logger, httpd and wget on top of them.
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=sockets-off$off
	qemu_virt $n 120 2 "init=/bin/socktest offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
done

# clients=2 (SMP=3): the two ends of a connection run on different client harts
n=sockets-clients2
qemu_virt $n 120 3 "init=/bin/socktest clients=2 loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'

# busybox: nc over TCP loopback, logger -> syslogd over the AF_UNIX datagram socket /dev/log
n=sockets-busybox
qemu_virt $n 120 2 "init=/tests/sockets.sh loglevel=warn" -initrd $INITRD
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
check_no_log $n "$n-no-panic" 'panic|kernel exception'
