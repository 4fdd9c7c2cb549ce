#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run vsched's KUnit suites (kmod/*_test.c) under UML with kunit.py from
# Debian's linux-source-6.1 package.
#
#   tests/kunit/run.sh [--kmod DIR] [-- KUNIT.PY-RUN-ARGS...]
#
# Prints kunit.py's report, then "N passed, N failed"; exits non-zero when a
# test fails or crashes, the build fails, or no test ran.
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
#                                         kunitconfig and the source version
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
while (($#)); do
	case $1 in
	--kmod) kmod=$(cd "$2" && pwd); shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '3,9p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--kmod DIR] [-- KUNIT.PY-ARGS...]" >&2; exit 2 ;;
	esac
done
cache=${VSCHED_CACHE:-/var/cache/vsched}/kunit
cfg=${VSCHED_KUNITCONFIG:-$top/tests/kunit/.kunitconfig}

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

build=$cache/build-$({ echo "$ver"; cat "$cfg"; } | sha1sum | cut -c1-12)
mkdir -p "$build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
(cd "$src" && python3 tools/testing/kunit/kunit.py run --arch=um \
	--kunitconfig="$cfg" --build_dir="$build" --jobs="$(nproc)" \
	--timeout=300 "$@") 2>&1 | tee "$log" || rc=$?

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
if ((p + f == 0)); then
	echo "kunit: no test ran (see above)" >&2
	f=1
	((rc)) || rc=1
fi
echo "$p passed, $f failed"
((rc == 0 && f == 0))
