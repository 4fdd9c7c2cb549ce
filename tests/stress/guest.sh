#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The full tier of the hardening tests inside one VM (tests/stress/run.sh
# boots it with the module loaded): the fuzzers and the stress scenarios
# with their full figures, the namespace and permission checks, then
# 50 rounds each of unload and namespace deletion under traffic.
# Prints every script's output and the sum as "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0

for t in fuzz stress userns teardown; do
	echo "# ${t}.sh (full)"
	FUZZ_FULL=1 STRESS_FULL=1 TEARDOWN_ROUNDS=50 "$top/tests/e2e/$t.sh" 2>&1 | tee /tmp/stress-part.log
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' /tmp/stress-part.log | tail -n1)
	if [[ -z $line ]]; then
		echo "not ok - $t.sh ended without a summary"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + ${line%% *}))
	f=${line#*, }
	failed=$((failed + ${f%% *}))
done
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
