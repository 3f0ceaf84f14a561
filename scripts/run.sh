#!/usr/bin/env bash
# Sets up .venv from the lock (only when it changed) and runs the main job: validate the
# fiches, probe every feed into checks/, build the site into public/.
# Exit codes: 0 site built; 1 set-up or a step failed (the message says which).
# A check that could not run (exit 2, e.g. no network) still builds the site from the
# last committed checks/, and the script exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=false
# check handles Ctrl-C itself (it says what was kept and exits 2); stop here too
# instead of building the site after an interrupted run.
trap 'echo "datapedia: onderbroken." >&2; exit 130' INT
bash scripts/setup.sh run

echo "datapedia: fiches valideren …"
.venv/bin/datapedia validate

# Exit 1 means some dataset fails: that is a result, not a broken run. Exit 2 means the
# run could not proceed (e.g. no network): checks/ was left untouched, so the site is
# still built from the last committed results rather than from false outages.
echo "datapedia: alle feeds controleren …"
set +e
.venv/bin/datapedia check "$@"
status=$?
set -e
case "$status" in
  0) echo "datapedia: controle klaar, alle datasets in orde of met een waarschuwing." ;;
  1) echo "datapedia: controle klaar, sommige datasets hebben een probleem (zie hierboven)." ;;
  *) echo "datapedia: de controle kon niet lopen (exit $status); de site toont de laatst vastgelegde checks/." >&2 ;;
esac

echo "datapedia: site bouwen …"
.venv/bin/datapedia build
echo "datapedia: site gebouwd in $(pwd)/public/ (bekijk ze met: .venv/bin/datapedia serve)."
