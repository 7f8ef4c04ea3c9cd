#!/bin/sh
# build-busybox-dyn.sh [BUILD]
#
# The busybox of build-busybox.sh (same source, same rootfs/busybox.config)
# linked dynamically against the project's shared musl, its PT_INTERP the
# rootfs's /lib/ld-musl-riscv64.so.1.  Output: BUILD/busybox-dyn/busybox.
# tests/qemu/dynamic.sh runs the busybox suite with it (docs/DYNAMIC.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-build}}
mkdir -p "$build"
build=$(cd "$build" && pwd)
sysroot=$build/sysroot
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -f "$sysroot/lib/libc.so" ] || {
    echo "build-busybox-dyn: $sysroot/lib/libc.so missing: build musl first" >&2; exit 1; }

src=$(sh "$here/apt-source.sh" busybox "$build/src/busybox" "$build/apt" | tail -n1)
obj=$build/obj/busybox-dyn
rm -rf "$obj"
mkdir -p "$obj"
sed 's/^CONFIG_STATIC=y/# CONFIG_STATIC is not set/' "$top/rootfs/busybox.config" > "$obj/.config"

set -- O="$obj" CROSS_COMPILE="$cross" CC="$sysroot/bin/musl-gcc" HOSTCC="${HOSTCC:-gcc}" \
    SKIP_STRIP=n KBUILD_VERBOSE=0 \
    EXTRA_LDFLAGS="-Wl,--dynamic-linker=/lib/ld-musl-riscv64.so.1"
yes "" | make -C "$src" "$@" oldconfig >/dev/null
make -C "$src" "$@" -j"$jobs" busybox

"${cross}readelf" -l "$obj/busybox" | grep -q 'interpreter: /lib/ld-musl-riscv64.so.1' || {
    echo "build-busybox-dyn: busybox has no /lib/ld-musl-riscv64.so.1 interpreter" >&2; exit 1; }
mkdir -p "$build/busybox-dyn"
cp "$obj/busybox" "$build/busybox-dyn/busybox"
echo "build-busybox-dyn: $(wc -c < "$build/busybox-dyn/busybox") bytes"
