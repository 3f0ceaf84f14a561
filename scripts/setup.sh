#!/usr/bin/env bash
# Sets up .venv from the committed lock (uv.lock), and only when the lock or the asked
# extras changed since the last set-up: a second run with the same lock installs nothing.
# Usage: bash scripts/setup.sh [run|test]   (test adds the test tools)
# Exit codes: 0 ready, 1 the install failed (the message says which step).
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-run}"
extras=()
[ "$profile" = "test" ] && extras=(--extra test)

# uv itself is pinned with hashes in requirements/uv.txt and installed with the
# interpreter's own pip, so nothing unpinned enters the machine.
uv_version="$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements/uv.txt)"
if [ "$(.tools/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$uv_version" ]; then
  echo "datapedia: uv ${uv_version} installeren in .tools/ …"
  python3 -m venv .tools
  .tools/bin/pip install -q --require-hashes -r requirements/uv.txt
fi

# In a GitHub workflow the later steps find datapedia and the tools on PATH.
if [ -n "${GITHUB_PATH:-}" ]; then echo "$(pwd)/.venv/bin" >> "$GITHUB_PATH"; fi

# Never download a Python build: use the machine's interpreter (3.11 to 3.14).
export UV_PYTHON_DOWNLOADS=never
stamp=".venv/.datapedia-lock"
lock="$(sha256sum uv.lock pyproject.toml | sha256sum | cut -c1-16)"
wanted="${lock} ${profile}"
# The test profile holds everything the run profile needs.
if [ -x .venv/bin/datapedia ] && [ -f "$stamp" ] \
  && { [ "$(cat "$stamp")" = "$wanted" ] || [ "$(cat "$stamp")" = "${lock} test" ]; }; then
  echo "datapedia: .venv klopt al met uv.lock ($(cut -d' ' -f2 "$stamp")); niets geïnstalleerd."
  exit 0
fi

echo "datapedia: omgeving .venv installeren volgens uv.lock (${profile}) …"
# --locked: fail instead of re-resolving when uv.lock no longer matches pyproject.toml.
if ! .tools/bin/uv sync --locked "${extras[@]}"; then
  echo "datapedia: installeren mislukt; is uv.lock bijgewerkt na een wijziging in pyproject.toml? (uv lock)" >&2
  exit 1
fi
echo "datapedia: geïnstalleerde versies (exact volgens uv.lock):"
.tools/bin/uv pip list --python .venv/bin/python --format freeze | sed 's/^/  /'
echo "$wanted" > "$stamp"
