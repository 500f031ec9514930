#!/usr/bin/env bash
# Headless Chromium for the report's browser test (tests/python/test_report.py): Debian's
# chromium and its matching chromedriver; nothing is downloaded at test time.
#   scripts/chromium.sh install   apt-installs them if they are missing
set -euo pipefail

case "${1:-}" in
    install)
        if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
        fi
        ;;
    *)
        echo "usage: $0 install" >&2
        exit 2
        ;;
esac
