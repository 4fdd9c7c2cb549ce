#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run vsched's KUnit suites (kmod/*_test.c) with kunit.py from Debian's
# linux-source-6.1 package: under UML, or under QEMU with checkers on.
#
#   tests/kunit/run.sh [--debug | --x86 | --bench] [--kmod DIR]
#                      [-- KUNIT.PY-RUN-ARGS...]
#
#   (none)   UML, tests/kunit/.kunitconfig                  (make check)
#   --debug  UML + tests/kunit/debug.config: KASAN (generic, with
#            KASAN_VMALLOC) and lockdep (PROVE_LOCKING, so PROVE_RCU)
#   --x86    kunit.py --arch=x86_64 in QEMU (TCG; KVM if tests/vm/run.sh
#            found it working)
#            + tests/kunit/x86_64.config: DEBUG_ATOMIC_SLEEP, lockdep,
#            KASAN, SMP; UML in 6.1 has ARCH_NO_PREEMPT, so it cannot
#            check for sleeping in atomic context
#   --bench  UML + tests/kunit/bench.config: the vsched-bench-* suites
#            too (microbenchmarks, tests/bench/micro.sh)
#
# Prints kunit.py's report, then "N passed, N failed"; exits non-zero when a
# test fails or crashes, the build fails, no test ran, or the kernel log
# holds a checker report. The last: kunit.py parses only the KTAP lines, so
# a KASAN or lockdep report printed between two passing tests leaves the
# summary green. Every mode therefore greps the whole kernel log (kunit.py
# tees it to BUILD/test.log) for "BUG: " (KASAN, sleeping in atomic
# context, scheduling while atomic, bad spinlock...), "WARNING: " (WARN*()
# and lockdep's circular/recursive locking, inconsistent lock state and
# suspicious RCU usage reports, which all open with it), those lockdep
# titles again, "UBSAN: ", "Oops" and "Kernel panic", and prints each hit
# and "kunit: FAIL: checker report in the kernel log". The base config turns
# UML's PCI-over-virtio off: without a device ID (none is assigned) it
# WARNs at every boot, which would hide real warnings or fail every run.
# Slow modes (--debug, --x86) belong to "make stress", not "make check";
# durations on the 2-CPU host are in Documentation/hardening.rst.
#
# The overlay. kunit.py builds only in-tree code, so kmod/ is grafted into a
# kernel tree extracted once from /usr/src/linux-source-6.1.tar.xz:
#   $cache/linux-source-VER/              the extraction (stamp .vsched-ok)
#     net/vsched -> $cache/overlay/kmod   symlink, re-pointed every run
#     net/Kconfig                         + source "net/vsched/Kconfig"
#     net/Makefile                        + obj-$(CONFIG_VSCHED) += vsched/
#   $cache/overlay/kmod/                  one symlink per kmod source file
#   $cache/overlay/uapi -> REPO/uapi      for kmod/Kbuild's -I.../../uapi
#   $cache/build-HASH/                    O= build dir, HASH over the
#                                         source version, the arch and the
#                                         kunitconfig fragments, so each
#                                         mode keeps its own build
#     .vsched-sources                     hash of the sources last built
# The overlay links the source files one by one rather than the kmod/
# directory itself: an out-of-tree build leaves objects and compat-gen.h in
# kmod/, and the in-tree build would pick those up (make's VPATH finds the
# objects, "compat-gen.h" is found next to compat.h before $(obj)). Edits
# are still live, and rebuilds incremental, since make follows the links.
# The lines added to net/Kconfig and net/Makefile are added once. One run
# at a time per cache (flock), since runs share the tree and the build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kmod=$top/kmod
arch=um
cfgs=("$top/tests/kunit/.kunitconfig")
while (($#)); do
	case $1 in
	--kmod) kmod=$(cd "$2" && pwd); shift 2 ;;
	--debug) cfgs+=("$top/tests/kunit/debug.config"); shift ;;
	--x86) arch=x86_64; cfgs+=("$top/tests/kunit/x86_64.config"); shift ;;
	--bench) cfgs+=("$top/tests/kunit/bench.config"); shift ;;
	--) shift; break ;;
	-h|--help) sed -n '3,34p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--debug | --x86 | --bench] [--kmod DIR] [-- KUNIT.PY-ARGS...]" >&2
	   exit 2 ;;
	esac
