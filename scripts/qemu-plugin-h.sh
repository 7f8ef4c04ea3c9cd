#!/bin/sh
# qemu-plugin-h.sh DESTDIR APTDIR
#
# Put QEMU's plugin API header (include/qemu/qemu-plugin.h) from Debian's
# qemu source package into DESTDIR/qemu-plugin.h, for the instruction-count
# plugin (tests/plugin/insn_count.c). The source package is large, so only
# its upstream tarball is downloaded (apt-get source --download-only, with
# the build's own apt configuration as in apt-source.sh) and only the one
# member is extracted. Reuses DESTDIR/qemu-plugin.h when it is there.
set -eu

dest=$1
aptdir=$2
suite=${DUET_DEBIAN_SUITE:-bookworm}
mirror=${DUET_DEBIAN_MIRROR:-http://deb.debian.org/debian}

mkdir -p "$dest" "$aptdir"
dest=$(cd "$dest" && pwd)
aptdir=$(cd "$aptdir" && pwd)
[ -s "$dest/qemu-plugin.h" ] && exit 0

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
echo "deb-src ${signed}$mirror $suite main" > "$aptdir/sources.list"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
set -- \
    -o Dir::Etc::sourcelist="$aptdir/sources.list" \
    -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$aptdir/lists" \
    -o Dir::Cache="$aptdir/cache" \
    -o Debug::NoLocking=1 \
    -o APT::Get::List-Cleanup=0
if [ "$(id -u)" -eq 0 ]; then
    set -- "$@" -o APT::Sandbox::User=root
fi
exec 9>"$aptdir/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2>/dev/null | head -n1)" ]; then
    echo "qemu-plugin-h: apt-get update ($suite deb-src)" >&2
    apt-get -q "$@" update >&2
fi
dl=$dest/dl
mkdir -p "$dl"
if [ -z "$(find "$dl" -name 'qemu_*.orig.tar.*' ! -name '*.asc' | head -n1)" ]; then
    echo "qemu-plugin-h: apt-get source --download-only qemu" >&2
    (cd "$dl" && apt-get -q "$@" source --download-only qemu) >&2
fi
orig=$(find "$dl" -name 'qemu_*.orig.tar.*' ! -name '*.asc' | head -n1)
[ -n "$orig" ] || { echo "qemu-plugin-h: no qemu orig tarball in $dl" >&2; exit 1; }
member=$(tar -tf "$orig" | grep '/include/qemu/qemu-plugin.h$' | head -n1)
[ -n "$member" ] || { echo "qemu-plugin-h: no qemu-plugin.h in $orig" >&2; exit 1; }
tar -xOf "$orig" "$member" > "$dest/qemu-plugin.h.tmp"
mv "$dest/qemu-plugin.h.tmp" "$dest/qemu-plugin.h"
# The tarball is only needed for this one file.
rm -rf "$dl"
echo "qemu-plugin-h: $dest/qemu-plugin.h" >&2
