#!/usr/bin/env bash
# Install what bench/run.py compares Pressroom with (nothing of it goes into /work/main/.venv):
#   GNU time and Hugo (0.111 on Debian bookworm) from Debian,
#   Pelican into its own virtualenv, bench/work/venv-pelican.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v hugo >/dev/null || ! /usr/bin/time -f %M true >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq hugo time
fi
if [ ! -x work/venv-pelican/bin/pelican ]; then
  mkdir -p work
  python3 -m venv work/venv-pelican
  # Same Python-Markdown as Pressroom's virtualenv, so both pay the same Markdown cost.
  work/venv-pelican/bin/pip install -q "pelican==4.12.0" "markdown==3.11.3"
fi
hugo version
work/venv-pelican/bin/pelican --version
