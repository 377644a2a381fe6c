#!/usr/bin/env bash
# Soak test of `flowlearn serve` (release) with all five platforms on: see bench/soak/soak.py.
#   bench/soak/run.sh [--minutes 10] [--workers 4] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh --test >&2   # the model, PyNaCl (in .build-venv) for Discord's signatures
swift build -c release --product flowlearn >&2
exec .build-venv/bin/python bench/soak/soak.py "$@"
