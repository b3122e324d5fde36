#!/usr/bin/env bash
# Measures server memory per idle upgraded WebSocket connection (issue 2 / G3 of issue 6).
# Starts a Release MarketPush server on 127.0.0.1, forces a GC and reads VmRSS before and while
# N idle connections are open, and prints the difference per connection. Bounded: stops by itself.
#   loadtests/idle-memory.sh [connections=8000] [symbols-per-connection=0]
# With symbols, the server gets generated instruments SYM0000.. and no feed (--feed none), so every subscription is
# accepted and the connections stay idle (G3). SERVER_ARGS adds server flags (e.g. SERVER_ARGS="--feed synthetic").
# G5 (idle CPU): IDLE_CPU_SECONDS=30 also counts the server's CPU (utime+stime from /proc) over that many seconds once
# the connections have been open IDLE_CPU_AFTER seconds (default 20: past tier-1 JIT and, with HEARTBEAT_MS=15000, the
# first heartbeat), and prints µs of CPU per second per connection. HEARTBEAT_MS sets --heartbeat-ms (default 60000,
# so the memory figure has no ping in flight; use 15000, the protocol default, for G5).
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-8000}
symbol_count=${2:-0}
port=${PORT:-18931}
ulimit -n 20000 || true

# SERVER_BIN: another build of the server (an A/B against a copy of an earlier tree); the tree is built otherwise.
server=${SERVER_BIN:-src/MarketPush.Server/bin/Release/net10.0/MarketPush.Server}
if [ -z "${SERVER_BIN:-}" ]; then dotnet build src/MarketPush.Server -c Release -v q -nologo >/dev/null; fi
cpu_server=(); cpu_client=()
if command -v taskset >/dev/null; then cpu_server=(taskset -c 0); cpu_client=(taskset -c 1); fi
server_args=()
if [ "$symbol_count" -gt 0 ]; then server_args=(--feed none --symbols $((symbol_count > 1000 ? symbol_count : 1000))); fi
# shellcheck disable=SC2206 # SERVER_ARGS is split into flags on purpose
server_args+=(${SERVER_ARGS:-})
"${cpu_server[@]}" "$server" --port "$port" --diagnostics --heartbeat-ms "${HEARTBEAT_MS:-60000}" "${server_args[@]}" >/tmp/marketpush-idle-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

rss_after_gc() { curl -sf -X POST "http://127.0.0.1:$port/debug/gc" >/dev/null; sleep 0.5; awk '/VmRSS/ {print $2}' /proc/$pid/status; }
base_kib=$(rss_after_gc)
symbols=""
if [ "$symbol_count" -gt 0 ]; then symbols=$(seq -f 'SYM%04g' 0 $((symbol_count - 1)) | paste -sd,); fi
cpu_seconds=${IDLE_CPU_SECONDS:-0}
cpu_after=${IDLE_CPU_AFTER:-20}
hold="sleep 2; curl -sf -X POST http://127.0.0.1:$port/debug/gc >/dev/null; sleep 1; awk '/VmRSS/ {print \$2}' /proc/$pid/status"
if [ "$cpu_seconds" -gt 0 ]; then
  # Ticks of utime+stime (fields 14 and 15 of /proc/<pid>/stat) over the window, printed on the hold output's 2nd line.
  hold="$hold; sleep $((cpu_after > 3 ? cpu_after - 3 : 0)); a=\$(awk '{print \$14+\$15}' /proc/$pid/stat); sleep $cpu_seconds; b=\$(awk '{print \$14+\$15}' /proc/$pid/stat); echo \$((b - a))"
fi
result=$("${cpu_client[@]}" /usr/bin/python3 loadtests/idle_connections.py --port "$port" --connections "$connections" \
  --symbols "$symbols" --hold-command "$hold")
held_kib=$(echo "$result" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["hold_output"].split()[0])')
open=$(echo "$result" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["open_during_hold"])')
per_conn=$(/usr/bin/python3 -c "print(round(($held_kib - $base_kib) * 1024 / $open))")
echo "server RSS after GC: idle ${base_kib} KiB, with ${open} connections ${held_kib} KiB"
echo "RSS per idle connection: ${per_conn} bytes ($(/usr/bin/python3 -c "print(round($per_conn/1024, 2))") KiB)"
if [ "$cpu_seconds" -gt 0 ]; then
  ticks=$(echo "$result" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["hold_output"].split()[1])')
  hz=$(getconf CLK_TCK)
  echo "server CPU while idle: ${ticks} ticks of 1/${hz} s in ${cpu_seconds} s with ${open} connections = $(/usr/bin/python3 -c "print(round($ticks / $hz * 1e6 / $cpu_seconds / $open, 2))") µs/s per connection (heartbeat ${HEARTBEAT_MS:-60000} ms)"
fi
