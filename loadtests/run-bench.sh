#!/usr/bin/env bash
# Side-by-side load benchmark of issue 6: MarketPush against the plain ASP.NET Core baseline and the node `ws`
# baseline, on the goal cases G1–G6. Each server is pinned to CPU 0 and the load runner to CPU 1 (taskset); the
# contenders run interleaved (A B C A B C …) within each case, at least 3 runs each; the summary with medians, min–max,
# ratios and the goal table goes to loadtests/results/<date>.md (raw per-run JSON/Markdown/HTML under
# loadtests/results/tmp/, which git ignores).
#
#   loadtests/run-bench.sh                 full matrix: 8 cases × 3 contenders × 3 runs, 12 s each (about 20 minutes)
#   loadtests/run-bench.sh --quick         1 run each, 5 s, idle case at 2,000 connections (about 4 minutes)
#   options: --runs N  --duration S  --cases G1-throughput,G4-base  --contenders marketpush,aspnetcore  --port P
#            --before DIR   adds the contender marketpush-before: the server built in DIR (another checkout, e.g. a
#                           `git worktree` at the commit before a change), run interleaved with this one (A/B)
#
# Run the full matrix on a quiet machine only: other processes on either CPU make the numbers meaningless
# (PERFORMANCE-NOTES.md, "Measuring fairly on two cores"). Bounded: every runner call has its own duration and a
# timeout, every server is stopped (TERM, then KILL) when its run ends or the script exits.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

args_given="$*"
quick=0
runs=3
duration=12
warmup=4
port=18950
only_cases=""
contenders="marketpush aspnetcore node-ws"
before_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; runs=1; duration=5; warmup=2 ;;
    --runs) runs="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --cases) only_cases="${2//,/ }"; shift ;;
    --contenders) contenders="${2//,/ }"; shift ;;
    --port) port="$2"; shift ;;
    --before) before_dir="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$script"; exit 0 ;;
    *) echo "run-bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 0 ] && [ "$runs" -lt 3 ]; then echo "run-bench: the full matrix needs at least 3 runs each" >&2; exit 2; fi
if [ "$duration" -le "$warmup" ]; then echo "run-bench: --duration must exceed the ${warmup} s warm-up" >&2; exit 2; fi

ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
pin_server=(); pin_runner=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin_server=(taskset -c 0); pin_runner=(taskset -c 1); fi

echo "run-bench: building Release..."
for project in src/MarketPush.Server loadtests/MarketPush.LoadGen loadtests/baselines/aspnetcore; do
  if ! build_log=$(dotnet build "$project" -c Release -v q -nologo 2>&1); then
    echo "$build_log" | grep -E "error|Error" | head -20 >&2
    echo "run-bench: the Release build of $project failed" >&2
    exit 1
  fi
done
if [[ " $contenders " == *" node-ws "* ]] && [ ! -d loadtests/baselines/node-ws/node_modules/ws ]; then
  echo "run-bench: npm install (node-ws baseline)..."
  (cd loadtests/baselines/node-ws && npm install --no-audit --no-fund --silent)
fi
loadgen=loadtests/MarketPush.LoadGen/bin/Release/net10.0/MarketPush.LoadGen
marketpush_before=""
if [ -n "$before_dir" ]; then
  echo "run-bench: building Release of the 'before' server in $before_dir..."
  if ! build_log=$(dotnet build "$before_dir/src/MarketPush.Server" -c Release -v q -nologo 2>&1); then
    echo "$build_log" | grep -E "error|Error" | head -20 >&2
    echo "run-bench: the Release build of $before_dir failed" >&2
    exit 1
  fi
  marketpush_before="$(cd "$before_dir" && pwd)/src/MarketPush.Server/bin/Release/net10.0/MarketPush.Server"
  contenders="$contenders marketpush-before"
fi
marketpush=src/MarketPush.Server/bin/Release/net10.0/MarketPush.Server
aspnetcore=loadtests/baselines/aspnetcore/bin/Release/net10.0/MarketPush.Baseline.AspNetCore

# name | scenario | server flags | runner flags | offered deliveries/s
# The G4/G6 cases offer 100k deliveries/s: enough to load every contender, and low enough that the runner, which
# inflates every compressed message on its own (~2 µs each with libdeflate), stays well below its core.
idle_connections=8000
idle_ramp=4
if [ "$quick" = 1 ]; then idle_connections=2000; idle_ramp=2; fi
idle_duration=$((duration + idle_ramp + 4))
all_cases=(
  "G1-throughput|wide|--symbols 1 --rate 4000|--connections 1000 --server-symbols 1|4000000"
  "G2-latency-100k|wide|--symbols 1 --rate 100|--connections 1000 --server-symbols 1|100000"
  "G2-latency-1M|wide|--symbols 1 --rate 1000|--connections 1000 --server-symbols 1|1000000"
  "G3-idle|idle|--symbols 1000 --rate 1|--load ramp:${idle_connections}:${idle_ramp},keep:${idle_connections}:$((idle_duration - idle_ramp)) --symbols-per-conn 2 --server-symbols 1000 --warmup $((idle_ramp + 4))|"
  "G4-base|fanout|--symbols 10 --rate 1000|--connections 1000 --server-symbols 10|100000"
  "G4-deflate|compression|--symbols 10 --rate 1000|--connections 1000 --server-symbols 10|100000"
  "G4-deflate-all|compression|--symbols 10 --rate 1000 --compression-threshold 0|--connections 1000 --server-symbols 10|100000"
  "G6-slow|slow|--symbols 10 --rate 1000|--connections 1000 --server-symbols 10 --slow-share 0.01|100000"
)
cases=()
for spec in "${all_cases[@]}"; do
  name=${spec%%|*}
  if [ -z "$only_cases" ] || [[ " $only_cases " == *" $name "* ]]; then cases+=("$spec"); fi
