#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores what the tests need, builds once, runs all
# test projects, and ends with one plain line: "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "eng/test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 2
fi

# The email receiver tests talk to a real SMTP server: Debian's aiosmtpd, run by the system python3 (a python3
# earlier on PATH, such as pyenv's, does not see Debian's packages).
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3-aiosmtpd
fi

# The probe tests start real PostgreSQL and Redis servers themselves (loopback ports, temp directories, stopped
# afterwards); only the Debian packages must be there. Installed once, when missing.
if ! command -v redis-server >/dev/null 2>&1 || ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends postgresql redis-server
fi

# The Alertmanager end-to-end test starts a real Prometheus Alertmanager on loopback (clustering off, state in a
# temp directory); only Debian's package must be there. Installed once, when missing.
if ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends prometheus-alertmanager
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet restore Vigil.slnx
dotnet build Vigil.slnx --no-restore -c Debug

status=0
# One test project at a time: the end-to-end suites wait on real (short) graces and must not share two
# cores with every other suite at once.
dotnet test Vigil.slnx --no-build -c Debug -m:1 --logger "trx" --results-directory "$results" "$@" || status=$?

# The Python client's suite (clients/python) runs against a real `vigil serve`: the CLI built above.
if ! command -v python3 >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3
fi
py_log="$results/python-client.log"
py_status=0
VIGIL_CLI_DLL="$PWD/src/Vigil.Cli/bin/Debug/net10.0/vigil.dll" \
  python3 -m unittest discover -s clients/python/tests -v >"$py_log" 2>&1 || py_status=$?
cat "$py_log"
# unittest ends with "Ran N tests in Xs" and "OK" or "FAILED (failures=F, errors=E, skipped=S, ...)".
py_ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$py_log" | tail -1)
py_summary=$(grep -E '^(OK|FAILED)( \(.*\))?$' "$py_log" | tail -1 || true)
py_count() { sed -n "s/.*[(,] *$1=\([0-9]*\).*/\1/p" <<<"$py_summary"; }
py_failed=$(( $(py_count failures || true)+0 + $(py_count errors || true)+0 + $(py_count 'unexpected successes' || true)+0 ))
py_skipped=$(( $(py_count skipped || true)+0 ))
py_expected=$(( $(py_count 'expected failures' || true)+0 ))
if [ -z "$py_ran" ] || [ -z "$py_summary" ]; then
  echo "eng/test.sh: the Python client suite ended without a unittest summary (exit $py_status)" >&2
  py_ran=0; py_failed=$((py_failed > 0 ? py_failed : 1))
fi
if [ "$py_status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
if [ "$py_status" -ne 0 ] || [ "$py_failed" -ne 0 ]; then status=1; fi

passed=$((py_ran - py_failed - py_skipped - py_expected)); failed=$py_failed; skipped=$py_skipped
[ "$passed" -ge 0 ] || passed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "eng/test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
