#!/bin/sh
# Install the system programs the build needs when they are missing:
# Graphviz's `dot` for diagrams and a CJK font so Chinese labels are measured
# and drawn correctly. Quiet and instant when both are already there.
set -eu

need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    need="$need fonts-wqy-microhei fontconfig"
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
    Darwin) echo "Please install Graphviz and a CJK font, then run make again: brew install graphviz && brew install --cask font-noto-sans-cjk-sc" ;;
    *) echo "Please install Graphviz (the 'dot' program) and a Chinese font (e.g. WenQuanYi Micro Hei or Noto Sans CJK) with your package manager, then run make again." ;;
esac
exit 1
