#!/usr/bin/env bash
# Builds the benchmarks in release mode and prints their tables (see BENCHMARKS.md).
#   bench/run.sh [INTENTS_DIR] [DATASETS_DIR]      both tables
#   bench/run.sh --nudges [INTENTS_DIR]            only the nudge table
#   bench/run.sh --encoder [INTENTS_DIR]           only the sentence-encoder table (speed, memory)
#   bench/run.sh --semantic [DATASETS_DIR]         only the semantic engine's accuracy table
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--nudges" ]]; then
  swift build -c release --product flowlearn-nudge-bench >&2
  exec .build/release/flowlearn-nudge-bench "${2:-Intents}"
fi
if [[ "${1:-}" == "--encoder" ]]; then
  swift build -c release --product flowlearn-encoder-bench >&2
  exec .build/release/flowlearn-encoder-bench "${2:-Intents}"
fi
if [[ "${1:-}" == "--semantic" ]]; then
  exec bench/semantic-eval.sh "${2:-../shared/datasets}"
fi
# One product per call: `swift build` honours only the last --product it is given.
swift build -c release --product flowlearn-bench >&2
swift build -c release --product flowlearn-nudge-bench >&2
echo "## Matcher"
.build/release/flowlearn-bench "${1:-Intents}" "${2:-../shared/datasets}"
echo
echo "## Sentence encoder"
swift build -c release --product flowlearn-encoder-bench >&2
.build/release/flowlearn-encoder-bench "${1:-Intents}"
echo
echo "## Nudges"
.build/release/flowlearn-nudge-bench "${1:-Intents}"
