#!/usr/bin/env bash
# Builds the text-import fuzz target with clang (libFuzzer + ASan + UBSan) and fuzzes it for a
# bounded time, starting from the repository's real and quirky exports. Usage: run.sh SECONDS
set -euo pipefail
seconds=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$repo" \
  "$here/fuzz_text_import.cpp" "$repo/io/csv_reader.cpp" "$repo/io/timestamp_parse.cpp" -o "$work/fuzz_text_import"
mkdir -p "$work/corpus"
head -c 4000 "$repo/tests/data/cdnow/CDNOW_sample.txt" | { printf '\001'; cat; } >"$work/corpus/cdnow"
printf '\000Invoice,Customer,Date\r\n"C1, x",17850.0,12/1/2010 8:26\r\n' >"$work/corpus/quirks"
"$work/fuzz_text_import" -artifact_prefix="$PWD/fuzz-" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 "$work/corpus" 2>&1 |
  tail -n 12
