#!/bin/bash
# tests/host/run.sh - build and run the host tests of rpc/ and sched/.
#
#   tests/host/run.sh            everything (about 30 s on 2 cores)
#   QUICK=1 tests/host/run.sh    10x fewer iterations
#
# 1. Freestanding compile of rpc/*.h and sched/waker.c with the kernel's
#    flags (if riscv64-unknown-elf-gcc is installed); the objects must not
#    need any symbol (no libgcc/libatomic helpers).
# 2. test_ring, test_waker, test_idle, test_claim under ThreadSanitizer
#    (halt_on_error=1 exitcode=66: a race fails the run). -Wno-tsan: GCC
#    warns that TSan does not model atomic_thread_fence. It executes it (a
#    real locked instruction), it just draws no happens-before edge from it;
#    our data are ordered by release/acquire only, the fences are for the
#    Dekker pair of rpc/idle.h, which test_idle checks by liveness.
# 3. test_idle litmus, built WITHOUT TSan: the store-buffering litmus on the
#    real idle.h/ring.h functions, on this machine's hardware. Then the
#    negative control: test_idle built with -DBROKEN_NO_FENCE (no re-check
#    after idle_prepare) must be caught by its watchdog (~3 s); and
#    test_claim built with -DBROKEN_CLAIM (check-then-act instead of one
#    RMW) must be caught running a call twice.
# 4. If riscv64-linux-gnu-gcc and qemu-riscv64 are installed: the same tests
#    built for riscv64 and run under qemu user mode (no TSan; checks the
#    RISC-V code: amo*, fences, 32-bit index wrap).
#
# Every PASS line counts as a pass, every FAIL line as a failure; a program
# that exits non-zero without a FAIL line (TSan report, crash, timeout)
# counts as one failure. Last line: "N passed, N failed"; exit 1 on failure.

cd "$(dirname "$0")/../.." || exit 1

if [ -n "$QUICK" ]; then
        RING_ARGS="1000000 200000"; WAKER_ARGS="100000 100000"
        IDLE_ARGS="100000"; LITMUS_ARGS="litmus 200000"; CLAIM_ARGS="20000"
else
        RING_ARGS="10000000 4000000"; WAKER_ARGS="1000000 1000000"
        IDLE_ARGS="3000000"; LITMUS_ARGS="litmus 2000000"; CLAIM_ARGS="20000"
fi
TIMEOUT=170

B=$(mktemp -d /tmp/duet-host-tests.XXXXXX) || exit 1
trap 'rm -rf "$B"' EXIT

pass=0
fail=0
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Werror -pthread -I."
TSAN="-fsanitize=thread -Wno-tsan"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"

# build NAME CC FLAGS... -- SOURCES...
build() {
        local name=$1 cc=$2; shift 2
        if ! "$cc" "$@" -o "$B/$name" 2> "$B/$name.err"; then
                cat "$B/$name.err"
                echo "FAIL build $name"
                fail=$((fail + 1))
                return 1
        fi
}

# run LABEL PROGRAM ARGS...
run() {
        local label=$1; shift
        local t0 t1 rc p f
        echo "== $label: $*"
        t0=$(date +%s.%N)
        timeout "$TIMEOUT" "$@" > "$B/out" 2>&1
        rc=$?
        t1=$(date +%s.%N)
        cat "$B/out"
        p=$(grep -c '^PASS' "$B/out")
        f=$(grep -c '^FAIL' "$B/out")
        if grep -q 'WARNING: ThreadSanitizer' "$B/out" && [ "$f" -eq 0 ]; then
                echo "FAIL $label: ThreadSanitizer report"
                f=1
        fi
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                case $rc in
                66) echo "FAIL $label: ThreadSanitizer report (exit 66)";;
                124) echo "FAIL $label: timeout after ${TIMEOUT} s";;
                *) echo "FAIL $label: exit status $rc";;
                esac
                f=1
        fi
        pass=$((pass + p))
        fail=$((fail + f))
        awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "-- %s: %.1f s\n", l, b - a }'
}

# 1. freestanding
if command -v riscv64-unknown-elf-gcc > /dev/null; then
        KFLAGS="-ffreestanding -mcmodel=medany -march=rv64imac_zicsr_zifencei -mabi=lp64 -Wall -Wextra -Werror -O2 -I."
        cat > "$B/hdr.c" <<'EOF'
