#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages vsched needs to build and test, when missing.
#   deps.sh build   compilers, libraries, sparse, dkms
#   deps.sh test    build + QEMU, the guest tools, linux-source for KUnit
#   deps.sh bench   test + the anchors and tools of make bench (ipvsadm,
#                   keepalived, gnuplot for the plots)
# Kernel images and the 6.12 headers are never installed: tests/vm/kernels.sh
# unpacks them into a cache, so the host's boot kernel never changes.
set -euo pipefail

build=(gcc make pkg-config libnl-3-dev libnl-genl-3-dev libjansson-dev
       libconfig-dev libcurl4-openssl-dev libsystemd-dev libmicrohttpd-dev
       libhttp-parser-dev
       sparse dkms kmod bc flex bison libelf-dev libssl-dev dwarves)
test=(qemu-system-x86 busybox-static iproute2 curl ethtool conntrack
      iptables nftables procps psmisc python3 jq linux-source-6.1 perl
      libnetfilter-queue-dev clang libclang-rt-14-dev)
bench=(ipvsadm keepalived gnuplot-nox util-linux iperf3)

# clang, libclang-rt-14-dev: libFuzzer and the sanitizers of tests/fuzz.
# dwarves: pahole, which the 6.12 headers (they ship vmlinux) run to add
# BTF to every module they build; without it the link fails with 127.
want=("${build[@]}")
case ${1:-build} in
build) ;;
test) want+=("${test[@]}") ;;
bench) want+=("${test[@]}" "${bench[@]}") ;;
*) echo "usage: deps.sh [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
# The headers of the 6.1 line do not pull a kernel image: install them so
# `make` and DKMS work here; 6.12's are unpacked by tests/vm/kernels.sh.
if ! compgen -G '/usr/src/linux-headers-6.1.0-*-amd64' >/dev/null; then
	missing+=(linux-headers-amd64)
fi
((${#missing[@]})) || exit 0
echo "deps: installing ${missing[*]}"
if [[ $(id -u) != 0 ]]; then
	echo "deps: run as root (or install: ${missing[*]})" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
