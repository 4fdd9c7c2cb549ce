#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kmemleak helpers for the debug kernel (run inside the VM by guest.sh).
#
#   kmemleak.sh scan           scan twice, a pause apart, print the report
#   kmemleak.sh ours MOD <LOG  print the report entries that belong to MOD
#
# An entry is ours if a frame of its backtrace names the module, or is a
# bare address in module space: %pS prints an address as a number once its
# module is gone, and the tests unload no module but ours. (guest.sh boots
# the debug kernel with no_hash_pointers so that the numbers are real.)
# An object listed by both scans is printed once, as the first listed it.
set -euo pipefail
KMEMLEAK=/sys/kernel/debug/kmemleak

case ${1:-} in
scan)
	# An object younger than 5 s is never reported, and a first scan
	# can still see stale references on the stacks: scan twice.
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK"
	;;
ours)
	[[ $# -eq 2 ]] || { echo "usage: $0 ours MOD <LOG" >&2; exit 2; }
	awk -v mod="$2" '
	function flush() { if (entry != "" && mine && !dup) printf "%s", entry; entry = ""; mine = 0 }
	/^unreferenced object/ { flush(); dup = ($3 in seen); seen[$3] = 1 }
	{ entry = entry $0 "\n" }
	index($0, "[" mod "]") { mine = 1 }
	$0 ~ /\] 0xffffffff[c-f][0-9a-f]+$/ { mine = 1 }
	END { flush() }'
	;;
*) echo "usage: $0 scan | ours MOD <LOG" >&2; exit 2 ;;
esac
