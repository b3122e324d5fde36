#!/usr/bin/env bash
# Runs every MarketPush test the way CI does (.ci/run calls this):
#   1. installs, only when missing, every real peer the tests start (Debian packages, node packages),
#   2. builds the solution in Release,
#   3. runs all test projects and prints passed/failed/skipped per project and in total.
# Exits non-zero when the build fails, any test fails, or no test ran. Works from any directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Peers and services the tests use. prometheus (promtool) and redis-server are for the metrics and bus tests.
APT_PACKAGES=(
  python3-websockets python3-websocket python3-msgpack python3-lz4
  lz4 libdeflate0 liblz4-1
  chromium
  prometheus redis-server
)
NODE_DIR="$ROOT/tests/peers/node"

log() { printf '== %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "run-all.sh: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

is_installed() {
  # `dpkg -s` alone also succeeds for a removed package whose config files remain.
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_has_candidate() {
  local candidate
  candidate="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')"
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

install_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages: all present ($*)"
    return 0
  fi

  log "Debian packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they cannot serve the install (none yet, or a package unknown to them).
  local need_update=0
  for pkg in "${missing[@]}"; do
    apt_has_candidate "$pkg" || need_update=1
  done
  if [ "$need_update" -eq 1 ]; then
    as_root apt-get update -qq
  fi
  if ! as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    # Stale lists can name versions the mirror no longer has; one refresh and retry.
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_node_packages() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    install_apt_packages nodejs npm
  fi
  local stamp="$NODE_DIR/node_modules/.marketpush-installed" want
  if [ -f "$NODE_DIR/package-lock.json" ]; then
    want="$(sha256sum "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)"
  else
    want="$(sha256sum "$NODE_DIR/package.json" | cut -d' ' -f1)"
  fi
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "node packages: up to date in tests/peers/node"
    return 0
  fi

  log "node packages: installing in tests/peers/node"
  if [ -f "$NODE_DIR/package-lock.json" ]; then
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
  echo "$want" > "$stamp"
}

print_totals() {
  # Sums the TRX files of this run: one line per test assembly, then the overall line.
  /usr/bin/python3 - "$1" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
per_project = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True)):
    root = ET.parse(path).getroot()
    storage = {}
    for test in root.iterfind(".//t:TestDefinitions/t:UnitTest", ns):
        # TestMethod@codeBase keeps the assembly path's case (UnitTest@storage is lower-cased).
        method = test.find("t:TestMethod", ns)
        path_ = (method.get("codeBase") if method is not None else None) or test.get("storage") or "unknown"
        storage[test.get("id")] = os.path.splitext(os.path.basename(path_))[0]
    for result in root.iterfind(".//t:Results/t:UnitTestResult", ns):
        project = storage.get(result.get("testId"), os.path.basename(path))
        counts = per_project.setdefault(project, [0, 0, 0])
        outcome = result.get("outcome")
        if outcome == "Passed":
            counts[0] += 1
        elif outcome == "NotExecuted":
            counts[2] += 1
        else:
            counts[1] += 1

total = [0, 0, 0]
print("== Test totals")
for project, (passed, failed, skipped) in sorted(per_project.items()):
    print(f"   {project:<36} passed {passed:>4}   failed {failed:>4}   skipped {skipped:>4}")
    total = [total[0] + passed, total[1] + failed, total[2] + skipped]
print(f"Total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
# Exit status tells the caller whether anything failed or nothing ran.
sys.exit(1 if total[1] > 0 or sum(total) == 0 else 0)
PY
}

started=$SECONDS
install_apt_packages "${APT_PACKAGES[@]}"
install_node_packages

log "dotnet build MarketPush.sln -c Release"
dotnet build MarketPush.sln -c Release -nologo -v:minimal

RESULTS="$ROOT/TestResults/run-all"
rm -rf "$RESULTS"
log "dotnet test MarketPush.sln -c Release --no-build"
set +e
dotnet test MarketPush.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS"
test_rc=$?
set -e

# Hot-path allocation budgets (loadtests/MarketPush.Benchmarks/allocation-budgets.json): every benchmark method
# is run in-process and its bytes per operation compared with its pinned budget (0 on the hot path).
log "allocation budgets (MarketPush.Benchmarks --check-budgets)"
set +e
dotnet run -c Release --no-build --project loadtests/MarketPush.Benchmarks -- --check-budgets | tail -n 3
budgets_rc=${PIPESTATUS[0]}
print_totals "$RESULTS"
totals_rc=$?
set -e
log "finished in $((SECONDS - started)) s"

if [ "$test_rc" -ne 0 ] || [ "$totals_rc" -ne 0 ] || [ "$budgets_rc" -ne 0 ]; then
  echo "run-all.sh: FAILED (dotnet test exit $test_rc, allocation budgets exit $budgets_rc)" >&2
  exit 1
fi
