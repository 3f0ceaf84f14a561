#!/usr/bin/env bash
# Sets up the virtualenv and runs the main job: validate the fiches, probe every feed
# into checks/, build the site into public/.
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=false
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
.venv/bin/datapedia validate

# Exit 1 means some dataset fails: that is a result, not a broken run. Exit 2 means the
# run could not proceed (e.g. no network): checks/ was left untouched, so the site is
# still built from the last committed results rather than from false outages.
set +e
.venv/bin/datapedia check "$@"
status=$?
set -e
if [ "$status" -ge 2 ]; then
  echo "datapedia check kon niet lopen (exit $status); de site toont de laatst vastgelegde checks/." >&2
fi

.venv/bin/datapedia build
echo "Site gebouwd in public/ (bekijk met: .venv/bin/datapedia serve)."
