#!/usr/bin/env bash
# Measures server memory per idle upgraded WebSocket connection (issue 2 / G3 of issue 6).
# Starts a Release MarketPush server on 127.0.0.1, forces a GC and reads VmRSS before and while
# N idle connections are open, and prints the difference per connection. Bounded: stops by itself.
#   loadtests/idle-memory.sh [connections=8000] [symbols-per-connection=0]
# With symbols, the server gets generated instruments SYM0000.. and no feed (--feed none), so every subscription is
# accepted and the connections stay idle (G3). SERVER_ARGS adds server flags (e.g. SERVER_ARGS="--feed synthetic").
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-8000}
symbol_count=${2:-0}
port=${PORT:-18931}
ulimit -n 20000 || true

dotnet build src/MarketPush.Server -c Release -v q -nologo >/dev/null
server=src/MarketPush.Server/bin/Release/net10.0/MarketPush.Server
cpu_server=(); cpu_client=()
if command -v taskset >/dev/null; then cpu_server=(taskset -c 0); cpu_client=(taskset -c 1); fi
server_args=()
if [ "$symbol_count" -gt 0 ]; then server_args=(--feed none --symbols $((symbol_count > 1000 ? symbol_count : 1000))); fi
# shellcheck disable=SC2206 # SERVER_ARGS is split into flags on purpose
server_args+=(${SERVER_ARGS:-})
"${cpu_server[@]}" "$server" --port "$port" --diagnostics --heartbeat-ms 60000 "${server_args[@]}" >/tmp/marketpush-idle-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

rss_after_gc() { curl -sf -X POST "http://127.0.0.1:$port/debug/gc" >/dev/null; sleep 0.5; awk '/VmRSS/ {print $2}' /proc/$pid/status; }
base_kib=$(rss_after_gc)
symbols=""
if [ "$symbol_count" -gt 0 ]; then symbols=$(seq -f 'SYM%04g' 0 $((symbol_count - 1)) | paste -sd,); fi
result=$("${cpu_client[@]}" /usr/bin/python3 loadtests/idle_connections.py --port "$port" --connections "$connections" \
  --symbols "$symbols" --hold-command "sleep 2; curl -sf -X POST http://127.0.0.1:$port/debug/gc >/dev/null; sleep 1; awk '/VmRSS/ {print \$2}' /proc/$pid/status")
held_kib=$(echo "$result" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["hold_output"])')
open=$(echo "$result" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["open_during_hold"])')
per_conn=$(/usr/bin/python3 -c "print(round(($held_kib - $base_kib) * 1024 / $open))")
echo "server RSS after GC: idle ${base_kib} KiB, with ${open} connections ${held_kib} KiB"
echo "RSS per idle connection: ${per_conn} bytes ($(/usr/bin/python3 -c "print(round($per_conn/1024, 2))") KiB)"
