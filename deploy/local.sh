#!/usr/bin/env bash
# Run N Optiscope processes behind HAProxy on this machine, all reached through one port:
#
#     deploy/local.sh N PORT          e.g.  deploy/local.sh 2 8080  ->  http://<this machine>:8080
#
# Stays in the foreground; Ctrl-C in its terminal, or SIGTERM, stops everything it started.  (Started in the
# background with "&" by a script, it ignores Ctrl-C, as such jobs do: stop it with kill, which sends SIGTERM.)
# Each app process listens on its own free port on 127.0.0.1 (headless); HAProxy (deploy/haproxy.cfg) listens on
# PORT on every interface, so other machines on the network can open the page (set OPTISCOPE_ADDRESS=127.0.0.1 to
# keep it to this machine).  An app process that exits is started again on its port; its open pages reconnect
# through HAProxy meanwhile.
#
# Needs Python 3.11+ and apt-get, which it uses (as root or through sudo) to install Debian's haproxy if it is
# missing.  Python: $OPTISCOPE_PYTHON if set, else the active virtual environment's, else ./.venv in the
# repository, which it creates (installing python3-venv if Debian's Python lacks it) and fills from
# requirements.txt the first time.
#
# Environment (all optional):
#   OPTISCOPE_ADDRESS   the address HAProxy listens on                          (default: every interface)
#   OPTISCOPE_PYTHON    the Python interpreter that runs the app
#   OPTISCOPE_RUN_DIR   where the app logs, pids, ports and servers.cfg go       (default: a temporary directory,
#                       removed on exit)
#   OPTISCOPE_MAXCONN, OPTISCOPE_COOKIE_KEY: see deploy/haproxy.cfg
set -euo pipefail

say() { printf '[local.sh] %s\n' "$*"; }
die() { printf '[local.sh] ERROR: %s\n' "$*" >&2; exit 1; }
# record FILE VALUE: write VALUE to FILE in one step (a new file renamed over the old), so that a reader never
# finds it empty or half-written while a restarted process's pid replaces the old one.
record() { printf '%s\n' "$2" >"$1.new" && mv -f "$1.new" "$1"; }

