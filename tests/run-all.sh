#!/usr/bin/env bash
# Runs every MarketPush test the way CI does (.ci/run calls this):
#   1. installs, only when missing, every real peer the tests start (Debian packages, node packages),
#   2. Release leg: builds the solution in Release, runs all test projects and the allocation-budget check,
#   3. Debug leg: builds the unit and integration test projects (tests/debug-leg.slnf) in Debug and runs them, so the
#      [Conditional("DEBUG")] invariant checks and FramePool's rent tracking run too (the peer tests stay Release-only),
#   4. prints passed/failed/skipped per project for each leg, each leg's total and time, and the overall total.
# Exits non-zero when a build fails, any test fails, no test ran, an allocation budget fails, or the Debug leg did not
# run its DEBUG-only tests (DEBUG not defined). The legs run one after the other. Works from any directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests start or load, and nothing else: the Python peers and decoders (websockets, websocket-client, msgpack,
# lz4.frame), the lz4 tool and liblz4 (capture round trips; the server loads liblz4.so.1), libdeflate (the deflater
# and inflater), chromium (the browser peer), prometheus (promtool and a real Prometheus for the metrics tests).
APT_PACKAGES=(
  python3-websockets python3-websocket python3-msgpack python3-lz4
  lz4 libdeflate0 liblz4-1
  chromium
  prometheus
)
# The Debug leg: unit and integration tests. Each of these tests must have passed in it (they exist only when DEBUG is
# defined and fail unless the engine was built with it).
DEBUG_LEG="$ROOT/tests/debug-leg.slnf"
DEBUG_ONLY_TESTS=(
  MarketPush.Engine.Tests.Buffers.SharedFrameTests.DescribeOutstanding_NamesWhereALeakedFrameWasRented_InDebugBuilds
  MarketPush.IntegrationTests.DebugBuildTests.LeakedFrame_IsReportedWithWhereItWasRented_InDebugBuilds
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
  # Sums the TRX files of one leg: one line per test assembly, then the leg's total line; writes "passed failed skipped"
  # to $1/totals. Further arguments: tests that must have passed in this leg.
  /usr/bin/python3 - "$@" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
directory, leg, required = sys.argv[1], sys.argv[2], sys.argv[3:]
per_project = {}
passed_names = set()
for path in sorted(glob.glob(os.path.join(directory, "**", "*.trx"), recursive=True)):
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
            passed_names.add(result.get("testName", ""))
        elif outcome == "NotExecuted":
            counts[2] += 1
        else:
            counts[1] += 1

total = [0, 0, 0]
print(f"== Test totals ({leg})")
for project, (passed, failed, skipped) in sorted(per_project.items()):
    print(f"   {project:<36} passed {passed:>4}   failed {failed:>4}   skipped {skipped:>4}")
    total = [total[0] + passed, total[1] + failed, total[2] + skipped]
print(f"Total ({leg}): {total[0]} passed, {total[1]} failed, {total[2]} skipped")
with open(os.path.join(directory, "totals"), "w") as f:
    f.write(" ".join(map(str, total)) + "\n")
missing = [name for name in required if not any(n == name or n.startswith(name + "(") for n in passed_names)]
for name in missing:
    print(f"   {leg}: required test did not pass (is DEBUG defined in this build?): {name}")
# Exit status tells the caller whether anything failed, nothing ran, or a required test did not pass.
sys.exit(1 if total[1] > 0 or sum(total) == 0 or missing else 0)
PY
}

started=$SECONDS
install_apt_packages "${APT_PACKAGES[@]}"
install_node_packages

RESULTS="$ROOT/TestResults/run-all"
rm -rf "$RESULTS"

# ---- Release leg: every project, then the allocation budgets ----
release_started=$SECONDS
log "Release leg: dotnet build MarketPush.sln -c Release"
dotnet build MarketPush.sln -c Release -nologo -v:minimal

log "Release leg: dotnet test MarketPush.sln -c Release --no-build"
set +e
dotnet test MarketPush.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS/release"
release_rc=$?
set -e

# Hot-path allocation budgets (loadtests/MarketPush.Benchmarks/allocation-budgets.json): every benchmark method
# is run in-process and its bytes over all measured operations compared with budget x operations (0 on the hot path).
log "Release leg: allocation budgets (MarketPush.Benchmarks --check-budgets)"
set +e
dotnet run -c Release --no-build --project loadtests/MarketPush.Benchmarks -- --check-budgets | tail -n 3
budgets_rc=${PIPESTATUS[0]}
print_totals "$RESULTS/release" Release
release_totals_rc=$?
set -e
release_seconds=$((SECONDS - release_started))
log "Release leg finished in ${release_seconds} s"

# ---- Debug leg: unit and integration tests with DEBUG defined ----
debug_started=$SECONDS
log "Debug leg: dotnet build tests/debug-leg.slnf -c Debug"
dotnet build "$DEBUG_LEG" -c Debug -nologo -v:minimal

log "Debug leg: dotnet test tests/debug-leg.slnf -c Debug --no-build"
set +e
dotnet test "$DEBUG_LEG" -c Debug --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS/debug"
debug_rc=$?
print_totals "$RESULTS/debug" Debug "${DEBUG_ONLY_TESTS[@]}"
debug_totals_rc=$?
set -e
debug_seconds=$((SECONDS - debug_started))
log "Debug leg finished in ${debug_seconds} s"

rp=0 rf=0 rs=0 dp=0 df=0 ds=0
if [ -f "$RESULTS/release/totals" ]; then read -r rp rf rs < "$RESULTS/release/totals" || true; fi
if [ -f "$RESULTS/debug/totals" ]; then read -r dp df ds < "$RESULTS/debug/totals" || true; fi
echo "Total (Release): $rp passed, $rf failed, $rs skipped in ${release_seconds} s"
echo "Total (Debug): $dp passed, $df failed, $ds skipped in ${debug_seconds} s"
echo "Total: $((rp + dp)) passed, $((rf + df)) failed, $((rs + ds)) skipped"
log "finished in $((SECONDS - started)) s"

if [ "$release_rc" -ne 0 ] || [ "$release_totals_rc" -ne 0 ] || [ "$budgets_rc" -ne 0 ] \
  || [ "$debug_rc" -ne 0 ] || [ "$debug_totals_rc" -ne 0 ]; then
  echo "run-all.sh: FAILED (Release: dotnet test exit $release_rc, totals exit $release_totals_rc, allocation budgets exit $budgets_rc;" \
    "Debug: dotnet test exit $debug_rc, totals exit $debug_totals_rc)" >&2
  exit 1
fi
