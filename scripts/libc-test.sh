#!/bin/sh
# make libc-test LIBC_TEST=<dir>: musl's libc-test (functional, regression,
# math), static, built with the project's musl; run inside duet in
# offload=1, offload=0 and clients=2, and under qemu-riscv64 user mode as
# the oracle.  The suite is not part of the repository and is never
# downloaded here: <dir> is a checkout you fetched yourself (docs/LIBC-TEST.md).
#
# And the dynamic half: the suite's *.exe (dynamic, against the project's
# libc.so, loader /lib/ld-musl-riscv64.so.1) with the DSOs the dlopen and
# TLS-module tests load.  LIBC_TEST_KINDS="static dynamic" selects.
#
# Prints, per run, "libc-test <kind> (<mode>): P passed, F failed" and the
# failing names; full logs and lists in $BUILD/libc-test/.
# LIBC_TEST_ONLY=<grep pattern> limits the run to the matching tests
# (e.g. LIBC_TEST_ONLY=ipc_ for the three System V IPC tests).
set -u
SRC=${LIBC_TEST:?set LIBC_TEST=<libc-test source dir>}
BUILD=${BUILD:-build}
MODES=${LIBC_TEST_MODES:-"offload=1 offload=0 clients=2"}
KINDS=${LIBC_TEST_KINDS:-"static dynamic"}
has_kind() { case " $KINDS " in *" $1 "*) return 0 ;; esac; return 1; }
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
has_kind static || targets=""
"$CC" -static -o "$OUT/obj/runtest-static" "$OUT/obj/common/runtest.o" "$OUT/obj/common/libtest.a" ||
	"$CC" -static -I"$SRC/src/common" -o "$OUT/obj/runtest-static" "$SRC/src/common/runtest.c" "$OUT/obj/common/libtest.a"

# ---- build: the dynamic tests, B=<out>/dyn/src so that the layout is the
# suite's own (tls_init_dlopen opens "src/functional/tls_init_dso.so" from
# the current directory, dlopen finds its DSO beside argv[0]) ----
DYN=$OUT/dyn
LDSO=/lib/ld-musl-riscv64.so.1
if has_kind dynamic; then
	dnames=$(cd "$SRC" && ls src/functional/*.c src/regression/*.c src/math/*.c |
		grep -v _dso | grep -e "${LIBC_TEST_ONLY:-.}" | sed 's|^src/||; s|\.c$||')
	dsos=$(cd "$SRC" && ls src/*/*_dso.c | sed "s|^src/|$DYN/src/|; s|\.c$|.so|")
	dtargets=$(for n in $dnames; do echo "$DYN/src/$n.exe"; done)
	mkdir -p "$DYN/src"
	echo "libc-test: building $(echo "$dnames" | wc -l) dynamic tests and $(echo "$dsos" | wc -w) DSOs"
	# musl-gcc names the build sysroot's loader: name the rootfs's (mk/userlibc.mk)
	nice make -C "$SRC" -k -j2 B="$DYN/src" CC="$CC" AR=riscv64-linux-gnu-ar \
		RANLIB=riscv64-linux-gnu-ranlib LDFLAGS="-g -Wl,--dynamic-linker=$LDSO" \
		"$DYN/src/common/libtest.a" $dsos $dtargets >"$OUT/build-dyn.log" 2>&1
fi

# ---- the rootfs: the binaries under /lt, a runner as init ----
stage=$OUT/extra
rm -rf "$stage" && mkdir -p "$stage/lt/bin"
cp "$OUT/obj/runtest-static" "$stage/lt/runtest"
built=""
has_kind static || names=""
for n in $names; do
	f=$OUT/obj/$n-static.exe
	[ -f "$f" ] || continue
	b=$(echo "$n" | tr / _)
	cp "$f" "$stage/lt/bin/$b"
	built="$built $b"
done
dbuilt=""
if has_kind dynamic; then
	# the executables and DSOs, in the suite's layout under /lt/dyn
	for n in $dnames; do
		f=$DYN/src/$n.exe
		[ -f "$f" ] || continue
		mkdir -p "$stage/lt/dyn/src/${n%/*}"
		cp "$f" "$stage/lt/dyn/src/$n.exe"
		dbuilt="$dbuilt $n"
	done
	for d in $dsos; do [ -f "$d" ] && cp "$d" "$stage/lt/dyn/src/${d#$DYN/src/}"; done
	# tls_align links its DSO by the path the linker was given, the build
	# directory's absolute path (no soname): the same path leads to /lt/dyn
	mkdir -p "$stage${DYN%/*}"
	ln -s /lt/dyn "$stage$DYN"
	echo "$dbuilt" | tr ' ' '\n' | grep . >"$stage/lt/dyn/list"
