#!/usr/bin/env bash
# The regression gate, as the workflow runs it and as a test runs it locally:
#   .github/pvbench-gate.sh BASE_REV [OUT_DIR]
# builds BASE_REV in a worktree beside this checkout and the checkout itself, measures both
# with `pvbench ab` (interleaved rounds in this one job, judged in pairs against the noise
# floor, exact figures compared), and leaves in OUT_DIR the verdict (verdict.txt), a Markdown
# summary for the job page (summary.md), both sides' databases and the head's HTML report.
# Exit status: ab's (0 no regression, 1 a regression, 2 bad input).
# PVBENCH_GATE_ROUNDS (default 8) and PVBENCH_GATE_RUN (the run options) size it.
set -euo pipefail
base_rev=${1:?usage: pvbench-gate.sh BASE_REV [OUT_DIR]}
out=$(realpath -m "${2:-gate-out}")
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${PVBENCH_GATE_ROUNDS:-8}
run_opts=${PVBENCH_GATE_RUN:---modes emulate,bt,native --reps 5}
mkdir -p "$out"
base_dir=$(mktemp -d /tmp/pvbench-gate-base-XXXXXX)
trap 'git -C "$here" worktree remove --force "$base_dir" >/dev/null 2>&1 || rm -rf "$base_dir"' EXIT
git -C "$here" worktree add --detach "$base_dir" "$base_rev" >/dev/null
make -C "$base_dir" -j2 -s bin/pvbench bin/pvbench-guest.elf >/dev/null
make -C "$here" -j2 -s bin/pvbench bin/pvbench-guest.elf >/dev/null
status=0
# shellcheck disable=SC2086 # run_opts is a list of options
"$here/bin/pvbench" ab --base "$base_dir/bin/pvbench" --head "$here/bin/pvbench" --rounds "$rounds" \
	--keep "$out" -- $run_opts > "$out/verdict.txt" || status=$?
{
	echo "## pvbench gate: $(git -C "$here" rev-parse --short HEAD) against $(git -C "$base_dir" rev-parse --short HEAD)"
	echo
	case $status in
	0) echo "No regression in $rounds interleaved rounds." ;;
	1) echo "**Regression** (see the rows marked REGRESSION)." ;;
	*) echo "**The gate could not run** (status $status)." ;;
	esac
	echo
	echo '```'
	cat "$out/verdict.txt"
	echo '```'
} > "$out/summary.md"
"$here/bin/pvbench" report --db "$out/head.db" --out "$out/pvbench-report.html" >/dev/null 2>&1 || true
exit $status
