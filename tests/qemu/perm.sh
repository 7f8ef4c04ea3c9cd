#!/bin/sh
# Issue 13: users and permissions, in both offload modes.
#   permtest as root and as uid 1000 (user/permtest.c): the access rules
#   attack as uid 1000 (user/attack.c): every isolation attempt must fail
#   users.sh (tests/busybox/users.sh): busybox su, passwd, id and a
#   user's shell-level file checks
. tests/lib.sh
INITRD=$BUILD/initramfs.cpio

for off in 1 0; do
	n=permtest-root-off$off
	qemu_virt $n 120 2 "init=/bin/permtest offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-as-root" '^permtest as root: uid 0 euid 0$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'

	n=permtest-user-off$off
	qemu_virt $n 120 2 "init=/bin/permtest offload=$off loglevel=warn -- user" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-as-user" '^permtest as user: uid 1000 euid 1000$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'

	n=attack-off$off
	qemu_virt $n 120 2 "init=/bin/attack offload=$off loglevel=warn" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-as-user" '^attack: running as uid 1000 euid 1000'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	check_no_log $n "$n-no-panic" 'panic|kernel exception'
	# every attempt's own line, prefixed so the totals count them
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"

	n=users-off$off
	qemu_virt $n 240 2 "init=/tests/users.sh offload=$off loglevel=error" -initrd $INITRD
	check_status $n 0
	check_log $n "$n-su-user-id" '^PASS su-user-id$'
	check_log $n "$n-su-back-needs-password" '^PASS su-back-no-password$'
	check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
	tr -d '\r' <"$LOGDIR/$n.log" | grep -E '^(PASS|FAIL) ' | sed "s/^\(PASS\|FAIL\) /\1 $n:/"
done
