#!/usr/bin/env bash
# The machine-level set-up logjam's tests need beyond npm, from Debian's packages: chromium for the
# HTML report's browser test (driven by playwright-core, no browser download), and Debian's python3
# with the Python loggers it packages for the Python adapters (without them, those adapters are
# skipped with the reason). Idempotent: installs only what is missing. Needs root or sudo -n.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import loguru, structlog, logbook' 2>/dev/null; then
  missing+=(python3 python3-loguru python3-structlog python3-logbook)
fi
if [ ${#missing[@]} -gt 0 ]; then
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then as_root="sudo -n"; fi
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
