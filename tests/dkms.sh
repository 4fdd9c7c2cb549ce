#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `dkms add/build` against the headers of every target kernel, in a private
# DKMS tree so that reruns start clean and the host's DKMS state is untouched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=$work/src/vsched-$ver
mkdir -p "$src" "$work/tree"
# What the package ships: the tree as git knows it.
git -C "$top" ls-files -z --cached --others --exclude-standard | (cd "$top" && xargs -0 cp --parents -t "$src")
common=(--dkmstree "$work/tree" --sourcetree "$work/src")
dkms add "${common[@]}" -m vsched -v "$ver" >"$work/add.log" 2>&1 ||
	{ sed 's/^/# /' "$work/add.log"; echo "0 passed, 1 failed"; exit 1; }
pass=0 fail=0
for kver in $("$top/tests/vm/kernels.sh" list); do
	kdir=$("$top/tests/vm/kernels.sh" fetch "$kver" | tail -n1)
	if dkms build "${common[@]}" -m vsched -v "$ver" -k "$kver" \
		--kernelsourcedir "$kdir" >"$work/log" 2>&1 &&
	   find "$work/tree/vsched/$ver/$kver" -name 'vsched.ko*' | grep -q .; then
		echo "ok - dkms build for $kver"
		pass=$((pass + 1))
	else
		echo "not ok - dkms build for $kver"
		sed 's/^/# /' "$work/log"
		find "$work/tree" -name make.log -exec sed 's/^/# /' {} +
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
((fail == 0))