#include "rpc/rpc.h"
#include "rpc/idle.h"
#include "sched/waker.h"
struct rpc_sq sq; struct rpc_cq cq; struct idle_flag fl;
bool f1(const struct rpc_req *r) { return rpc_sq_push(&sq, r); }
unsigned f2(struct rpc_req *o) { return rpc_sq_pop_batch(&sq, o, 16); }
bool f3(void) { return rpc_sq_is_empty(&sq); }
bool f4(void) { return rpc_cq_has_space(&cq); }
unsigned f5(const struct rpc_cqe *c, unsigned n) { return rpc_cq_push_batch(&cq, c, n); }
bool f6(struct rpc_cqe *c) { return rpc_cq_pop(&cq, c); }
void f7(void) { idle_prepare(&fl); idle_cancel(&fl); idle_done(&fl); }
bool f8(void) { return idle_should_kick(&fl); }
unsigned f9(uint64_t x) { return waker_ctz64(x); }
EOF
        ok=1
        for std in c11 gnu11; do
                riscv64-unknown-elf-gcc $KFLAGS -std=$std -c "$B/hdr.c" -o "$B/hdr.o" || ok=0
                riscv64-unknown-elf-gcc $KFLAGS -std=$std -c sched/waker.c -o "$B/waker.o" || ok=0
        done
        if [ $ok = 1 ]; then
                undef=$(riscv64-unknown-elf-nm -u "$B/hdr.o" "$B/waker.o" | grep -v ':$' | grep -v '^$')
                if [ -n "$undef" ]; then
                        echo "FAIL freestanding: objects need symbols: $undef"
                        fail=$((fail + 1))
                else
                        echo "PASS freestanding: rpc/*.h and sched/waker.c, -std=c11 and gnu11, no undefined symbols"
                        pass=$((pass + 1))
                fi
        else
                echo "FAIL freestanding compile"
                fail=$((fail + 1))
        fi
else
        echo "-- riscv64-unknown-elf-gcc not found: freestanding compile skipped"
fi

# 2. TSan
build test_ring gcc $CFLAGS $TSAN tests/host/test_ring.c &&
        run test_ring "$B/test_ring" $RING_ARGS
build test_waker gcc $CFLAGS $TSAN tests/host/test_waker.c sched/waker.c &&
        run test_waker "$B/test_waker" $WAKER_ARGS
build test_idle gcc $CFLAGS $TSAN tests/host/test_idle.c &&
        run test_idle "$B/test_idle" $IDLE_ARGS

build test_claim gcc $CFLAGS $TSAN tests/host/test_claim.c &&
        run test_claim "$B/test_claim" $CLAIM_ARGS

# 3. hardware litmus, no TSan
build test_idle_native gcc $CFLAGS tests/host/test_idle.c &&
        run test_idle_litmus "$B/test_idle_native" $LITMUS_ARGS

# 3b. negative control: test_idle with the re-check after idle_prepare
#     removed (-DBROKEN_NO_FENCE) must be caught by its watchdog.
if build test_idle_broken gcc $CFLAGS $TSAN -DBROKEN_NO_FENCE tests/host/test_idle.c; then
        echo "== test_idle_broken (must fail): $B/test_idle_broken $IDLE_ARGS"
        timeout "$TIMEOUT" "$B/test_idle_broken" $IDLE_ARGS > "$B/out" 2>&1
        rc=$?
        sed 's/^/   | /' "$B/out"
        if [ $rc -ne 0 ] && grep -q '^FAIL idle: lost wake-up' "$B/out"; then
                echo "PASS negative control: the broken protocol (no re-check) is detected as a lost wake-up"
                pass=$((pass + 1))
        else
                echo "FAIL negative control: test_idle did not detect the broken protocol (exit $rc)"
                fail=$((fail + 1))
        fi
fi

# 3c. negative control: the claim decided by a load and a later store
#     (-DBROKEN_CLAIM) must be caught running a call twice.
if build test_claim_broken gcc $CFLAGS $TSAN -DBROKEN_CLAIM tests/host/test_claim.c; then
        echo "== test_claim_broken (must fail): $B/test_claim_broken $CLAIM_ARGS"
        timeout "$TIMEOUT" "$B/test_claim_broken" $CLAIM_ARGS > "$B/out" 2>&1
        rc=$?
        sed 's/^/   | /' "$B/out"
        if [ $rc -ne 0 ] && grep -Eq '^FAIL .*(ran twice|reclaimed call answered|after the last call)' "$B/out"; then
                echo "PASS negative control: the broken claim (check, then act) is caught running a call twice"
                pass=$((pass + 1))
        else
                echo "FAIL negative control: test_claim did not detect the broken claim (exit $rc)"
                fail=$((fail + 1))
        fi
fi

# 4. riscv64 user mode
if command -v riscv64-linux-gnu-gcc > /dev/null && command -v qemu-riscv64 > /dev/null; then
        RV="riscv64-linux-gnu-gcc"
        RVFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Werror -static -pthread -I."
        build rv_ring $RV $RVFLAGS tests/host/test_ring.c &&
                run rv64_test_ring qemu-riscv64 "$B/rv_ring" $RING_ARGS
        build rv_waker $RV $RVFLAGS tests/host/test_waker.c sched/waker.c &&
                run rv64_test_waker qemu-riscv64 "$B/rv_waker" $WAKER_ARGS
        build rv_idle $RV $RVFLAGS tests/host/test_idle.c &&
                run rv64_test_idle qemu-riscv64 "$B/rv_idle" $IDLE_ARGS
        build rv_claim $RV $RVFLAGS tests/host/test_claim.c &&
                run rv64_test_claim qemu-riscv64 "$B/rv_claim" $CLAIM_ARGS
else
        echo "-- riscv64-linux-gnu-gcc or qemu-riscv64 not found: riscv64 user-mode run skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
