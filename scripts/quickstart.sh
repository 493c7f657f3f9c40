#!/usr/bin/env bash
# One command from a fresh clone to a running AP Inbox: system packages, virtual environment,
# database, a few sample invoices in the watch folder, an admin token, then `apinbox run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh

export APINBOX_STORAGE__DATA_DIR=${APINBOX_STORAGE__DATA_DIR:-var}
data_dir=$APINBOX_STORAGE__DATA_DIR
mkdir -p "$data_dir/inbox"
.venv/bin/apinbox migrate >/dev/null
if [[ ! -f "$data_dir/.samples-loaded" ]]; then
  cp samples/invoices/* "$data_dir/inbox/"
  .venv/bin/apinbox vendor add "Au bon moulin" --vat-id FR11999999998 >/dev/null
  touch "$data_dir/.samples-loaded"
fi
token=$(.venv/bin/apinbox token create quickstart --role admin)
cat <<MSG

  AP Inbox is starting. Review desk: http://127.0.0.1:8000/
  Log in with this admin token (shown once): $token
  Drop invoices (PDF, images, XML, .eml) into $data_dir/inbox/ ; exports go to $data_dir/exports/
  Stop with Ctrl-C.

MSG
exec .venv/bin/apinbox run
