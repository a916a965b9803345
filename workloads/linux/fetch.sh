#!/bin/sh
# Debian's stock amd64 kernel and busybox-static into OUT (bin/linux): the bzImage as
# vmlinuz, its payload decompressed as vmlinux, and busybox. Fetched by the build with
# apt-get download, never committed; skipped when OUT already has them.
set -eu
out=$1
[ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/busybox" ] && exit 0
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
pkg=$(kernel_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq
	pkg=$(kernel_pkg)
fi
[ -n "$pkg" ] || { echo "fetch.sh: no linux-image-amd64 in the package lists (run apt-get update as root)" >&2; exit 1; }
(cd "$tmp" && apt-get download -q "$pkg" busybox-static >/dev/null 2>&1) ||
	{ echo "fetch.sh: apt-get download $pkg busybox-static failed" >&2; exit 1; }
dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/k"
dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/b"
vmlinuz=$(ls "$tmp"/k/boot/vmlinuz-*)
# the protected-mode payload (boot protocol 2.08+): setup_sects at 0x1f1, payload_offset
# and payload_length at 0x248 and 0x24c
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
setup=$(u8 "$vmlinuz" 497)
off=$(( (setup + 1) * 512 + $(u32 "$vmlinuz" 584) ))
len=$(u32 "$vmlinuz" 588)
magic=$(tail -c +$((off + 1)) "$vmlinuz" | head -c 6 | od -An -tx1 | tr -d ' ')
# xz: one stream, whatever follows it (its end lies a few bytes past payload_length)
case "$magic" in
fd377a585a00) tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream > "$tmp/vmlinux" ;;
28b52ffd*) tail -c +$((off + 1)) "$vmlinuz" | head -c "$len" | zstd -dcq > "$tmp/vmlinux" ;;
*) echo "fetch.sh: $vmlinuz has a payload pvbench cannot decompress (magic $magic)" >&2; exit 1 ;;
esac
cp "$vmlinuz" "$out/vmlinuz"
cp "$tmp/b/bin/busybox" "$out/busybox"
mv "$tmp/vmlinux" "$out/vmlinux"
echo "fetched $pkg and busybox-static into $out"
