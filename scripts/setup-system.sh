#!/usr/bin/env bash
# Install the system packages AP Inbox and its tests need (Debian/Ubuntu), then the
# Python environment from the lock file. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The headers and compiler build tesserocr against this tesseract (see pyproject.toml).
packages=(python3-venv python3-dev g++ pkg-config tesseract-ocr tesseract-ocr-eng
          tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-osd libtesseract-dev
          libleptonica-dev poppler-utils openssl)
if [[ "${APINBOX_WITH_TEST_PACKAGES:-0}" == "1" ]]; then
  packages+=(dovecot-imapd chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's dovecot package starts a system-wide server on the standard ports; the tests run
# their own on random loopback ports, so the system one is not needed.
if [[ "${APINBOX_WITH_TEST_PACKAGES:-0}" == "1" ]] && command -v systemctl >/dev/null; then
  systemctl disable --now dovecot >/dev/null 2>&1 || true
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/uv ]]; then
  "$python" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check uv
fi
groups=(--no-dev)
[[ "${APINBOX_WITH_TEST_PACKAGES:-0}" == "1" ]] && groups=()
.venv/bin/uv sync --frozen --inexact "${groups[@]}" -q
