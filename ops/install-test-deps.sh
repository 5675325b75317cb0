#!/usr/bin/env bash
# Installs what `make test` needs beyond the Rust toolchain: Go with Debian's x/mod
# (the independent Merkle/note verifier), Node.js (the WebCrypto verifier and the
# web app's build), Debian's Chromium (browser tests via playwright-core) and CJK
# fonts (so screenshots show Chinese). Idempotent: does nothing when all is present.
set -euo pipefail

need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb ] || need+=(golang-golang-x-mod-dev)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Vite 7 needs Node.js 20.19 or newer.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  echo "Node.js $(node --version) is too old for the web app's build: 20.19 or newer is needed" >&2
  exit 1
}

# The independent working-day source the calendar tests compare against (PyPI
# `chinesecalendar`), in a folder of its own outside the clone.
py="${ROUNDTABLE_PY:-$HOME/.cache/roundtable/py}"
if ! PYTHONPATH="$py" python3 -c 'import chinese_calendar' 2>/dev/null; then
  echo "installing chinesecalendar into $py"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$py" 'chinesecalendar==1.11.0'
fi
