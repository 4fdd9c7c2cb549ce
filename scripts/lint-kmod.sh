#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lint the kernel module: build it with W=1 and sparse (C=1) against each
# given kernel build dir, failing on any warning, then run checkpatch --strict
# on its sources.
#
#   scripts/lint-kmod.sh [KDIR...]
#
# Without KDIR: every linux-headers-*-amd64 in /usr/src and in the kernel
# cache of tests/vm/kernels.sh. Prints one "ok - ..."/"not ok - ..." line per
# check, the offending lines under it, and "N passed, N failed" last.
# Each build happens in a private copy of the sources in a temporary
# directory, so nothing is left in kmod/ and concurrent builds never share
# objects (or pick up a stale kmod/compat-gen.h).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VSCHED_CACHE:-/var/cache/vsched}

kdirs=("$@")
if ((${#kdirs[@]} == 0)); then
	for d in /usr/src/linux-headers-*-amd64 \
		 "$cache"/kernels/*/usr/src/linux-headers-*-amd64; do
		[[ -f $d/Makefile ]] && kdirs+=("$d")
	done
	((${#kdirs[@]})) || { echo "lint: no kernel headers found" >&2; exit 2; }
fi

# Debian packages, installed only when missing.
need=()
for t in sparse:sparse perl:perl make:make gcc:gcc xz:xz-utils; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
dpkg-query -W -f='${Status}' linux-source-6.1 2>/dev/null |
	grep -q "ok installed" || need+=(linux-source-6.1)
if ((${#need[@]})); then
	echo "lint: installing ${need[*]}"
	apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi

tmp=$(mktemp -d /tmp/vsched-lint.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
result() {
	# result OK|FAIL DESCRIPTION [LOGFILE]: the TAP-like line, then the log
	if [[ $1 == OK ]]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		[[ -n ${3:-} ]] && sed 's/^/#   /' "$3"
		fail=$((fail + 1))
	fi
}

# The module's sources: what git tracks or would track (so never build
# products), else the usual source names.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t srcs < <(git -C "$top" ls-files -co --exclude-standard -- \
			    Kbuild kmod uapi)
else
	mapfile -t srcs < <(cd "$top" && ls Kbuild kmod/Kconfig kmod/Kbuild \
			    kmod/*.[ch] kmod/*.sh uapi/linux/*.h 2>/dev/null |
			    grep -vE '\.mod\.c$|/compat-gen\.h$')
fi

# 1. W=1 C=1 builds. Any "warning:" or "error:" line fails, whether from gcc
# or sparse, and whichever file it names: a header warning that only our use
# triggers is still ours to silence.
n=0
for kdir in "${kdirs[@]}"; do
	n=$((n + 1))
	copy=$tmp/build$n
	mkdir -p "$copy"
	(cd "$top" && cp --parents -p "${srcs[@]}" "$copy/")
	log=$tmp/build$n.log
	rc=0
	make -C "$kdir" M="$copy" W=1 C=1 -j"$(nproc)" modules >"$log" 2>&1 || rc=$?
	sed -i "s|$copy/||g" "$log"
	if ((rc == 0)) && ! grep -qE '(warning|error):' "$log"; then
		result OK "build W=1 C=1 against $kdir"
	else
		grep -E '(warning|error):|\*\*\*' "$log" >"$log.bad" || cp "$log" "$log.bad"
		result FAIL "build W=1 C=1 against $kdir (make exit $rc)" "$log.bad"
	fi
done

# 2. checkpatch from the linux-source-6.1 tree that tests/kunit/run.sh
# extracts; if that is not there yet, only the three files checkpatch needs
# are taken out of the tarball (its spelling list and const-struct list are
# read from the script's own directory, which --no-tree allows).
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cpdir=$cache/kunit/linux-source-$ver/scripts
if [[ ! -e $cache/kunit/linux-source-$ver/.vsched-ok ]]; then
	cpdir=$cache/kunit/checkpatch-$ver
	if [[ ! -e $cpdir/checkpatch.pl ]]; then
		echo "lint: extracting checkpatch from linux-source-6.1 $ver"
		mkdir -p "$cache/kunit"
		part=$(mktemp -d "$cache/kunit/.checkpatch.XXXXXX")
		tar -C "$part" -xf /usr/src/linux-source-6.1.tar.xz \
			--strip-components=2 linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
		rm -rf "$cpdir"
		mv "$part" "$cpdir" || rm -rf "$part"
	fi
fi
# No --ignore: none of checkpatch's file-mode checks is specific to code in
# the kernel tree. The patch-only ones (FILE_PATH_CHANGES, the MAINTAINERS
# and commit-message checks) never fire under -f, and --no-tree turns off the
# in-tree lookups. SPDX_LICENSE_TAG applies: every file carries one, and the
# uapi header's "(GPL-2.0 WITH Linux-syscall-note) OR MIT" is an accepted
# one. LINUX_VERSION_CODE stays on: compatibility goes through compat-gen.h,
# never through version checks. At --strict a CHECK also exits 1; any output
# counts as a finding all the same.
for f in "${srcs[@]}"; do
	[[ $f == *.[ch] ]] || continue
	log=$tmp/checkpatch.log
	if (cd "$top" && perl "$cpdir/checkpatch.pl" --strict --no-tree --terse \
			--show-types --no-summary -f "$f") >"$log" 2>&1 &&
	   [[ ! -s $log ]]; then
		result OK "checkpatch $f"
	else
		result FAIL "checkpatch $f" "$log"
	fi
done

echo "$pass passed, $fail failed"
((fail == 0))