fi
echo "$KINDS" >"$stage/lt/kinds"
cat >"$stage/lt/run.sh" <<'EOF'
#!/bin/sh
# inside duet: every test through libc-test's runtest (fork, exec, sigtimedwait)
cd /tmp 2>/dev/null || cd /
p=0; f=0
grep -q static /lt/kinds && for t in /lt/bin/*; do
	n=${t##*/}
	# raise-race forks 100 children that raise up to 1000 signals each:
	# ~30 s under QEMU on a loaded host, past runtest's usual 20 s
	to=20
	[ "$n" = regression_raise-race ] && to=90
	if /lt/runtest -t $to "$t" </dev/null >/tmp/lt.out 2>&1; then
		p=$((p+1)); echo "LTPASS $n"
	else
		f=$((f+1)); echo "LTFAIL $n: $(head -c 300 /tmp/lt.out | tr '\n' ' ')"
	fi
done
grep -q static /lt/kinds && echo "libc-test static: $p passed, $f failed"
# the dynamic tests, from the suite's top directory (relative DSO paths)
if grep -q dynamic /lt/kinds; then
	cd /lt/dyn
	p=0; f=0
	while read -r n; do
		b=$(echo "$n" | tr / _)
		# stdin is not the list: regression/rewind-clear-error rewinds stdin
		to=20
		[ "$b" = regression_raise-race ] && to=90	# as the static run
		if /lt/runtest -t $to "src/$n.exe" </dev/null >/tmp/lt.out 2>&1; then
			p=$((p+1)); echo "LDPASS $b"
		else
			f=$((f+1)); echo "LDFAIL $b: $(head -c 300 /tmp/lt.out | tr '\n' ' ')"
		fi
	done </lt/dyn/list
	echo "libc-test dynamic: $p passed, $f failed"
fi
poweroff -f
EOF
chmod +x "$stage/lt/run.sh"
nice env BUILD="$BUILD" WITH_BUSYBOX=1 EXTRA="$stage" \
	sh scripts/mk-rootfs.sh "$OUT/rootfs" "$OUT/initramfs.cpio" $(ls "$BUILD"/user/* | grep -v '\.') >/dev/null

# ---- the oracle: qemu-riscv64 user mode, the same binaries ----
# (address space capped: the malloc-exhaustion tests would otherwise take
# the host's memory, qemu-user having no guest RAM size)
if has_kind static; then
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
fi

# the dynamic oracle: qemu-riscv64 with -L on the sysroot (its
# /lib/ld-musl-riscv64.so.1 is the project's libc.so), from the suite's top
if has_kind dynamic && [ "${LIBC_TEST_ORACLE:-1}" = 1 ]; then
	: >"$OUT/oracle-dynamic.txt"
	sysroot=$(cd "$BUILD" && pwd)/sysroot
	for n in $dbuilt; do
		b=$(echo "$n" | tr / _)
		if (cd "$DYN" && ulimit -v 4000000 && timeout -s KILL 20 qemu-riscv64 -L "$sysroot" "src/$n.exe" >/dev/null 2>&1); then
			echo "LDPASS $b" >>"$OUT/oracle-dynamic.txt"
		else
			echo "LDFAIL $b" >>"$OUT/oracle-dynamic.txt"
		fi
	done
	echo "libc-test dynamic (qemu-user oracle): $(grep -c '^LDPASS' "$OUT/oracle-dynamic.txt") passed, $(grep -c '^LDFAIL' "$OUT/oracle-dynamic.txt") failed"
	grep '^LDFAIL' "$OUT/oracle-dynamic.txt" | sed 's/^LDFAIL /  oracle fails: /'
fi

# ---- duet, in each mode ----
for m in $MODES; do
	smp=2
	[ "$m" = clients=2 ] && smp=3
	log=$OUT/duet-$(echo "$m" | tr = -).log
	timeout --foreground -k 5 3600 qemu-system-riscv64 -M virt -smp $smp -m 512M -nographic \
		-bios default -kernel "$BUILD/kernel.elf" -append "init=/lt/run.sh $m loglevel=warn" \
		-initrd "$OUT/initramfs.cpio" </dev/null >"$log.raw" 2>&1
	tr -d '\r' <"$log.raw" >"$log" && rm -f "$log.raw"
	for k in $KINDS; do
		case $k in static) tag=LT; ofile=$OUT/oracle.txt ;; *) tag=LD; ofile=$OUT/oracle-dynamic.txt ;; esac
		sum=$(grep "^libc-test $k:" "$log" || echo "libc-test $k: no summary (timeout or crash)")
		echo "${sum%%:*} ($m):${sum#*:}"
		grep "^${tag}FAIL" "$log" | sed "s/^${tag}FAIL /  fails: /"
		# tests duet fails that the oracle passes
		for b in $(grep "^${tag}FAIL" "$log" | sed "s/^${tag}FAIL \([^:]*\):.*/\1/"); do
			grep -q "^${tag}PASS $b\$" "$ofile" 2>/dev/null && echo "  REGRESSION vs oracle: $b"
		done
	done
done
