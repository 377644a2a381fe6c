#!/usr/bin/env bash
# Accuracy of the semantic engine (and, for comparison, the engines without the encoder) on the
# starter-pack question sets under bench/questions/ and on the shared data sets, as one Markdown
# table; figures in BENCHMARKS.md. Needs the model (scripts/install-model.sh) and a release build.
#   bench/semantic-eval.sh [DATASETS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
datasets="${1:-../shared/datasets}"
swift build -c release --product flowlearn >&2
bin=.build/release/flowlearn

row() {  # name, then eval arguments
    local name="$1"; shift
    local json
    json=$("$bin" eval "$@" --json 2>/dev/null)
    python3 - "$name" "$json" <<'PY'
import json, sys
name, d = sys.argv[1], json.loads(sys.argv[2])
f = lambda v: "–" if v is None else f"{v:.4f}"
print(f"| {name} | {d['engine']} | {f(d['answered_right'])} | {f(d['answered_or_offered'])} | {f(d['oos_not_answered'])} "
      f"| {f(d['accuracy'])} | {f(d['in_scope_accuracy'])} | {f(d['oos_recall'])} | {d['train_seconds']:.1f} "
      f"| {d['p50_us']/1000:.2f} / {d['p99_us']/1000:.2f} | {d['rss_mb']:.0f} |")
PY
}

echo "| set | engine | answered right | answered or offered | oos not answered | accuracy | in-scope accuracy | oos recall | build (s) | p50 / p99 (ms) | RSS (MB) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for set in starter-dev starter-report; do
    for model in semantic keyword; do
        row "Intents/ + bench/questions/$set.csv" --intents Intents --test "bench/questions/$set.csv" --model "$model"
    done
done
for set in banking77 banking77-10shot banking77-oos; do
    [[ -f "$datasets/$set/train.csv" ]] || continue
    for model in semantic learned; do
        row "$set" --train "$datasets/$set/train.csv" --test "$datasets/$set/test.csv" --model "$model"
    done
done
