#!/usr/bin/env bash
# Set up everything the tests need (system packages, virtual environment) and run the whole
# suite. Tests that need a service this script cannot provide (PostgreSQL) skip with a reason,
# unless APINBOX_REQUIRE_SERVICES=1 (CI), which turns those skips into failures.
set -euo pipefail
cd "$(dirname "$0")/.."
APINBOX_WITH_TEST_PACKAGES=1 bash scripts/setup-system.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/pytest -n 2 "$@"
