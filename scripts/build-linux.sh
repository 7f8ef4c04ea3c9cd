#!/bin/sh
# build-linux.sh [BUILD]
#
# The Linux baseline for the benchmarks (make linux; docs/BENCHMARKS.md "Linux
# 6.1 in the same QEMU"): fetch Debian's `linux` source package with
# apt-source.sh (the build's own apt config in BUILD/apt), configure a small
# riscv64 kernel for QEMU virt from `tinyconfig` plus scripts/linux.config,
# and cross-build its Image with gcc-riscv64-linux-gnu.
# Outputs: BUILD/linux/Image, BUILD/linux/config (the .config used),
#          BUILD/linux/release (uname -r). Objects stay in BUILD/linux/obj,
#          so a rerun after a fragment change rebuilds only what changed.
# Never part of make test: the first build takes ~10-30 minutes on 2 cores.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-${BUILD:-build}}
mkdir -p "$build"
build=$(cd "$build" && pwd)
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
fragment=${LINUX_CONFIG:-$here/linux.config}
jobs=${JOBS:-2}

for t in "${cross}gcc" flex bison bc; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "build-linux: $t missing: run scripts/deps.sh" >&2; exit 1; }
done

start=$(date +%s)
src=$(sh "$here/apt-source.sh" linux "$build/src/linux" "$build/apt" | tail -n1)
echo "build-linux: source $src"

out=$build/linux
obj=$out/obj
mkdir -p "$obj"
# The same bytes from the same source and fragment: no host name, user or
# build time in the image (the date is the Debian upload's).
KBUILD_BUILD_USER=duet
KBUILD_BUILD_HOST=duet
KBUILD_BUILD_TIMESTAMP=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Date 2>/dev/null || echo "1970-01-01")
export KBUILD_BUILD_USER KBUILD_BUILD_HOST KBUILD_BUILD_TIMESTAMP
kmake() { nice -n 10 make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE="$cross" "$@"; }

kmake tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null
kmake olddefconfig >/dev/null

# Every setting of the fragment must have survived (a missing dependency makes
# Kconfig drop an option silently).
bad=0
grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
	grep -qx "$line" "$obj/.config" || { echo "build-linux: not in .config: $line" >&2; echo x; }
done | grep -q x && bad=1
[ "$bad" = 0 ] || { echo "build-linux: the fragment did not apply" >&2; exit 1; }

kmake -j"$jobs" Image
cp "$obj/arch/riscv/boot/Image" "$out/Image"
cp "$obj/.config" "$out/config"
kmake -s kernelrelease >"$out/release"
echo "build-linux: $out/Image, Linux $(cat "$out/release"), $(($(date +%s) - start)) s"
