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
