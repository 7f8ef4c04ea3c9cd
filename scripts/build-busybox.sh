#!/bin/sh
# build-busybox.sh [BUILD]
#
# Fetch busybox with `apt-get source` (build-owned apt config in BUILD/apt) and
# build it static for riscv64 against the musl in BUILD/sysroot (run
# build-musl.sh first), using the configuration kept in rootfs/busybox.config.
# Outputs: BUILD/busybox/busybox, BUILD/busybox/busybox.links (applet paths).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-build}}
mkdir -p "$build"
build=$(cd "$build" && pwd)
sysroot=$build/sysroot
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
config=${BUSYBOX_CONFIG:-$top/rootfs/busybox.config}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
hostcc=${HOSTCC:-gcc}

start=$(date +%s)
[ -x "$sysroot/bin/musl-gcc" ] || {
    echo "build-busybox: $sysroot/bin/musl-gcc missing: build musl first" >&2; exit 1; }
[ -f "$config" ] || { echo "build-busybox: $config missing" >&2; exit 1; }
command -v "$hostcc" >/dev/null 2>&1 || {
    echo "build-busybox: host compiler $hostcc missing (apt-get install gcc)" >&2; exit 1; }

src=$(sh "$here/apt-source.sh" busybox "$build/src/busybox" "$build/apt" | tail -n1)
echo "build-busybox: source $src"

obj=$build/obj/busybox
rm -rf "$obj"
mkdir -p "$obj"
cp "$config" "$obj/.config"

set -- O="$obj" \
    CROSS_COMPILE="$cross" \
    CC="$sysroot/bin/musl-gcc" \
    HOSTCC="$hostcc" \
    SKIP_STRIP=n \
    KBUILD_VERBOSE=0
# Accept defaults for any option the config does not mention.
yes "" | make -C "$src" "$@" oldconfig >/dev/null
grep -q '^CONFIG_STATIC=y' "$obj/.config" || {
    echo "build-busybox: CONFIG_STATIC=y lost from config" >&2; exit 1; }
make -C "$src" "$@" -j"$jobs" busybox
make -C "$src" "$@" busybox.links

out=$build/busybox
mkdir -p "$out"
cp "$obj/busybox" "$out/busybox.new"
mv -f "$out/busybox.new" "$out/busybox"
cp "$obj/busybox.links" "$out/busybox.links"
cp "$obj/.config" "$out/busybox.config"

if command -v file >/dev/null 2>&1; then file "$out/busybox"; fi
if "${cross}readelf" -l "$out/busybox" | grep -q INTERP; then
    echo "build-busybox: busybox is not static" >&2; exit 1
fi

# Applets the project relies on.
want="ash sh cat cp mv rm ls mkdir rmdir ln chmod echo printf test head tail wc tr cut tee touch \
env pwd true false yes seq basename dirname readlink realpath uname id \
grep sed awk find xargs diff hexdump od md5sum sha256sum ps top free df du date cal \
uptime dmesg hwclock more less vi sort uniq strings stat tar gzip gunzip mount umount \
kill sleep time poweroff"
missing=""
for a in $want; do
    grep -q "/$a\$" "$out/busybox.links" || missing="$missing $a"
done
if [ -n "$missing" ]; then
    echo "build-busybox: applets missing from config:$missing" >&2; exit 1
fi
echo "build-busybox: $(wc -l < "$out/busybox.links") applets, $(wc -c < "$out/busybox") bytes"
echo "build-busybox: done in $(( $(date +%s) - start ))s"