done
((${#cfgs[@]} <= 2)) || { echo "kunit: --debug, --x86 and --bench are exclusive" >&2; exit 2; }
cache=${VSCHED_CACHE:-/var/cache/vsched}/kunit

# Debian packages, installed only when missing.
need=()
dpkg-query -W -f='${Status}' linux-source-6.1 2>/dev/null |
	grep -q "ok installed" || need+=(linux-source-6.1)
for t in bc:bc flex:flex bison:bison python3:python3 gcc:gcc make:make \
	 xz:xz-utils flock:util-linux; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if ((${#need[@]})); then
	echo "kunit: installing ${need[*]}"
	apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
src=$cache/linux-source-$ver
if [[ ! -e $src/.vsched-ok ]]; then
	echo "kunit: extracting linux-source-6.1 $ver into $src"
	rm -rf "$src" "$cache/linux-source-6.1"
	tar -C "$cache" -xf /usr/src/linux-source-6.1.tar.xz
	mv "$cache/linux-source-6.1" "$src"
	touch "$src/.vsched-ok"
fi

# The overlay's source files: what git tracks or would track in kmod/, or
# (for a directory outside git) the usual source names minus generated ones.
ov=$cache/overlay
mkdir -p "$ov/kmod"
if git -C "$kmod" rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git -C "$kmod" ls-files -co --exclude-standard . |
			     grep -v /)
else
	mapfile -t files < <(cd "$kmod" && ls Kconfig Kbuild Makefile *.[ch] *.sh \
			     2>/dev/null | grep -vE '\.mod\.c$|^compat-gen\.h$')
fi
find "$ov/kmod" -mindepth 1 -maxdepth 1 -delete
for f in "${files[@]}"; do
	[[ -f $kmod/$f ]] && ln -s "$kmod/$f" "$ov/kmod/$f"
done
ln -sfn "$top/uapi" "$ov/uapi"
ln -sfn "$ov/kmod" "$src/net/vsched"
grep -q '^source "net/vsched/Kconfig"' "$src/net/Kconfig" ||
	sed -i '/^endif[[:space:]]*# if NET$/i source "net/vsched/Kconfig"' \
		"$src/net/Kconfig"
grep -q '^source "net/vsched/Kconfig"' "$src/net/Kconfig" || {
	echo "kunit: could not hook net/vsched/Kconfig into net/Kconfig" >&2
	exit 1
}
grep -q '^obj-$(CONFIG_VSCHED) += vsched/$' "$src/net/Makefile" ||
	echo 'obj-$(CONFIG_VSCHED) += vsched/' >>"$src/net/Makefile"

build=$cache/build-$({ echo "$ver $arch"; cat "${cfgs[@]}"; } |
		      sha1sum | cut -c1-12)
mkdir -p "$build"
# make rebuilds by mtime, and the links may now point into another tree
# (a worktree, --kmod) whose files are older than the objects built from
# the last one: those objects would be linked in unchanged. So the build
# remembers a hash of the sources it was last run with, and vsched's
# objects go when it differs.
sum=$(cd "$ov" && for f in kmod/* uapi/linux/*; do echo "$f"; cat "$f"; done |
      sha1sum | cut -d' ' -f1)
if [[ $(cat "$build/.vsched-sources" 2>/dev/null) != "$sum" ]]; then
	rm -rf "$build/net/vsched"
	echo "$sum" >"$build/.vsched-sources"
fi
timeout=300
[[ $arch == um ]] || timeout=900
kargs=(--arch="$arch" --build_dir="$build" --jobs="$(nproc)" --timeout="$timeout")
for c in "${cfgs[@]}"; do
	kargs+=(--kunitconfig="$c")
done
# kunit.py (6.1) starts QEMU without an accelerator, so TCG. KVM only if
# tests/vm/run.sh's probe boot found it working on this host since its
# boot: /dev/kvm can open on hosts where the guest then hangs.
if [[ $arch != um ]]; then
	probe=$cache/../kvm-probe
	if read -r id verdict <"$probe" 2>/dev/null && [[ $verdict == yes &&
	   $id == "$(cat /proc/sys/kernel/random/boot_id)" ]]; then
		kargs+=(--qemu_args="-accel kvm -cpu host -smp 2")
	else
		kargs+=(--qemu_args="-accel tcg,thread=multi -cpu max -smp 2")
	fi
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rm -f "$build/test.log"
rc=0
(cd "$src" && python3 tools/testing/kunit/kunit.py run "${kargs[@]}" "$@") 2>&1 |
	tee "$log" || rc=$?

# The kernel's own log, for callers that read what the tests printed
# (tests/bench/micro.sh).
if [[ -n ${VSCHED_KUNIT_RAWLOG:-} ]]; then
	cp "$build/test.log" "$VSCHED_KUNIT_RAWLOG" 2>/dev/null || : >"$VSCHED_KUNIT_RAWLOG"
fi

# "Testing complete. Ran 7 tests: passed: 6, failed: 1" (counts of zero are
# left out; crashed and errors count as failures).
line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep 'Testing complete\.' | tail -n1) || true
count() { grep -oE "$1: [0-9]+" <<<"$line" | grep -oE '[0-9]+' || echo 0; }
p=$(count passed)
f=$(($(count failed) + $(count crashed) + $(count errors)))
ran=$((p + f))
if ((ran == 0)); then
	echo "kunit: no test ran (see above)" >&2
	f=1
	((rc)) || rc=1
fi

# Checker reports in the raw kernel log (see the top of this file).
bad='BUG: |WARNING: |possible circular locking|possible recursive locking'
bad+='|inconsistent lock state|suspicious RCU usage|UBSAN: |Oops|Kernel panic'
if [[ -s $build/test.log ]]; then
	hits=$(grep -aE "$bad" "$build/test.log") || true
	if [[ $hits ]]; then
		sed 's/^/kunit: kernel log: /' <<<"$hits" >&2
		echo "kunit: FAIL: checker report in the kernel log" \
		     "(lines above; whole log: $build/test.log)" >&2
		((rc)) || rc=1
	fi
elif ((ran)); then
	echo "kunit: no kernel log at $build/test.log to scan" >&2
	((rc)) || rc=1
fi
echo "$p passed, $f failed"
((rc == 0 && f == 0))
