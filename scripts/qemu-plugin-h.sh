#!/bin/sh
# qemu-plugin-h.sh DESTDIR APTDIR
#
# Put QEMU's plugin API header (include/qemu/qemu-plugin.h) from Debian's
# qemu source package into DESTDIR/qemu-plugin.h, for the instruction-count
# plugin (tests/plugin/insn_count.c). The source package is large, so only
# its files are downloaded (scripts/apt-source.sh --download-only, with the
# build's own apt configuration) and only the one member is extracted from
# the upstream tarball. Reuses DESTDIR/qemu-plugin.h when it is there.
set -eu

dest=$1
aptdir=$2
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
[ -s "$dest/qemu-plugin.h" ] && exit 0

dl=$dest/dl
if [ -z "$(find "$dl" -name 'qemu_*.orig.tar.*' ! -name '*.asc' 2>/dev/null | head -n1)" ]; then
    sh "$(dirname "$0")/apt-source.sh" qemu "$dl" "$aptdir" --download-only >/dev/null
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
