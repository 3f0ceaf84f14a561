#!/usr/bin/env bash
# Sets up the virtualenv and runs every check CI runs: lint, schema, fiches, workflows, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=false
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/datapedia schema --check
.venv/bin/datapedia validate
.venv/bin/datapedia codeowners --check
.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
.venv/bin/python -m pytest -q
