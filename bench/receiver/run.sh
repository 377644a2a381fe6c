#!/usr/bin/env bash
# Receiver benchmark (bench/receiver/run.py): wrk against flowlearn serve and a bare Hummingbird route.
#   bench/receiver/run.sh [--runs 3] [--seconds 10] [--connections 32] [--model auto]
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >&2
fi
scripts/install-deps.sh >&2
swift build -c release --product flowlearn >&2
swift build -c release --product flowlearn-receiver-bench >&2
exec python3 bench/receiver/run.py "$@"
