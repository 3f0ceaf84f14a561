#!/usr/bin/env bash
# Prints DATAPEDIA_SITE_URL=<address of the published site> for $GITHUB_ENV.
# The repository variable DATAPEDIA_SITE_URL (passed as SITE_URL) wins; otherwise the
# Pages address is derived from GITHUB_REPOSITORY, which is set on every event
# (github.event.repository.name is empty on `schedule`).
set -euo pipefail
owner="${GITHUB_REPOSITORY%%/*}"
name="${GITHUB_REPOSITORY#*/}"
echo "DATAPEDIA_SITE_URL=${SITE_URL:-https://${owner}.github.io/${name}/}"
