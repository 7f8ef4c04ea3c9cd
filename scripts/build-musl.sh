#!/bin/sh
# build-musl.sh [BUILD]
#
# Fetch musl with `apt-get source` (build-owned apt config in BUILD/apt),
# cross-build it (static libc.a and shared libc.so, which is also the
# dynamic loader /lib/ld-musl-riscv64.so.1) for riscv64 with riscv64-linux-gnu-gcc, install it into
# BUILD/sysroot together with the Linux UAPI headers, and provide the
# musl-gcc wrapper BUILD/sysroot/bin/musl-gcc.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-${BUILD:-build}}
mkdir -p "$build"
build=$(cd "$build" && pwd)
sysroot=$build/sysroot
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
uapi=${UAPI_INCLUDE:-/usr/riscv64-linux-gnu/include}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

start=$(date +%s)
command -v "${cross}gcc" >/dev/null 2>&1 || {
    echo "build-musl: ${cross}gcc missing: run scripts/deps.sh" >&2; exit 1; }
[ -d "$uapi/linux" ] || {
    echo "build-musl: $uapi/linux missing: install linux-libc-dev-riscv64-cross" >&2; exit 1; }

src=$(sh "$here/apt-source.sh" musl "$build/src/musl" "$build/apt" | tail -n1)
echo "build-musl: source $src"

obj=$build/obj/musl
rm -rf "$obj" "$sysroot"
mkdir -p "$obj"
cd "$obj"
"$src/configure" \
    CC="${cross}gcc" \
    CROSS_COMPILE="$cross" \
    CFLAGS="-O2 -g0" \
    --target=riscv64-linux-gnu \
    --prefix="$sysroot" \
    --syslibdir="$sysroot/lib" \
    --enable-shared \
    --enable-wrapper=gcc
make -j"$jobs"
make install

# Linux UAPI headers: the wrapper's specs use -nostdinc, so anything that
# includes <linux/...> (busybox does) needs them inside the sysroot.
for d in linux asm asm-generic mtd; do
    if [ -d "$uapi/$d" ]; then
        rm -rf "${sysroot:?}/include/$d"
        cp -R "$uapi/$d" "$sysroot/include/$d"
    fi
done

# Sanity check: the wrapper links a static riscv64 executable.
cat > "$obj/t.c" <<'C'
#include <stdio.h>
#include <linux/fs.h>
int main(void) { printf("musl ok\n"); return 0; }
C
"$sysroot/bin/musl-gcc" -static -O2 -o "$obj/t" "$obj/t.c"
if command -v file >/dev/null 2>&1; then file "$obj/t"; fi
if command -v qemu-riscv64 >/dev/null 2>&1; then qemu-riscv64 "$obj/t"; fi

echo "build-musl: done in $(( $(date +%s) - start ))s"
