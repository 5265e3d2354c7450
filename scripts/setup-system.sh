#!/bin/sh
# Install the system programs the build needs when they are missing:
# Python with venv, Graphviz's `dot` for diagrams, and a CJK font so Chinese
# labels are measured and drawn correctly. Quiet and instant when all are there.
#   sh scripts/setup-system.sh          # everything
#   sh scripts/setup-system.sh python   # only Python, before the virtualenv exists
#   sh scripts/setup-system.sh browser  # Chromium for the browser tests
set -eu

need=""
if [ "${1:-}" = "browser" ]; then
    command -v chromium >/dev/null 2>&1 || need="chromium"
elif ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    need="$need python3 python3-venv"
fi
if [ -z "${1:-}" ]; then
    command -v dot >/dev/null 2>&1 || need="$need graphviz"
    if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
        need="$need fonts-wqy-microhei fontconfig"
    fi
fi
[ -z "$need" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing system packages:$need"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
    exit 0
fi

case "$(uname -s)" in
    Darwin) echo "Please install these, then run make again: brew install python graphviz && brew install --cask font-noto-sans-cjk-sc chromium" ;;
    *) echo "Please install with your package manager, then run make again:$need (Python 3.11+ with venv, Graphviz's dot, a Chinese font such as WenQuanYi Micro Hei, Chromium for tests)" ;;
esac
exit 1
