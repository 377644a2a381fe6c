#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server: scripts/with-postgres.sh CMD [ARG…]
#
# Installs PostgreSQL from Debian's packages when it is missing, creates a cluster in a temporary
# folder (as the `postgres` system user when run as root: PostgreSQL refuses to run as root), starts
# it on a free loopback port (unix sockets in the same folder, fsync off: the data is thrown away),
# creates a user with a password, exports
#   FLOWLEARN_TEST_POSTGRES_URL       postgres://flowlearn@127.0.0.1:PORT/flowlearn?sslmode=disable
#   FLOWLEARN_TEST_POSTGRES_PASSWORD  that user's password
# runs the command, then stops the server and removes the folder whatever happens. The command's
# exit status is the script's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -eq 0 ]]; then
    echo "usage: scripts/with-postgres.sh CMD [ARG…]" >&2
    exit 2
fi

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! bin=$(find_bin); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "with-postgres: PostgreSQL is not installed and this is not a Debian-based system; install it yourself" >&2
        exit 1
    fi
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "with-postgres: need root to install postgresql (Debian's package)" >&2
            exit 1
        fi
    fi
    echo "with-postgres: installing postgresql (Debian)" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin=$(find_bin) || { echo "with-postgres: postgresql installed, but no initdb found under /usr/lib/postgresql" >&2; exit 1; }
fi

# PostgreSQL will not run as root: as root, the cluster belongs to the `postgres` user the package creates.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 || owner=nobody
    as_owner=(runuser -u "$owner" --)
fi

# As root, under /tmp: the server's user must be able to reach the folder (a TMPDIR under /root it cannot).
if [[ ${#as_owner[@]} -gt 0 ]]; then base=/tmp; else base="${TMPDIR:-/tmp}"; fi
folder=$(mktemp -d "$base/flowlearn-pg.XXXXXX")
chmod 755 "$folder"
if [[ ${#as_owner[@]} -gt 0 ]]; then chown "$owner" "$folder"; fi
data="$folder/data"
started=false

cleanup() {
    local status=$?
    # Stop whatever server started in the folder, even one whose start timed out.
    if $started || [[ -f "$data/postmaster.pid" ]]; then
        "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$folder"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
printf '%s\n' "$password" > "$folder/password"
if [[ ${#as_owner[@]} -gt 0 ]]; then chown "$owner" "$folder/password"; fi
chmod 600 "$folder/password"
"${as_owner[@]}" "$bin/initdb" -D "$data" -U flowlearn --pwfile="$folder/password" -A scram-sha-256 -E UTF8 --no-locale >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }

# A free loopback port: ask the kernel for one, then start there (retrying if another process took it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$folder/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        started=true
        break
    fi
    # A start that timed out may still be running: stop it before trying another port.
    if [[ -f "$data/postmaster.pid" ]]; then "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true; fi
done
if ! $started; then
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$folder/server.log" >&2 || true
    exit 1
fi

export PGPASSWORD="$password"
"$bin/psql" -q -h 127.0.0.1 -p "$port" -U flowlearn -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE flowlearn" >/dev/null
unset PGPASSWORD

export FLOWLEARN_TEST_POSTGRES_URL="postgres://flowlearn@127.0.0.1:$port/flowlearn?sslmode=disable"
export FLOWLEARN_TEST_POSTGRES_PASSWORD="$password"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $folder, removed at exit)" >&2
set +e
"$@"
status=$?
set -e
exit $status
