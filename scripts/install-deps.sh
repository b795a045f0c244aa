#!/usr/bin/env bash
# Installs the system packages the workbench needs, only when something is missing.
# A no-op (no apt call at all) when everything is already there.
set -euo pipefail

packages=(libopenblas-dev gnuplot-nox libgnuplot-iostream-dev libboost-iostreams-dev libboost-system-dev libboost-filesystem-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# gnuplot itself may come from another flavour (gnuplot-qt, gnuplot-x11); accept any.
if command -v gnuplot >/dev/null 2>&1; then
  missing=("${missing[@]/gnuplot-nox}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
