#!/bin/sh
# Idempotent installer for the Debian packages duet needs to build and test
# (flex, bison, bc: only for the Linux baseline, make linux; no libssl/libelf:
# its config signs no modules and has no BTF).
# Checks each package with `dpkg -s`; installs only the missing ones, running
# `apt-get update` once first, and only if something is missing.
# Works as root (no sudo) or as a normal user with sudo; non-interactive.
set -eu

DUET_DEB_PACKAGES="${DUET_DEB_PACKAGES:-\
gcc libc6-dev qemu-system-misc opensbi gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf \
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross linux-libc-dev-riscv64-cross device-tree-compiler \
u-boot-qemu e2fsprogs cpio dpkg-dev gdisk fdisk mtools dosfstools \
qemu-user fakeroot make bzip2 xz-utils procps \
flex bison bc}"

missing=""
for p in $DUET_DEB_PACKAGES; do
    # dpkg -s succeeds for removed-but-configured packages too; check the status line.
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "deps: missing:$missing, and not root and no sudo" >&2
    exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
