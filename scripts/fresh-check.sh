#!/bin/sh
# fresh-check.sh: the README's two commands on a minimal Debian 12, as a new
# user would run them.
#
# A fresh machine is what CI here is not: it keeps every package earlier work
# installed, so a missing install step in scripts/deps.sh passes CI and fails
# for the next user (issue 9).  This script builds a minimal Debian 12 root
# (mmdebstrap minbase, from this machine's own apt sources; the base tarball
# is cached under build/fresh/ and a fresh copy is unpacked for each run),
# clones the repository's committed HEAD (or FRESH_REF) into it and, inside a
# chroot, runs
#   1. `make test`, which must end "N passed, 0 failed";
#   2. `make run`, driven through its console: wait for the shell prompt,
#      run a command, check its output, `poweroff`, check QEMU's exit status.
# The base holds what a user needs to get the sources and type the commands
# (git, make) and nothing else: every other package must come from deps.sh.
#
# Needs root (or sudo): chroot and mounts.  Environment:
#   FRESH_REF=<rev>     what to check out (default HEAD; uncommitted changes
#                       are never seen: a clean clone is the point)
#   FRESH_DIR=<dir>     work directory (default build/fresh)
#   FRESH_KEEP=1        keep the unpacked root afterwards
#   FRESH_SKIP_TEST=1   only the `make run` half (for quick iteration)
# Logs: $FRESH_DIR/make-test.log, $FRESH_DIR/make-run.log, and the test
# logs of a failed `make test` in $FRESH_DIR/test-logs/.
# Exit status 0 when both halves pass.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
ref=${FRESH_REF:-HEAD}
work=${FRESH_DIR:-$top/build/fresh}
suite=bookworm
base=$work/base-$suite.tar
root=$work/root
src=/root/duet                      # where the clone lives inside the root

if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E FRESH_REF="$ref" FRESH_DIR="$work" sh "$0" "$@"
fi

say() { echo "fresh-check: $*"; }
die() { echo "fresh-check: FAIL: $*" >&2; exit 1; }

mkdir -p "$work"
work=$(cd "$work" && pwd)
root=$work/root
commit=$(git -C "$top" rev-parse --verify "$ref^{commit}") || die "no commit $ref"

# ---- the tool that makes the root (a test tool, so installed here) ----
if ! command -v mmdebstrap >/dev/null 2>&1; then
	say "installing mmdebstrap"
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
fi

# ---- the base: minbase + git + make, cached as a tarball ----
# The machine's own sources (deb822 or one-line form) are what apt uses in the
# root; its apt.conf.d lines about fetching (proxies, validity) go along.
host_sources() {
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list; do
		[ -s "$f" ] && grep -q '^[^#]*deb' "$f" && { echo "$f"; return; }
	done
	echo "http://deb.debian.org/debian"
}
if [ ! -s "$base" ]; then
	say "making the $suite base (cached in $base)"
	mmdebstrap --variant=minbase --include=git,make,ca-certificates \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		"$suite" "$work/partial.tar" "$(host_sources)" >"$work/mmdebstrap.log" 2>&1 ||
		{ tail -20 "$work/mmdebstrap.log"; die "mmdebstrap failed (log: $work/mmdebstrap.log)"; }
	mv "$work/partial.tar" "$base"
fi

# ---- a fresh copy of the root for this run ----
unmount_all() {
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
	done
}
cleanup() {
	unmount_all
	[ "${FRESH_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap cleanup EXIT INT TERM
unmount_all
rm -rf "$root"
mkdir -p "$root"
tar -xf "$base" -C "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
for f in /etc/apt/apt.conf.d/*; do
	grep -qi 'proxy\|Check-Valid-Until\|Check-Date' "$f" 2>/dev/null &&
		cp "$f" "$root/etc/apt/apt.conf.d/" || true
done

say "cloning $commit"
git clone -q --no-local "$top" "$root$src"
git -C "$root$src" checkout -q "$commit"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
	PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /bin/sh -c "cd $src && $1"; }

# ---- 1. make test ----
status=0
if [ "${FRESH_SKIP_TEST:-0}" != 1 ]; then
	say "make test (log: $work/make-test.log)"
	in_root 'timeout -k 10 3600 make test' </dev/null >"$work/make-test.log" 2>&1 ||
		status=1
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/make-test.log" | tail -1)
	case "$summary" in
	*" passed, 0 failed") [ $status = 0 ] && say "make test: $summary" ;;
	*) status=1 ;;
	esac
	if [ $status != 0 ]; then
		rm -rf "$work/test-logs"
		cp -a "$root$src/build/test-logs" "$work/test-logs" 2>/dev/null || true
		grep -E '^FAIL |\*\*\*|^E: |missing' "$work/make-test.log" | head -20
		die "make test on a fresh root: ${summary:-no summary} (log: $work/make-test.log)"
	fi
fi

# ---- 2. make run, driven through its console ----
log=$work/make-run.log
fifo=$work/console.in
rm -f "$fifo"; mkfifo "$fifo"
say "make run (log: $log)"
in_root 'timeout -k 10 900 make run' <"$fifo" >"$log" 2>&1 &
runpid=$!
trap "" PIPE                        # a dead QEMU must not kill the script
exec 9>"$fifo"
# wait_for REGEX SECONDS: poll the console log until a line matches
wait_for() {
	i=0
	while ! tr -d '\r' <"$log" | grep -Eq -- "$1"; do
		[ $i -ge $(($2 * 10)) ] && return 1
		kill -0 $runpid 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
}
type_line() { printf '%s\r' "$1" >&9 2>/dev/null || true; }
token="fresh-$$-ok"
ok=1
if ! wait_for 'duet:~# ' 900; then ok=0; say "no shell prompt"; fi
if [ $ok = 1 ]; then
	type_line "echo $token; uname -m"
	wait_for "^$token\$" 60 || { ok=0; say "the command's output never came"; }
fi
type_line 'poweroff -f'
exec 9>&-
wait $runpid && runstatus=0 || runstatus=$?
rm -f "$fifo"
[ $ok = 1 ] || { tail -20 "$log"; die "make run did not reach a working shell (log: $log)"; }
tr -d '\r' <"$log" | grep -q 'init exited\|power' ||
	{ tail -20 "$log"; die "make run: no power-off seen (log: $log)"; }
[ $runstatus = 0 ] || die "make run: exit status $runstatus (log: $log)"
say "make run: prompt, command and poweroff on a fresh root"
say "PASS"
