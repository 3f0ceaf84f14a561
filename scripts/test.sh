#!/usr/bin/env bash
# Sets up .venv from the lock (only when it changed) and runs every check CI runs: lint,
# schema, fiches, workflows (zizmor included), import layering, tests (headless Chromium included).
# Exit codes: 0 everything passed; non-zero the first failing step's code.
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=false
bash scripts/setup.sh test
step() { echo "datapedia test: $*"; "$@"; }
step .venv/bin/ruff check .
step .venv/bin/ruff format --check .
step .venv/bin/datapedia schema --check
step .venv/bin/datapedia validate
step .venv/bin/datapedia codeowners --check
step .venv/bin/datapedia readme --check
step .venv/bin/datapedia docs --check
step .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
step .venv/bin/zizmor --offline --quiet .github/workflows
step .venv/bin/lint-imports
step .venv/bin/python -m pytest -q
