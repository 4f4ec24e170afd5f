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

passed=0; failed=0; skipped=0
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
