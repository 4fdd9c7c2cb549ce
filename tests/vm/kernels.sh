#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Find, download and unpack the Debian kernels vsched is tested against.
#
#   kernels.sh list        print the target kernel versions, one per line
#   kernels.sh fetch KVER  download image+headers+common+kbuild debs, unpack
#                          them into one root, run depmod, print KDIR
#   kernels.sh kdir KVER   print KDIR (the unpacked linux-headers-KVER)
#   kernels.sh root KVER   print the unpacked root
#
# Nothing is installed on the host: the packages are extracted with dpkg-deb
# into $VSCHED_CACHE/kernels/KVER, so a clean machine rebuilds the cache.
# A KVER ending in -vsched-debug is the debug kernel of the stress tier,
# built from source by debug-kernel.sh; fetch builds it (once).
set -euo pipefail

CACHE=${VSCHED_CACHE:-/var/cache/vsched}

log() { printf '[kernels] %s\n' "$*" >&2; }

need_tools() {
	local missing=()
	command -v apt-cache >/dev/null || { log "apt-cache missing: not a Debian host"; exit 1; }
	command -v dpkg-deb >/dev/null || missing+=(dpkg)
	command -v depmod >/dev/null || missing+=(kmod)
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt-get install -y --no-install-recommends "${missing[@]}" >&2
	fi
}

# Newest package name matching an extended regex, by version sort.
newest() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n1
}

list() {
	local k61 k612
	k61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64$')
	k612=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64$')
	[[ -n $k61 && -n $k612 ]] || { log "no target kernels found (apt-get update?)"; exit 1; }
	echo "${k61#linux-image-}"
	echo "${k612#linux-image-}"
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
is_debug() { [[ $1 == *-vsched-debug ]]; }
root_of() {
	if is_debug "$1"; then
		"$HERE/debug-kernel.sh" root
	else
		echo "$CACHE/kernels/$1"
	fi
}
kdir_of() {
	if is_debug "$1"; then
		echo "$(root_of "$1")/lib/modules/$1/build"
	else
		echo "$(root_of "$1")/usr/src/linux-headers-$1"
	fi
}

fetch_debug() {
	local built
	built=$("$HERE/debug-kernel.sh" build | tail -n1)
	[[ $built == "$1" ]] || { log "the debug kernel is $built, not $1"; exit 1; }
	kdir_of "$1"
}

# Value of field $2 of package $1 (candidate version only).
field() {
	apt-cache show --no-all-versions "$1" | sed -n "s/^$2: //p" | head -n1
}

fetch() {
	local kver=$1 root stamp ver deps common kbuild tmp deb
	if is_debug "$kver"; then
		fetch_debug "$kver"
		return
	fi
	[[ $kver =~ ^[0-9][0-9a-z.+~-]*-amd64$ ]] || { log "bad kernel version '$kver'"; exit 1; }
	root=$(root_of "$kver")
	stamp=$root/.vsched-unpacked
	if [[ -e $stamp ]]; then
		kdir_of "$kver"
		return
	fi
	need_tools
	ver=$(field "linux-headers-$kver" Version)
	[[ -n $ver ]] || { log "linux-headers-$kver unknown to apt"; exit 1; }
	deps=$(field "linux-headers-$kver" Depends | tr ',|' '\n\n' | awk '{print $1}')
	common=$(grep -E '^linux-headers-.*-common$' <<<"$deps" | head -n1)
	kbuild=$(grep -E '^linux-kbuild-' <<<"$deps" | head -n1)
	[[ -n $common && -n $kbuild ]] || { log "cannot resolve common/kbuild for $kver"; exit 1; }
	log "fetching $kver ($ver): linux-image-$kver linux-headers-$kver $common $kbuild"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	(cd "$tmp" && apt-get download -q "linux-image-$kver=$ver" \
		"linux-headers-$kver=$ver" "$common=$ver" "$kbuild=$ver" >&2)
	rm -rf "$root"
	mkdir -p "$root"
	for deb in "$tmp"/*.deb; do
		log "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$root"
	done
	[[ -e $root/boot/vmlinuz-$kver && -d $root/lib/modules/$kver/kernel ]] ||
		{ log "unpacked tree incomplete"; exit 1; }
	# Debian's headers assume they live in /usr/src: the Makefile includes
	# the common tree by absolute path and the build/source links are
	# absolute. Make all three relative so the unpacked root works anywhere
	# (make -C KDIR runs from KDIR, so a relative include resolves there).
	printf 'include ../%s/Makefile\n' "$common" \
		>"$(kdir_of "$kver")/Makefile"
	ln -sfn "../../../usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
	ln -sfn "../../../usr/src/$common" "$root/lib/modules/$kver/source"
	log "depmod -b $root $kver"
	depmod -b "$root" "$kver"
	[[ -e $(kdir_of "$kver")/Makefile ]] || { log "KDIR has no Makefile"; exit 1; }
	echo "$ver" >"$stamp"
	rm -rf "$tmp"
	trap - EXIT
	kdir_of "$kver"
}

mkdir -p "$CACHE/kernels"
case ${1:-} in
list) list ;;
fetch) [[ $# -eq 2 ]] || { echo "usage: $0 fetch KVER" >&2; exit 2; }; fetch "$2" ;;
kdir) [[ $# -eq 2 ]] || { echo "usage: $0 kdir KVER" >&2; exit 2; }; kdir_of "$2" ;;
root) [[ $# -eq 2 ]] || { echo "usage: $0 root KVER" >&2; exit 2; }; root_of "$2" ;;
*) echo "usage: $0 list | fetch KVER | kdir KVER | root KVER" >&2; exit 2 ;;
esac
