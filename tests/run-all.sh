#!/usr/bin/env bash
# Runs each cmocka test binary, merging its stderr (where cmocka prints its summary),
# and closes with one "N passed, N failed, N skipped" line over all of them.
set -u
pass=0 fail=0 skip=0 broken=0
for t in "$@"; do
	echo "=== $t"
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# a binary may run several groups: each prints its own summary
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { if (NR) print n }')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { if (NR) print n }')
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{ n += $1 } END { if (NR) print n }')
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
	if [ $rc -ne 0 ] && [ -z "$f" ]; then
		echo "!!! $t exited with status $rc without a cmocka summary"
		broken=$((broken + 1))
	fi
done
fail=$((fail + broken))
echo "tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
