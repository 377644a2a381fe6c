#!/usr/bin/env bash
# Builds the benchmark in release mode and prints the matcher table (see BENCHMARKS.md).
#   bench/run.sh [INTENTS_DIR] [DATASETS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product flowlearn-bench >&2
.build/release/flowlearn-bench "${1:-Intents}" "${2:-../shared/datasets}"