[ $# -eq 2 ] || die "usage: $0 N PORT   (N app processes, behind HAProxy on PORT)"
N=$1
PORT=$2
if ! [[ "$N" =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$N" -gt 64 ]; then
    die "N must be a whole number from 1 to 64, not '$N'"
fi
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    die "PORT must be a whole number from 1 to 65535, not '$PORT'"
fi

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

apt_install() {                         # apt_install PACKAGE...: Debian packages, as root or through sudo
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "installing $* needs root or sudo: apt-get install $*"
        sudo="sudo"
    fi
    say "installing $* (apt-get)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# --- Python with Streamlit ----------------------------------------------------------------------
if [ -n "${OPTISCOPE_PYTHON:-}" ]; then
    PYTHON="$OPTISCOPE_PYTHON"
elif [ -n "${VIRTUAL_ENV:-}" ]; then
    PYTHON="$VIRTUAL_ENV/bin/python"
else
    PYTHON="$REPO/.venv/bin/python"
    if [ ! -x "$PYTHON" ]; then
        BASE=""
        for candidate in python3.11 python3 python; do
            if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
                'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>/dev/null; then
                BASE="$(command -v "$candidate")"
                break
            fi
        done
        [ -n "$BASE" ] || die "Python 3.11 or newer not found (tried python3.11, python3, python)"
        say "creating $REPO/.venv with $BASE"
        if ! "$BASE" -m venv "$REPO/.venv"; then       # Debian ships venv apart: python3-venv
            rm -rf "$REPO/.venv"
            apt_install python3-venv
            "$BASE" -m venv "$REPO/.venv"
        fi
    fi
    if ! "$PYTHON" -c 'import streamlit' 2>/dev/null; then     # new, or an install that was interrupted
        say "installing requirements.txt into $REPO/.venv"
        "$PYTHON" -m pip install --quiet -r requirements.txt
    fi
fi
"$PYTHON" -c 'import streamlit' 2>/dev/null \
    || die "$PYTHON cannot import streamlit: install the app's requirements (pip install -r requirements.txt)"

# --- HAProxy ------------------------------------------------------------------------------------
HAPROXY="$(command -v haproxy || true)"
[ -n "$HAPROXY" ] || [ ! -x /usr/sbin/haproxy ] || HAPROXY=/usr/sbin/haproxy     # /usr/sbin: not on every PATH
if [ -z "$HAPROXY" ]; then
    apt_install haproxy
    HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
    [ -x "$HAPROXY" ] || die "apt-get finished but haproxy is still missing"
fi

# --- Run directory, cleanup ---------------------------------------------------------------------
if [ -n "${OPTISCOPE_RUN_DIR:-}" ]; then
    RUN_DIR="$OPTISCOPE_RUN_DIR"
    mkdir -p "$RUN_DIR"
    OWN_RUN_DIR=0
else
    RUN_DIR="$(mktemp -d -t optiscope-local.XXXXXX)"
    OWN_RUN_DIR=1
fi

APP_PIDS=()         # APP_PIDS[i]: the process serving app(i+1); empty once stopped
APP_PORTS=()
APP_STARTED=()      # when each was last started (seconds since the epoch)
APP_CODES=()        # the exit code of one that exited and is not started again yet
HAPROXY_PID=""

stop_all() {
    local pids=() pid
    for pid in "$HAPROXY_PID" "${APP_PIDS[@]}"; do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && pids+=("$pid")
    done
    if [ ${#pids[@]} -gt 0 ]; then
        say "stopping ${#pids[@]} processes"
        kill -TERM "${pids[@]}" 2>/dev/null || true
        for _ in $(seq 50); do                  # up to 10 s for a clean exit
            local alive=0
            for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [ "$alive" -eq 0 ] && break
            sleep 0.2
        done
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
    [ "$OWN_RUN_DIR" -eq 0 ] || rm -rf "$RUN_DIR"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- App processes ------------------------------------------------------------------------------
free_ports() {
    "$PYTHON" - "$1" <<'PY'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:                    # all bound at once, so they differ
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

start_app() {                           # start_app I: (re)start app I on its port
    local i=$1
    "$PYTHON" -m streamlit run app.py \
        --server.port="${APP_PORTS[$i]}" --server.address=127.0.0.1 --server.headless=true \
        --server.fileWatcherType=none --browser.gatherUsageStats=false \
        >>"$RUN_DIR/app$((i + 1)).log" 2>&1 </dev/null &
    APP_PIDS[i]=$!
    APP_STARTED[i]=$(date +%s)
    record "$RUN_DIR/app$((i + 1)).pid" "${APP_PIDS[$i]}"
}

healthy() {                             # healthy URL...: every URL answers 200
    "$PYTHON" - "$@" <<'PY'
import sys, urllib.request
try:
    sys.exit(0 if all(urllib.request.urlopen(u, timeout=2).status == 200 for u in sys.argv[1:]) else 1)
except OSError:
    sys.exit(1)
PY
}

read -r -a APP_PORTS <<<"$(free_ports "$N")"
: >"$RUN_DIR/servers.cfg"
echo "backend app" >>"$RUN_DIR/servers.cfg"
for i in $(seq 0 $((N - 1))); do
    record "$RUN_DIR/app$((i + 1)).port" "${APP_PORTS[$i]}"
    echo "    server app$((i + 1)) 127.0.0.1:${APP_PORTS[$i]} cookie app$((i + 1))" >>"$RUN_DIR/servers.cfg"
    start_app "$i"
done
PROCESSES="$N app processes"
[ "$N" -gt 1 ] || PROCESSES="1 app process"
say "starting $PROCESSES on 127.0.0.1, port(s) ${APP_PORTS[*]} (logs in $RUN_DIR)"

HEALTH_URLS=()
for port in "${APP_PORTS[@]}"; do HEALTH_URLS+=("http://127.0.0.1:$port/_stcore/health"); done
deadline=$(($(date +%s) + 120))
until healthy "${HEALTH_URLS[@]}"; do
    for i in $(seq 0 $((N - 1))); do
        kill -0 "${APP_PIDS[$i]}" 2>/dev/null || {
            tail -n 30 "$RUN_DIR/app$((i + 1)).log" >&2
            APP_PIDS[i]=""
            die "app$((i + 1)) exited while starting (its log is above)"
        }
    done
    [ "$(date +%s)" -lt "$deadline" ] || die "the app processes did not answer within 120 s (logs in $RUN_DIR)"
    sleep 0.5
done

# --- HAProxy ------------------------------------------------------------------------------------
OPTISCOPE_BIND="${OPTISCOPE_ADDRESS:-}:$PORT" "$HAPROXY" -db -f "$REPO/deploy/haproxy.cfg" \
    -f "$RUN_DIR/servers.cfg" </dev/null &
HAPROXY_PID=$!
record "$RUN_DIR/haproxy.pid" "$HAPROXY_PID"
deadline=$(($(date +%s) + 30))
until healthy "http://127.0.0.1:$PORT/_stcore/health"; do
    kill -0 "$HAPROXY_PID" 2>/dev/null || { HAPROXY_PID=""; die "HAProxy exited (is port $PORT free?)"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "HAProxy did not answer on port $PORT within 30 s"
    sleep 0.2
done
say "Optiscope is on http://localhost:$PORT ($PROCESSES behind HAProxy). Ctrl-C stops it."

# --- Supervise ----------------------------------------------------------------------------------
while true; do
    sleep 1 &
    wait $! || true                     # a trapped signal interrupts the wait at once
    kill -0 "$HAPROXY_PID" 2>/dev/null || { HAPROXY_PID=""; die "HAProxy exited"; }
    for i in $(seq 0 $((N - 1))); do
        kill -0 "${APP_PIDS[$i]}" 2>/dev/null && continue
        if [ -z "${APP_CODES[$i]:-}" ]; then
            APP_CODES[i]=0
            wait "${APP_PIDS[$i]}" 2>/dev/null || APP_CODES[i]=$?
            say "app$((i + 1)) exited (code ${APP_CODES[$i]})"
        fi
        # One that keeps dying at once (a broken app.py) is started again every 10 s, not in a tight loop.
        if [ $(($(date +%s) - APP_STARTED[i])) -ge 10 ]; then
            say "starting app$((i + 1)) again on port ${APP_PORTS[$i]}"
            APP_CODES[i]=""
            start_app "$i"
        fi
    done
done
