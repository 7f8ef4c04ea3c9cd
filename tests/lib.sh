# Shared helpers for the QEMU tests (sourced).  Every QEMU run has a timeout
# and keeps its full log under build/test-logs/; results are lines
# "PASS <name>" / "FAIL <name>: expected ..., got ..." that tests/run-all.sh counts.

BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
KERNEL=${KERNEL:-$BUILD/kernel.elf}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# qemu_virt NAME TIMEOUT SMP "BOOTARGS" [extra qemu args...]
# Runs QEMU virt, log in $LOGDIR/NAME.log, exit status in $QEMU_STATUS.
qemu_virt() {
	name=$1; t=$2; smp=$3; args=$4; shift 4
	timeout --foreground -k 5 "$t" qemu-system-riscv64 -M virt -smp "$smp" -m 512M \
		-nographic -bios default -kernel "$KERNEL" -append "$args" \
		-device virtio-rng-device "$@" \
		</dev/null >"$LOGDIR/$name.log" 2>&1
	QEMU_STATUS=$?
	return 0
}

# check_status NAME EXPECTED: QEMU's exit status (124 = timeout).
check_status() {
	if [ "$QEMU_STATUS" = "$2" ]; then pass "$1"; else
		fail "$1" "expected exit status $2, got $QEMU_STATUS (log: $LOGDIR/$1.log)"; fi
}

# check_log NAME TESTNAME REGEX: the log of run NAME has a line matching REGEX.
check_log() {
	if tr -d '\r' <"$LOGDIR/$1.log" | grep -Eq -- "$3"; then pass "$2"; else
		fail "$2" "expected a line matching '$3' in $LOGDIR/$1.log, got: $(tr -d '\r' <"$LOGDIR/$1.log" | tail -3 | tr '\n' '|')"; fi
}

# check_no_log NAME TESTNAME REGEX
check_no_log() {
	if tr -d '\r' <"$LOGDIR/$1.log" | grep -Eq -- "$3"; then
		fail "$2" "unexpected line matching '$3' in $LOGDIR/$1.log"; else pass "$2"; fi
}

# QEMU sifive_u has no shutdown device: the kernel ends with HALT_RE's line
# and waits in wfi, so a run is watched and stopped (qemu_until).
HALT_RE='^duet: no shutdown device; halted with status [0-9]+$'

# qemu_until NAME TIMEOUT REGEX QEMU-ARGS...: QEMU in the background, log in
# $LOGDIR/NAME.log; stops it once a line matches REGEX (SEEN=1) or at the
# timeout (SEEN=0).  ELAPSED (s) and ELAPSED_MS: the time until then.
qemu_until() {
	name=$1 t=$2 re=$3; shift 3
	log=$LOGDIR/$name.log
	: >"$log"
	start=$(date +%s%N)
	timeout -k 5 "$t" qemu-system-riscv64 "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	SEEN=0
	while kill -0 "$pid" 2>/dev/null; do
		if tr -d '\r' <"$log" | grep -Eq -- "$re"; then
			SEEN=1
			sleep 0.5	# anything printed after the status line would be a bug: let it show
			break
		fi
		sleep 0.2
	done
	ELAPSED_MS=$(( ($(date +%s%N) - start) / 1000000 ))
	ELAPSED=$(( ELAPSED_MS / 1000 ))
	kill "$pid" 2>/dev/null		# timeout passes the TERM on to QEMU
	wait "$pid" 2>/dev/null
	[ $SEEN = 1 ] || ! tr -d '\r' <"$log" | grep -Eq -- "$re" || SEEN=1
	return 0
}