done
if [ ${#cases[@]} -eq 0 ]; then echo "run-bench: no case matches '$only_cases'" >&2; exit 2; fi

stamp=$(date +%Y%m%d-%H%M%S)
raw=loadtests/results/tmp/bench-$stamp
mkdir -p "$raw"
suffix=""
[ "$quick" = 1 ] && suffix="-quick"
# A run of part of the matrix never overwrites the summary of a whole one.
if [ -n "$only_cases" ] || [ "$contenders" != "marketpush aspnetcore node-ws" ]; then suffix="$suffix-partial"; fi
summary=loadtests/results/$(date +%Y-%m-%d)$suffix.md
n_contenders=$(wc -w <<<"$contenders")
estimate=$(( ${#cases[@]} * n_contenders * runs * (duration + 5) / 60 + 1 )) # ~4-5 s per run to start and stop
echo "run-bench: ${#cases[@]} cases × $n_contenders contenders × $runs runs, ${duration} s each: about $estimate min; raw results in $raw"

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT INT TERM

wait_for_port() {
  for _ in $(seq 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_server() { # contender port server-flags... (run in the background: exec keeps $! the server's own pid for /proc)
  local contender=$1 p=$2; shift 2
  case "$contender" in
    marketpush) exec "${pin_server[@]}" "$marketpush" --port "$p" --log-level Warning "$@" ;;
    marketpush-before) exec "${pin_server[@]}" "$marketpush_before" --port "$p" --log-level Warning "$@" ;;
    aspnetcore) exec "${pin_server[@]}" "$aspnetcore" --port "$p" "$@" ;;
    node-ws) exec "${pin_server[@]}" node loadtests/baselines/node-ws/server.js --port "$p" "$@" ;;
    *) echo "run-bench: unknown contender $contender" >&2; return 1 ;;
  esac
}

failures=0
bench_started=$SECONDS
for spec in "${cases[@]}"; do
  IFS='|' read -r name scenario server_flags runner_flags offered <<<"$spec"
  run_duration=$duration
  [ "$scenario" = idle ] && run_duration=$idle_duration
  for run in $(seq "$runs"); do
    for contender in $contenders; do
      port=$((port + 1))
      log="$raw/$name-$contender-r$run"
      run_started=$SECONDS
      # shellcheck disable=SC2086 # the flag strings are meant to split
      start_server "$contender" "$port" $server_flags --seed 1 >"$log.server.log" 2>&1 &
      server_pid=$!
      if ! wait_for_port "$port"; then
        echo "run-bench: $name $contender run $run: the server did not start (see $log.server.log)" >&2
        failures=$((failures + 1)); stop_server; continue
      fi
      extra=()
      [ -n "$offered" ] && extra+=(--offered "$offered")
      if [[ "$contender" == marketpush* ]] && curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; then
        extra+=(--metrics-url "http://127.0.0.1:$port/metrics")
      fi
      if [[ "$runner_flags" != *"--load "* ]]; then extra+=(--duration "$run_duration"); fi
      if [[ "$runner_flags" != *"--warmup "* ]]; then extra+=(--warmup "$warmup"); fi
      # shellcheck disable=SC2086
      if timeout $((run_duration + 90)) "${pin_runner[@]}" "$loadgen" --port "$port" --scenario "$scenario" $runner_flags \
          --server-pid "$server_pid" --case "$name" --label "$contender" --out "$raw" --name "$name-$contender-r$run" \
          "${extra[@]}" >"$log.runner.log" 2>&1; then
        echo "  [$((SECONDS - bench_started)) s] $(grep -m1 "^$name $contender:" "$log.runner.log" || echo "$name $contender: (no summary line)") ($((SECONDS - run_started)) s)"
      else
        echo "run-bench: $name $contender run $run failed (see $log.runner.log)" >&2
        failures=$((failures + 1))
      fi
      stop_server
    done
  done
done

notes=$(mktemp)
{
  if [ "$quick" = 1 ]; then
    echo "**Quick mode** (1 run per contender, ${duration} s): indicative only; do not quote these as results."
    echo
  fi
  echo "Command: \`loadtests/run-bench.sh $args_given\` — $runs run(s) per contender and case, ${duration} s each (${warmup} s warm-up), interleaved."
  pinning="server on CPU 0, runner on CPU 1"
  [ ${#pin_server[@]} -eq 0 ] && pinning="not pinned (taskset unavailable)"
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $pinning; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Raw per-run results (JSON, Markdown, HTML with plots): \`$raw/\`. Failed runs: $failures."
} >"$notes"
"$loadgen" summarize --in "$raw" --out "$summary" --reference marketpush --title "Load benchmark $(date +%Y-%m-%d)${suffix:+ (${suffix#-})}" --notes-file "$notes"
rm -f "$notes"
echo "run-bench: summary in $summary ($((SECONDS - bench_started)) s of runs)"
