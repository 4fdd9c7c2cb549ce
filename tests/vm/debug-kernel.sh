#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of the stress tier from Debian's linux-source-6.1:
# a small VM config with KASAN, lockdep, DEBUG_ATOMIC_SLEEP and kmemleak,
# none of which Debian's own kernels have.
#
#   debug-kernel.sh [build]   build (once) and print the kernel release
#   debug-kernel.sh release   print the kernel release without building
#   debug-kernel.sh root      print the root (boot/, lib/modules/) for run.sh
#
# Everything lives in $VSCHED_CACHE/debug-kernel (src/ the extracted tree,
# built in place; root/ the installed image and modules). A stamp holding
# the hash of the option lists below and of the source tarball makes a
# second run a no-op; changing an option rebuilds incrementally.
set -euo pipefail

CACHE=${VSCHED_CACHE:-/var/cache/vsched}
DIR=$CACHE/debug-kernel
SRC=$DIR/src
ROOT=$DIR/root
TARBALL=${VSCHED_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
LOCALVERSION=-vsched-debug

log() { printf '[debug-kernel] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Built in: everything the VM runner needs before modules can load (virtio,
# 9p, overlay) and what the scenarios use without asking for it.
BUILTIN=(
	VIRTIO VIRTIO_PCI VIRTIO_MENU HW_RANDOM_VIRTIO
	NET_9P NET_9P_VIRTIO 9P_FS 9P_FS_POSIX_ACL OVERLAY_FS TMPFS
	DEVTMPFS BLK_DEV_INITRD SERIAL_8250 SERIAL_8250_CONSOLE
	NET INET UNIX PACKET IPV6 NET_NS USER_NS NAMESPACES
	CGROUPS MEMCG VETH DUMMY BRIDGE
	NETFILTER NETFILTER_ADVANCED NETFILTER_XTABLES
	NF_TABLES NF_TABLES_INET NF_TABLES_IPV4 NF_TABLES_IPV6 NFT_COMPAT
	IP_NF_IPTABLES IP_NF_FILTER IP_NF_TARGET_REJECT NF_REJECT_IPV4
	MODULES MODULE_UNLOAD DEBUG_FS DYNAMIC_DEBUG KALLSYMS KALLSYMS_ALL
	SYSFS SLUB SLUB_DEBUG
	KASAN KASAN_GENERIC PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK
)
# Modules: e2e/run.sh asserts that nf_conntrack is not loaded until a test
# asks for it, and vsched must load with conntrack absent.
MODULAR=(
	NF_CONNTRACK NF_NAT NF_DEFRAG_IPV4 NF_CT_NETLINK
	NFT_NAT NFT_CT NFT_MASQ IP_NF_NAT IP_NF_TARGET_MASQUERADE
	NETFILTER_XT_MATCH_CONNTRACK NETFILTER_XT_MATCH_STATE
	NETFILTER_XT_TARGET_MASQUERADE NETFILTER_XT_NAT
	NETFILTER_XT_MATCH_MULTIPORT
)
# Off: signing (the out-of-tree module is unsigned), debug info (size and
# time), automatic kmemleak scans (the runner scans once vsched is
# unloaded), and large subsystems a headless VM never uses.
DISABLED=(
	MODULE_SIG DEBUG_INFO_BTF DEBUG_KMEMLEAK_AUTO_SCAN
	DEBUG_KMEMLEAK_DEFAULT_OFF LOCALVERSION_AUTO
	DRM SOUND WIRELESS WLAN CFG80211 MAC80211 USB_SUPPORT
	HIBERNATION SUSPEND
)

# The namespaces, netfilter tables and sockets of the scenarios need more
# lockdep classes and kmemleak objects than the defaults hold.
EXTRA=(
	-e DEBUG_INFO_NONE -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT
	-d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5
	-e KASAN_INLINE -d KASAN_OUTLINE
	--set-str LOCALVERSION "$LOCALVERSION"
	--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
	--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 65536
	--set-val LOCKDEP_BITS 17 --set-val LOCKDEP_CHAINS_BITS 18
	--set-val LOCKDEP_STACK_TRACE_BITS 20
)

config() {
	local sc=$SRC/scripts/config o
	make -s -C "$SRC" defconfig kvm_guest.config >&2
	for o in "${BUILTIN[@]}"; do "$sc" --file "$SRC/.config" -e "$o"; done
	for o in "${MODULAR[@]}"; do "$sc" --file "$SRC/.config" -m "$o"; done
	for o in "${DISABLED[@]}"; do "$sc" --file "$SRC/.config" -d "$o"; done
	"$sc" --file "$SRC/.config" "${EXTRA[@]}"
	make -s -C "$SRC" olddefconfig >&2
	# olddefconfig silently drops what has unmet dependencies: check.
	local bad=()
	for o in "${BUILTIN[@]}"; do
		grep -qx "CONFIG_$o=y" "$SRC/.config" || bad+=("$o=y")
	done
	for o in "${MODULAR[@]}"; do
		grep -qx "CONFIG_$o=m" "$SRC/.config" || bad+=("$o=m")
	done
	for o in "${DISABLED[@]}"; do
		grep -qE "^CONFIG_$o=" "$SRC/.config" && bad+=("$o off")
	done
	grep -qx CONFIG_DEBUG_INFO_NONE=y "$SRC/.config" || bad+=("DEBUG_INFO_NONE=y")
	((${#bad[@]} == 0)) || die "config did not take: ${bad[*]}"
}

release() { make -s -C "$SRC" kernelrelease; }

build() {
	local key stamp=$DIR/.stamp kver t0
	key=$(printf '%s\n' "${BUILTIN[@]}" "${MODULAR[@]}" "${DISABLED[@]}" \
		"${EXTRA[@]}" "$(stat -c %s-%Y "$TARBALL")" | sha256sum | cut -c1-16)
	if [[ -r $stamp && $(cat "$stamp") == "$key" && -d $SRC ]]; then
		release
		return
	fi
	[[ -r $TARBALL ]] || die "$TARBALL missing: apt-get install linux-source-6.1"
	mkdir -p "$DIR"
	# Two runners starting together build once; the second then finds the stamp.
	exec 9>"$DIR/.lock"
	flock 9
	if [[ -r $stamp && $(cat "$stamp") == "$key" ]]; then
		release
		return
	fi
	if [[ ! -e $SRC/.extracted ]]; then
		log "extracting $TARBALL into $SRC"
		rm -rf "$SRC"
		mkdir -p "$SRC"
		tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
		touch "$SRC/.extracted"
	fi
	config
	log "building (nice -n 19, -j2; 30-60 minutes the first time)"
	t0=$SECONDS
	nice -n 19 make -s -C "$SRC" -j2 bzImage modules >&2
	# Only now: LOCALVERSION reaches kernelrelease through auto.conf.
	kver=$(release)
	nice -n 19 make -s -C "$SRC" -j2 modules_prepare >&2
	rm -rf "$ROOT"
	mkdir -p "$ROOT/boot"
	make -s -C "$SRC" INSTALL_MOD_PATH="$ROOT" modules_install >&2
	cp "$SRC/arch/x86/boot/bzImage" "$ROOT/boot/vmlinuz-$kver"
	cp "$SRC/.config" "$ROOT/boot/config-$kver"
	# The tree itself is the build directory of out-of-tree modules.
	ln -sfn "$SRC" "$ROOT/lib/modules/$kver/build"
	ln -sfn "$SRC" "$ROOT/lib/modules/$kver/source"
	log "built $kver in $(((SECONDS - t0) / 60)) min"
	echo "$key" >"$stamp"
	echo "$kver"
}

case ${1:-build} in
build) build ;;
release) [[ -e $SRC/.extracted ]] || die "not built yet"; release ;;
root) echo "$ROOT" ;;
*) echo "usage: $0 [build|release|root]" >&2; exit 2 ;;
esac
