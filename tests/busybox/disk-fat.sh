#!/bin/sh
# Init for tests/qemu/fat.sh: a FAT32 image on /dev/vda made on the host
# (mkfs.vfat -F 32 + mcopy -s), a corrupted one on /dev/vdb (bad mode).
#   write: mount, print every file's md5 (the host compares), write new
#          files, a tree, renames and deletes, print the final sums
#   read:  (next boot) mount again and print the sums
#   bad:   read a file whose FAT entry points past the end; mount a bad BPB
ok() { echo "PASS $1"; }
no() { echo "FAIL $1: $2"; }
t() {	# t NAME COMMAND...: PASS if the command succeeds
	n=$1; shift
	if "$@" >/tmp/out 2>&1; then ok $n; else no $n "'$*' failed: $(head -c 200 /tmp/out)"; fi
}
sums() {	# "sum <md5> <path>" for every file under /mnt, sorted by path
	(cd /mnt && find . -type f | sort | while read -r f; do
		echo "sum $(md5sum "$f" | cut -d' ' -f1) $f"; done)
	echo "sums done"
}
mkdir -p /mnt
case "$1" in
write)
	t mount mount -t vfat /dev/vda /mnt
	t proc-mounts grep -q '^/dev/vda /mnt vfat ' /proc/mounts
	df /mnt | awk 'NR == 2 { print "df", $1, ($2 > 0 && $4 > 0) ? "sizes-ok" : "sizes-bad" }'
	sums
	t chmod-eperm sh -c '! chmod 600 /mnt/lower.txt 2>/dev/null'
	t chown-eperm sh -c '! chown 5:5 /mnt/lower.txt 2>/dev/null'
	t stat-mode sh -c '[ "$(stat -c %a:%u:%g /mnt/lower.txt)" = 644:0:0 ] && [ "$(stat -c %a /mnt/Sub\ Dir)" = 755 ]'
	for s in 0 1 511 512 4096 4097 102400 3145728; do
		head -c $s /dev/urandom >"/mnt/New File of $s bytes.dat"
	done
	t mkdir-tree mkdir -p "/mnt/New Tree/Level Two/level three"
	echo deep >"/mnt/New Tree/Level Two/level three/Deep Note.txt"
	i=0
	while [ $i -lt 60 ]; do echo $i >"/mnt/New Tree/entry number $i.txt"; i=$((i + 1)); done
	t rm-some rm "/mnt/New Tree/entry number 1"?.txt
	t rename-file mv "/mnt/New File of 4097 bytes.dat" "/mnt/New Tree/Renamed Across Dirs.bin"
	t rename-same-dir mv /mnt/lower.txt "/mnt/Now A Much Longer Name.txt"
	t rename-dir mv "/mnt/New Tree/Level Two" "/mnt/Moved Level Two"
	t dotdot sh -c 'cd "/mnt/Moved Level Two/level three" && [ -f ../../"New Tree/Renamed Across Dirs.bin" ]'
	t rename-replace sh -c 'echo a >/mnt/ra && echo bb >/mnt/rb && mv /mnt/ra /mnt/rb && [ "$(cat /mnt/rb)" = a ]'
	t unlink rm "/mnt/New File of 511 bytes.dat"
	t rmdir-nonempty sh -c '! rmdir "/mnt/Moved Level Two" 2>/dev/null'
	t rmdir sh -c 'mkdir /mnt/gone && rmdir /mnt/gone && [ ! -e /mnt/gone ]'
	t truncate sh -c 'head -c 10000 /dev/urandom >/mnt/trunc.bin && truncate -s 3000 /mnt/trunc.bin && [ $(stat -c %s /mnt/trunc.bin) = 3000 ]'
	t append sh -c 'echo one >/mnt/app.txt && echo two >>/mnt/app.txt && [ "$(cat /mnt/app.txt)" = "one
two" ]'
	t case-insensitive sh -c '[ "$(cat "/mnt/new tree/level two" 2>/dev/null; cat "/mnt/MOVED LEVEL TWO/LEVEL THREE/deep note.txt")" = deep ]'
	t no-link sh -c '! ln /mnt/app.txt /mnt/app2 2>/dev/null'
	sums
	# no umount: the power-off sync (init exits) must write everything back
	;;
read)
	t mount mount -t fat32 -o uid=1000,gid=100,umask=027 /dev/vda /mnt
	t mount-options sh -c '[ "$(stat -c %a:%u:%g /mnt/app.txt)" = 750:1000:100 ] && [ "$(stat -c %a:%u "/mnt/New Tree")" = 750:1000 ]'
	sums
	t umount umount /mnt
	;;
bad)
	t mount-bad-fat mount -t vfat /dev/vda /mnt
	t read-good sh -c '[ "$(cat /mnt/good.txt)" = good ]'
	t read-range-fails sh -c '! cat /mnt/range.bin >/dev/null 2>/tmp/err'
	cat /tmp/err
	t still-alive sh -c '[ "$(cat /mnt/good.txt)" = good ]'
	t umount umount /mnt
	t mount-bad-bpb-fails sh -c '! mount -t vfat /dev/vdb /mnt 2>/dev/null'
	t fat16-mount mount -t msdos /dev/vdc /mnt
	t fat16-read sh -c '[ "$(cat "/mnt/Host Made Fat16.txt")" = "from the host" ]'
	t fat16-write sh -c 'mkdir "/mnt/Dir On Fat16" && echo "from duet" >"/mnt/Dir On Fat16/Written By Duet.txt" && head -c 300000 /dev/urandom >/mnt/big16.bin'
	echo "fat16-sum $(md5sum /mnt/big16.bin | cut -d' ' -f1)"
	t fat16-umount umount /mnt
	echo "bad disks done"
	;;
esac
