#!/bin/sh
# Debian's Xen hypervisor (xen-hypervisor-4.17-amd64, a Multiboot v1 kernel) into OUT/xen,
# decompressed: a held-out real kernel for the tests. Fetched by the build with apt-get
# download, never committed; skipped when OUT/xen exists.
set -eu
out=$1
[ -s "$out/xen" ] && exit 0
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xen_pkg() { apt-cache search --names-only '^xen-hypervisor-4\.[0-9]+-amd64$' 2>/dev/null | awk '{ print $1 }' | sort -V | tail -1; }
pkg=$(xen_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -qq
	pkg=$(xen_pkg)
fi
[ -n "$pkg" ] || { echo "fetch-xen.sh: no xen-hypervisor package in the package lists (run apt-get update as root)" >&2; exit 1; }
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) || { echo "fetch-xen.sh: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$tmp"/xen-hypervisor-*.deb "$tmp/x"
gzip -dc "$tmp"/x/boot/xen-*-amd64.gz > "$tmp/xen"
mv "$tmp/xen" "$out/xen"
echo "fetched $pkg into $out"
