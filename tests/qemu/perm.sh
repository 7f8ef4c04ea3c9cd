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

# login and su at the console, as a person would type them: root logs in
# as user, su back to root needs root's password
for off in 1 0; do
	n=login-off$off
	log=$LOGDIR/$n.log
	fifo=$LOGDIR/$n.in
	rm -f "$fifo"; mkfifo "$fifo"
	timeout -k 5 120 qemu-system-riscv64 -M virt -smp 2 -m 512M -nographic -bios default \
		-kernel "$KERNEL" -initrd $INITRD -append "offload=$off loglevel=error" \
		<"$fifo" >"$log" 2>&1 &
	qpid=$!
	exec 9>"$fifo"
	wait_for() {
		i=0
		while ! tr -d '\r' <"$log" | grep -Eq -- "$1" && [ $i -lt $((${2:-30} * 10)) ]; do
			sleep 0.1; i=$((i + 1))
		done
	}
	# wait_count REGEX N: until N lines of the log match
	wait_count() {
		i=0
		while [ "$(tr -d '\r' <"$log" | grep -Ec -- "$1")" -lt "$2" ] && [ $i -lt 300 ]; do
			sleep 0.1; i=$((i + 1))
		done
	}
	say() { printf "%s\r" "$1" >&9 2>/dev/null || true; }
	wait_for 'duet:~# ' 60
	say 'login user'
	wait_count 'Password: ' 1
	say 'user'
	wait_count 'duet:~\$ ' 1
	say 'id; echo login-done'
	wait_for '^login-done$'
	say 'su -c "echo now \$(id -u)"'
	wait_count 'Password: ' 2
	say 'wrong'
	wait_for 'incorrect password' 15
	say 'su -c "echo now \$(id -u)"'
	wait_count 'Password: ' 3
	say 'root'
	wait_for '^now 0$'
	say 'exit'
	wait_count 'duet:~# ' 2
	say 'exit 0'
	exec 9>&-
	wait $qpid
	QEMU_STATUS=$?
	rm -f "$fifo"
	check_log $n "$n-user-prompt" 'duet:~\$ '
	check_no_log $n "$n-profile-clean" 'syntax error'
	check_log $n "$n-user-id" '^uid=1000\(user\) gid=1000\(user\)'
	check_log $n "$n-su-wrong-password" 'su: incorrect password'
	check_no_log $n "$n-su-no-root-without-password" '^now 1000$'
	check_log $n "$n-su-root-password" '^now 0$'
	check_status $n 0
done

# the same rules on a disk filesystem: the rootfs as an ext2 root (owners
# kept as make disk keeps them), permtest as uid 1000 and the busybox
# checks; the new files' owners reach the disk and e2fsck finds it clean
img=$BUILD/test-logs/perm-root.img
rm -f $img
fr=; [ ! -f $BUILD/rootfs.fakeroot ] || fr="fakeroot -i $BUILD/rootfs.fakeroot --"
$fr mke2fs -q -F -t ext2 -d $BUILD/rootfs $img 64M >/dev/null 2>&1
disk="-drive file=$img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0"
n=permtest-user-ext2
qemu_virt $n 180 2 "root=/dev/vda rootfstype=ext2 offload=1 loglevel=warn init=/bin/permtest -- user" $disk
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
n=users-ext2
qemu_virt $n 240 2 "root=/dev/vda rootfstype=ext2 offload=0 loglevel=error init=/tests/users.sh" $disk
check_status $n 0
check_log $n "$n-summary" '^[0-9]+ passed, 0 failed$'
n=perm-ext2-owners
got=$(debugfs -R "stat /tmp/pt/sgid/d" $img 2>/dev/null | grep -Eo 'Mode: +[0-7]+|User: +[0-9]+|Group: +[0-9]+' | tr -s ' ' | tr '\n' ' ')
if [ "$got" = "Mode: 02755 User: 1000 Group: 50 " ]; then pass $n; else
	fail $n "expected [Mode: 02755 User: 1000 Group: 50 ] for /tmp/pt/sgid/d on the disk, got [$got]"; fi
if e2fsck -fn $img >"$LOGDIR/perm-ext2.fsck" 2>&1; then pass perm-ext2-e2fsck-clean; else
	fail perm-ext2-e2fsck-clean "e2fsck -fn: $(grep -v '^Pass\|^e2fsck' "$LOGDIR/perm-ext2.fsck" | head -3 | tr '\n' '|')"; fi
rm -f $img
