#!/bin/sh
# make libc-test LIBC_TEST=<dir>: musl's libc-test (functional, regression,
# math), static, built with the project's musl; run inside duet in
# offload=1, offload=0 and clients=2, and under qemu-riscv64 user mode as
# the oracle.  The suite is not part of the repository and is never
# downloaded here: <dir> is a checkout you fetched yourself (docs/LIBC-TEST.md).
#
# Prints, per run, "libc-test static (<mode>): P passed, F failed" and the
# failing names; full logs and lists in $BUILD/libc-test/.
# The dynamic half needs the dynamic linker (issue 11): reported as skipped.
# LIBC_TEST_ONLY=<grep pattern> limits the run to the matching tests
# (e.g. LIBC_TEST_ONLY=ipc_ for the three System V IPC tests).
set -u
SRC=${LIBC_TEST:?set LIBC_TEST=<libc-test source dir>}
BUILD=${BUILD:-build}
MODES=${LIBC_TEST_MODES:-"offload=1 offload=0 clients=2"}
OUT=$(cd "$BUILD" && pwd)/libc-test
CC=$(cd "$BUILD" && pwd)/sysroot/bin/musl-gcc
[ -f "$SRC/src/common/runtest.c" ] || { echo "libc-test: $SRC is not a libc-test checkout"; exit 1; }

# ---- build: the suite's own Makefile, static targets only ----
names=$(cd "$SRC" && ls src/functional/*.c src/regression/*.c src/math/*.c |
	grep -v -e _dso -e dlopen | grep -e "${LIBC_TEST_ONLY:-.}" | sed 's|^src/||; s|\.c$||')
targets=$(for n in $names; do echo "$OUT/obj/$n-static.exe"; done)
mkdir -p "$OUT/obj"
echo "libc-test: building $(echo "$names" | wc -l) static tests"
nice make -C "$SRC" -k -j2 B="$OUT/obj" CC="$CC" AR=riscv64-linux-gnu-ar \
	RANLIB=riscv64-linux-gnu-ranlib "$OUT/obj/common/libtest.a" $targets \
	>"$OUT/build.log" 2>&1
"$CC" -static -o "$OUT/obj/runtest-static" "$OUT/obj/common/runtest.o" "$OUT/obj/common/libtest.a" ||
	"$CC" -static -I"$SRC/src/common" -o "$OUT/obj/runtest-static" "$SRC/src/common/runtest.c" "$OUT/obj/common/libtest.a"

# ---- the rootfs: the binaries under /lt, a runner as init ----
stage=$OUT/extra
rm -rf "$stage" && mkdir -p "$stage/lt/bin"
cp "$OUT/obj/runtest-static" "$stage/lt/runtest"
built=""
for n in $names; do
	f=$OUT/obj/$n-static.exe
	[ -f "$f" ] || continue
	b=$(echo "$n" | tr / _)
	cp "$f" "$stage/lt/bin/$b"
	built="$built $b"
done
cat >"$stage/lt/run.sh" <<'EOF'
#!/bin/sh
# inside duet: every test through libc-test's runtest (fork, exec, sigtimedwait)
cd /tmp 2>/dev/null || cd /
p=0; f=0
for t in /lt/bin/*; do
	n=${t##*/}
	# raise-race forks 100 children that raise up to 1000 signals each:
	# ~30 s under QEMU on a loaded host, past runtest's usual 20 s
	to=20
	[ "$n" = regression_raise-race ] && to=90
	if /lt/runtest -t $to "$t" >/tmp/lt.out 2>&1; then
		p=$((p+1)); echo "LTPASS $n"
	else
		f=$((f+1)); echo "LTFAIL $n: $(head -c 300 /tmp/lt.out | tr '\n' ' ')"
	fi
done
echo "libc-test static: $p passed, $f failed"
poweroff -f
EOF
chmod +x "$stage/lt/run.sh"
nice env BUILD="$BUILD" WITH_BUSYBOX=1 EXTRA="$stage" \
	sh scripts/mk-rootfs.sh "$OUT/rootfs" "$OUT/initramfs.cpio" $(ls "$BUILD"/user/* | grep -v '\.') >/dev/null

# ---- the oracle: qemu-riscv64 user mode, the same binaries ----
# (address space capped: the malloc-exhaustion tests would otherwise take
# the host's memory, qemu-user having no guest RAM size)
[ "${LIBC_TEST_ORACLE:-1}" = 1 ] && : >"$OUT/oracle.txt"
for b in $built; do
	[ "${LIBC_TEST_ORACLE:-1}" = 1 ] || break
	if (cd /tmp && ulimit -v 4000000 && timeout -s KILL 20 qemu-riscv64 "$stage/lt/bin/$b" >/dev/null 2>&1); then
		echo "LTPASS $b" >>"$OUT/oracle.txt"
	else
		echo "LTFAIL $b" >>"$OUT/oracle.txt"
	fi
done
echo "libc-test static (qemu-user oracle): $(grep -c '^LTPASS' "$OUT/oracle.txt") passed, $(grep -c '^LTFAIL' "$OUT/oracle.txt") failed"
grep '^LTFAIL' "$OUT/oracle.txt" | sed 's/^LTFAIL /  oracle fails: /'

# ---- duet, in each mode ----
for m in $MODES; do
	smp=2
	[ "$m" = clients=2 ] && smp=3
	log=$OUT/duet-$(echo "$m" | tr = -).log
	timeout --foreground -k 5 1800 qemu-system-riscv64 -M virt -smp $smp -m 512M -nographic \
		-bios default -kernel "$BUILD/kernel.elf" -append "init=/lt/run.sh $m loglevel=warn" \
		-initrd "$OUT/initramfs.cpio" </dev/null 2>&1 | tr -d '\r' >"$log"
	sum=$(grep '^libc-test static:' "$log" || echo "libc-test static: no summary (timeout or crash)")
	echo "${sum%%:*} ($m):${sum#*:}"
	grep '^LTFAIL' "$log" | sed 's/^LTFAIL /  fails: /'
	# tests duet fails that the oracle passes
	for b in $(grep '^LTFAIL' "$log" | sed 's/^LTFAIL \([^:]*\):.*/\1/'); do
		grep -q "^LTPASS $b\$" "$OUT/oracle.txt" && echo "  REGRESSION vs oracle: $b"
	done
done
echo "libc-test dynamic: skipped (needs the dynamic linker, issue 11)"
