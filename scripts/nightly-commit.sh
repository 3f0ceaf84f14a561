#!/usr/bin/env bash
# Merges the shards of tonight's run into checks/ and pushes it to <branch>, retrying
# until it lands. Usage: bash scripts/nightly-commit.sh <branch>
#
# Every attempt starts from the branch as it is now and merges the shards again: checks/
# is written only by this tool (latest files plus append-only history), so a branch that
# moved meanwhile is resolved by `datapedia merge`, never by git conflict markers.
# Env: SHARDS (expected shard count), PUSH_TOKEN (optional; given to git fetch/push
# only), GITHUB_OUTPUT, COMMIT_ATTEMPTS (default 5), COMMIT_BACKOFF_S (default 5).
# Outputs: pushed=true|false, changed=true|false, sha=<pushed commit>, incomplete=true|false.
# Exit codes: 0 pushed (or nothing to push); 1 nothing reached the branch; 2 merge broken.
set -euo pipefail
branch="$1"
attempts="${COMMIT_ATTEMPTS:-5}"
backoff="${COMMIT_BACKOFF_S:-5}"
output="${GITHUB_OUTPUT:-/dev/null}"
token="${PUSH_TOKEN:-}"
unset PUSH_TOKEN # `datapedia merge` and anything else started here never sees it

# Only git's own network calls get the token, as a header in their environment: it is
# never written to .git/config, a command line or the log.
remote_git() {
  if [ -n "$token" ]; then
    local basic
    basic="$(printf 'x-access-token:%s' "$token" | base64 | tr -d '\n')"
    GIT_CONFIG_COUNT=1 \
      GIT_CONFIG_KEY_0="http.${GITHUB_SERVER_URL:-https://github.com}/.extraheader" \
      GIT_CONFIG_VALUE_0="AUTHORIZATION: basic ${basic}" git "$@"
  else
    git "$@"
  fi
}

# Each shard's newest attempt ("re-run failed jobs" uploads a new artifact name). No
# folder at all when every shard failed: that night is kept as "incomplete" too.
mkdir -p shards
shard_dirs=()
for i in $(seq 1 "${SHARDS}"); do
  newest="$(find shards -mindepth 1 -maxdepth 1 -type d -name "shard-${i}-poging-*" | sort -V | tail -n1)"
  if [ -n "$newest" ]; then shard_dirs+=("$newest"); fi
done
echo "shards gevonden: ${#shard_dirs[@]} van ${SHARDS}"

git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
night="$(date -u +%Y-%m-%d)"

for attempt in $(seq 1 "$attempts"); do
  if remote_git fetch -q origin "refs/heads/${branch}"; then
    git reset -q --hard FETCH_HEAD
    merged=0
    datapedia merge --shards "${SHARDS}" "${shard_dirs[@]}" || merged=$?
    if [ "$merged" -ge 2 ]; then exit "$merged"; fi
    incomplete=false
    if [ "$merged" -eq 1 ]; then incomplete=true; fi
    git add checks/
    if git diff --cached --quiet; then
      changed=false
      break
    fi
    git commit -q -m "Nachtelijke controle ${night}"
    if remote_git push -q origin "HEAD:refs/heads/${branch}"; then
      changed=true
      break
    fi
    echo "poging ${attempt}: push geweigerd (de branch bewoog), opnieuw" >&2
  else
    echo "poging ${attempt}: fetch mislukt" >&2
  fi
  if [ "$attempt" -eq "$attempts" ]; then
    echo "::error::checks/ niet gepusht na ${attempts} pogingen: de resultaten van deze nacht staan enkel in de artefacten" >&2
    echo "pushed=false" >> "$output"
    exit 1
  fi
  sleep $((backoff * attempt * attempt))
done

{
  echo "pushed=true"
  echo "changed=${changed}"
  echo "incomplete=${incomplete}"
  echo "sha=$(git rev-parse HEAD)"
} >> "$output"
echo "checks/ op ${branch}: $(git rev-parse --short HEAD) (gewijzigd: ${changed}, onvolledig: ${incomplete})"
