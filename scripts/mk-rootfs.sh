#!/bin/sh
# mk-rootfs.sh STAGING OUT.cpio PROGRAM...
#
# Lays out the initramfs in STAGING (wiped first) and packs it as cpio newc
# into OUT.cpio:
#   /bin/<program>  each PROGRAM given (the built user/*.c programs)
#   /bin/busybox + applet links in /bin, /sbin, /usr/bin, /usr/sbin
#                   if WITH_BUSYBOX=1 and $BUILD/busybox/busybox exists
#   /dev            with console, null, zero, tty nodes when we may mknod
#                   (as root, or under fakeroot); the kernel provides
#                   /dev/null and /dev/zero itself in any case
#   /tmp /proc /sys /root /etc (passwd, shadow, group, hostname)
#   /home/user      the non-root user's home (uid 1000), see docs/USERS.md
#   $BUILD/rootfs-lib/.  shared libraries and loaders (mk/userlibc.mk), if staged
#   rootfs/skel/.   copied over that, if it exists
#   $EXTRA/.        merged over everything, if EXTRA is set
# Entries are sorted and owned by root (but /home/user), with the modes set
# here (/etc/shadow 0600, /bin/busybox set-user-ID for su, login and passwd),
# so the archive is reproducible from the same inputs (timestamps aside).
# Owners need fakeroot (or root): without it every entry is packed as root.
set -eu

[ $# -ge 2 ] || { echo "usage: mk-rootfs.sh STAGING OUT.cpio PROGRAM..." >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

# Device nodes and owners need root: re-run under fakeroot when we are not.
# Its state is saved in STAGING.fakeroot, so that `make disk` can build the
# ext2 image under the same fakeroot and keep the owners (docs/USERS.md).
if [ "$(id -u)" -ne 0 ] && [ -z "${FAKEROOTKEY:-}" ] && command -v fakeroot >/dev/null 2>&1; then
    exec fakeroot -s "$1.fakeroot" -- sh "$0" "$@"
fi
[ -n "${FAKEROOTKEY:-}" ] || rm -f "$1.fakeroot"	# real root: the owners are real

stage=$1
out=$2
shift 2
build=${BUILD:-build}
busybox=${BUSYBOX:-$build/busybox/busybox}	# BUSYBOX=: another build (mk/userlibc.mk)

rm -rf "$stage"
mkdir -p "$stage"
cd "$stage"
stage_abs=$(pwd)
cd - >/dev/null

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/dev" \
    "$stage/etc" "$stage/proc" "$stage/sys" "$stage/root" "$stage/tmp" "$stage/home/user"
chmod 1777 "$stage/tmp"
chmod 700 "$stage/root"

cat > "$stage/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
P
cat > "$stage/etc/group" <<'G'
root:x:0:
users:x:100:user
user:x:1000:
nogroup:x:65534:
G
# Test passwords (docs/USERS.md): root's is "root", user's is "user".  The
# hashes are fixed SHA-512 crypt strings (openssl passwd -6 -salt duetroot
# root, and -salt duetuser user) so the build needs no extra tool.
cat > "$stage/etc/shadow" <<'S'
root:$6$duetroot$ihEKkV77fS3t9Fa3guejG3lwTK.zDjWW3XtEruikYwDmo9EFn/AcDJWP7Pb6UHuPyxwxmLcEAJG6hbc6tYBm.1:20000:0:99999:7:::
user:$6$duetuser$irAGp4YuN56qCF3/OxXk7oQWDT5x.CRKD4PybPcehe1DNAvTAG8SFq8rvEnTwzZu/fnXJKPqiZfaALWIJbhiz0:20000:0:99999:7:::
nobody:*:20000:0:99999:7:::
S
chmod 600 "$stage/etc/shadow"
echo '# login shell settings of the test user' > "$stage/home/user/.profile"
echo duet > "$stage/etc/hostname"

mk_node() { mknod -m "$4" "$stage/dev/$1" c "$2" "$3" 2>/dev/null; }
if ! mk_node console 5 1 600; then
    echo "mk-rootfs: cannot mknod (not root, no fakeroot): no /dev nodes" >&2
else
    mk_node null 1 3 666
    mk_node zero 1 5 666
    mk_node tty 5 0 666
fi

# Busybox first, so that the project's own programs win any name clash.
if [ "${WITH_BUSYBOX:-}" = 1 ]; then
    if [ -x "$busybox" ]; then
        cp "$busybox" "$stage/bin/busybox"
        links=""
        if command -v qemu-riscv64 >/dev/null 2>&1 &&
           links=$(qemu-riscv64 "$busybox" --list-full 2>/dev/null) && [ -n "$links" ]; then
            :
        elif [ -f "$build/busybox/busybox.links" ]; then
            links=$(cat "$build/busybox/busybox.links")
        else
            links=$(cat "$top/rootfs/busybox.applets")
        fi
        n=0
        for l in $links; do
            l=${l#/}
            [ "$l" = bin/busybox ] && continue
            dir=$(dirname "$l")
            mkdir -p "$stage/$dir"
            # Relative link to /bin/busybox.
            case $dir in
                bin) target=busybox ;;
                sbin) target=../bin/busybox ;;
                usr/bin|usr/sbin) target=../../bin/busybox ;;
                *) target=/bin/busybox ;;
            esac
            ln -sf "$target" "$stage/$l"
            n=$((n + 1))
        done
        echo "mk-rootfs: busybox with $n applet links"
    else
        echo "mk-rootfs: WITH_BUSYBOX=1 but $busybox missing (make busybox)" >&2
        exit 1
    fi
fi

for prog in "$@"; do
    dst=$stage/bin/$(basename "$prog")
    rm -f "$dst"
    cp "$prog" "$dst"
    chmod 755 "$dst"
done

if [ -d "$build/rootfs-lib" ]; then
    cp -R "$build/rootfs-lib/." "$stage/"
fi
if [ -d "$top/rootfs/skel" ]; then
    cp -R "$top/rootfs/skel/." "$stage/"
fi
if [ -n "${EXTRA:-}" ]; then
    [ -d "$EXTRA" ] || { echo "mk-rootfs: EXTRA=$EXTRA is not a directory" >&2; exit 1; }
    cp -R "$EXTRA/." "$stage/"
fi

# Owners: everything root's but the user's home.  cpio packs the owners it
# finds; outside fakeroot (a non-root build without it) they are the build
# user's, so force root then.
owner="--owner=0:0"
if [ "$(id -u)" -eq 0 ] && chown -R 0:0 "$stage_abs" 2>/dev/null &&
   chown -R 1000:1000 "$stage_abs/home/user"; then
    owner=""
    chmod 700 "$stage_abs/home/user"
    [ -f "$stage_abs/bin/busybox" ] && chmod 4755 "$stage_abs/bin/busybox"
else
    echo "mk-rootfs: no root or fakeroot: every file owned by root, busybox not set-user-ID" >&2
fi

mkdir -p "$(dirname "$out")"
(cd "$stage_abs" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc $owner --quiet) > "$out.tmp"
mv -f "$out.tmp" "$out"
echo "mk-rootfs: $out: $(find "$stage_abs" -mindepth 1 | wc -l) entries, $(wc -c < "$out") bytes"
