#!/usr/bin/env bash
# A short run of each fuzz target from its seeds: the committed ones (tests/fuzz/seeds/)
# and, for the loader, the images the build made (each behind a format byte), cut to what
# libFuzzer mutates well. Any crash, leak or sanitizer report fails it; the input that
# did it is left in build/fuzz/ for a reproduction (bin/fuzz/TARGET FILE).
set -euo pipefail
seconds=${1:-25}
out=build/fuzz
mkdir -p "$out"
for target in loader resultline import vmi lockstep; do
	corpus=$out/corpus-$target
	rm -rf "$corpus" && mkdir -p "$corpus"
	cp tests/fuzz/seeds/$target/* "$corpus"/
	if [ $target = loader ]; then
		for img in bin/pvbench-guest.elf bin/pvbench-guest32.elf bin/linux/vmlinuz bin/linux32/vmlinuz; do
			[ -f "$img" ] || continue
			for fmt in 0 1 2 3 4 5; do
				{ printf "\\x$fmt"; head -c 65536 "$img"; } > "$corpus/$(basename "$(dirname "$img")")-$(basename "$img")-$fmt"
			done
		done
	fi
	echo "fuzz $target: ${seconds}s from $(ls "$corpus" | wc -l) seeds"
	bin/fuzz/fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
		-artifact_prefix="$out/crash-$target-" -print_final_stats=1 "$corpus" 2>&1 | tail -4
	# libFuzzer's status is lost to tail: a crash leaves its input behind
	if ls "$out"/crash-$target-* >/dev/null 2>&1; then
		echo "fuzz $target: FAILED (inputs in $out/crash-$target-*)"
		exit 1
	fi
done
echo "fuzz-smoke: no crashes"
