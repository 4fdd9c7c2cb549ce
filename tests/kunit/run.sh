#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run vsched's KUnit suites (kmod/*_test.c) under UML with kunit.py from
# Debian's linux-source-6.1 package.
#
# kunit.py builds only in-tree code, so kmod/ is overlaid into an extracted
# kernel tree: net/vsched is a symlink to this checkout's kmod/, plus one
# `source "net/vsched/Kconfig"` line in net/Kconfig and one
# `obj-$(CONFIG_VSCHED) += vsched/` line in net/Makefile. The tree and the
# build live under /var/cache/vsched/kunit (keyed by the package version and
# the kunitconfig), never in the checkout; a clean machine rebuilds them.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VSCHED_CACHE:-/var/cache/vsched}/kunit
cfg=$top/tests/kunit/vsched.kunitconfig

dpkg-query -W -f='${Status}' linux-source-6.1 2>/dev/null | grep -q "ok installed" ||
	"$top/scripts/deps.sh" test
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
src=$cache/src-$ver
mkdir -p "$cache"
if [[ ! -e $src/.vsched-extracted ]]; then
	echo "kunit: extracting linux-source-6.1 $ver into $src"
	rm -rf "$src" "$cache/linux-source-6.1"
	tar -C "$cache" -xf /usr/src/linux-source-6.1.tar.xz
	mv "$cache/linux-source-6.1" "$src"
	touch "$src/.vsched-extracted"
fi

# The overlay, pointed at this checkout each run.
ln -sfn "$top/kmod" "$src/net/vsched"
grep -q 'net/vsched/Kconfig' "$src/net/Kconfig" ||
	sed -i '/^endif   # if NET/i source "net/vsched/Kconfig"' "$src/net/Kconfig"
grep -q 'net/vsched/Kconfig' "$src/net/Kconfig" || {
	echo "kunit: could not hook net/vsched/Kconfig into net/Kconfig" >&2
	exit 1
}
grep -q 'CONFIG_VSCHED' "$src/net/Makefile" ||
	echo 'obj-$(CONFIG_VSCHED) += vsched/' >>"$src/net/Makefile"

build=$cache/build-$ver-$(sha1sum "$cfg" | cut -c1-12)
mkdir -p "$build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
(cd "$src" && python3 tools/testing/kunit/kunit.py run --arch=um \
	--kunitconfig="$cfg" --build_dir="$build" --jobs="$(nproc)" \
	--timeout=300) 2>&1 | tee "$log" || rc=$?

# "Testing complete. Ran N tests: passed: P, failed: F, ..." (6.1 format)
line=$(grep -E 'Testing complete\.' "$log" | tail -n1)
p=$(grep -oE 'passed: [0-9]+' <<<"$line" | grep -oE '[0-9]+' || echo 0)
f=$(grep -oE '(failed|crashed): [0-9]+' <<<"$line" | grep -oE '[0-9]+' |
    paste -sd+ | bc 2>/dev/null || echo 0)
f=${f:-0}
if [[ -z $line || ${p:-0} -eq 0 ]]; then
	echo "kunit: no test ran" >&2
	f=$((f + 1))
	rc=1
fi
echo "${p:-0} passed, $f failed"
((rc == 0 && f == 0))
