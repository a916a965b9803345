#!/bin/sh
# Debian's stock kernel and busybox-static for ARCH (amd64, default, or i386) into OUT:
# the bzImage as vmlinuz, for amd64 its payload decompressed as vmlinux, and busybox.
# Fetched by the build with apt-get download, never committed; skipped when OUT already
# has them. i386 packages need dpkg's foreign architecture, added here when root.
set -eu
out=$1
arch=${2:-amd64}
case "$arch" in
amd64) flavour=amd64 suffix= ;;
i386) flavour=686 suffix=:i386 ;;
*) echo "fetch.sh: unknown architecture $arch (amd64 or i386)" >&2; exit 1 ;;
esac
[ -s "$out/vmlinuz" ] && [ -s "$out/busybox" ] && { [ "$arch" != amd64 ] || [ -s "$out/vmlinux" ]; } && exit 0
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernel_pkg() { apt-cache depends "linux-image-$flavour$suffix" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
pkg=$(kernel_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	if [ "$arch" = i386 ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
		dpkg --add-architecture i386
	fi
	apt-get update -qq
	pkg=$(kernel_pkg)
fi
[ -n "$pkg" ] || { echo "fetch.sh: no linux-image-$flavour$suffix in the package lists (run apt-get update as root${suffix:+, after dpkg --add-architecture i386})" >&2; exit 1; }
(cd "$tmp" && apt-get download -q "$pkg" "busybox-static$suffix" >/dev/null 2>&1) ||
	{ echo "fetch.sh: apt-get download $pkg busybox-static$suffix failed" >&2; exit 1; }
dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/k"
dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/b"
vmlinuz=$(ls "$tmp"/k/boot/vmlinuz-*)
if [ "$arch" = amd64 ]; then
	# the protected-mode payload (boot protocol 2.08+): setup_sects at 0x1f1,
	# payload_offset and payload_length at 0x248 and 0x24c
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
	mv "$tmp/vmlinux" "$out/vmlinux"
fi
cp "$vmlinuz" "$out/vmlinuz"
cp "$tmp/b/bin/busybox" "$out/busybox"
echo "fetched $pkg and busybox-static$suffix into $out"
