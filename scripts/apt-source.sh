#!/bin/sh
# apt-source.sh PKG DESTDIR APTDIR [--download-only]
#
# Fetch and unpack the Debian source package PKG into DESTDIR (which ends up
# holding PKG's .dsc, tarballs and the unpacked tree) using an apt
# configuration that the build owns in APTDIR: its own sources.list, lists and
# cache. The system's /etc/apt is read for nothing but its keyrings and
# apt.conf.d (proxy settings etc.), and is never modified.
#
# Prints the path of the unpacked source tree on stdout (last line).
# If DESTDIR already holds an unpacked tree (marker .duet-fetched), it is reused.
# With --download-only the package's files are fetched into DESTDIR and not
# unpacked (for callers that need one file out of a large source package, e.g.
# scripts/qemu-plugin-h.sh); DESTDIR is printed instead of a tree.
set -eu

pkg=$1
dest=$2
aptdir=$3
mode=${4:-unpack}
suite=${DUET_DEBIAN_SUITE:-bookworm}
mirror=${DUET_DEBIAN_MIRROR:-http://deb.debian.org/debian}

mkdir -p "$dest" "$aptdir"
dest=$(cd "$dest" && pwd)
aptdir=$(cd "$aptdir" && pwd)

if [ "$mode" = unpack ] && [ -f "$dest/.duet-fetched" ]; then
    tree=$(cat "$dest/.duet-fetched")
    if [ -d "$tree" ]; then
        echo "apt-source: reusing $tree" >&2
        echo "$tree"
        exit 0
    fi
fi

[ "$mode" = --download-only ] || command -v dpkg-source >/dev/null 2>&1 || {
    echo "apt-source: dpkg-source missing: install dpkg-dev (scripts/deps.sh)" >&2
    exit 1
}

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
# As root apt drops to the _apt user to download, which cannot write into our
# (root-owned) build tree; download as ourselves instead.
if [ "$(id -u)" -eq 0 ]; then
    set -- "$@" -o APT::Sandbox::User=root
fi

# Serialise concurrent fetches sharing one APTDIR (e.g. make -j).
exec 9>"$aptdir/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# Refresh the index unless a recent one (< 1 day) is there.
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2>/dev/null | head -n1)" ]; then
    echo "apt-source: apt-get update ($suite deb-src)" >&2
    apt-get -q "$@" update >&2
fi

# Clean any partial earlier attempt, then fetch and unpack.
find "$dest" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
if [ "$mode" = --download-only ]; then
    echo "apt-source: apt-get source --download-only $pkg" >&2
    (cd "$dest" && apt-get -q "$@" source --download-only "$pkg") >&2
    echo "$dest"
    exit 0
fi
echo "apt-source: apt-get source $pkg" >&2
(cd "$dest" && apt-get -q "$@" source "$pkg") >&2

tree=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | head -n1)
if [ -z "$tree" ]; then
    echo "apt-source: no unpacked tree for $pkg in $dest" >&2
    exit 1
fi
echo "$tree" > "$dest/.duet-fetched"
echo "$tree"
