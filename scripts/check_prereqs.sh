#!/bin/sh
# What `make run` and `make test` need from the operating system, installed when missing so the two README
# commands are the whole set-up on a fresh Debian or Ubuntu machine. As root this runs apt-get; otherwise it
# says what and why, then uses sudo; where neither is possible it prints the one command to run and stops.
# Later issues that need a system tool add it to the list below, with the reason.
PYTHON=${PYTHON:-python3}
missing=""
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Python 3.11 or newer is needed: sudo apt-get install python3 python3-venv"; exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))."; exit 1
fi
has_library() {
  "$PYTHON" -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('$1') else 1)"
}
if [ ! -x .venv/bin/python ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing="$missing python3-venv"
fi
why=""
# WeasyPrint renders letters with Pango ...
if ! has_library pango-1.0 || ! has_library pangoft2-1.0; then
  missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
fi
# ... and HarfBuzz's subsetter embeds only the glyphs a letter uses (WeasyPrint warns, then fails, without it).
if ! has_library harfbuzz-subset; then
  missing="$missing libharfbuzz-subset0"
fi
[ -n "$missing" ] && why="WeasyPrint needs them to make letters as PDFs"
# The film vault checks what an uploaded film really is with ffprobe and cuts clips with ffmpeg (issue 22).
if ! command -v "${FFMPEG_BINARY:-ffmpeg}" >/dev/null 2>&1 || ! command -v "${FFPROBE_BINARY:-ffprobe}" >/dev/null 2>&1; then
  missing="$missing ffmpeg"
  why="${why:+$why; }the film vault needs ffmpeg to check and cut films"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
  run=""
elif command -v sudo >/dev/null 2>&1 && [ -z "${NO_SUDO:-}" ]; then
  echo "Installing system packages:$missing ($why). sudo may ask for your password."
  run="sudo"
else
  echo "Missing system packages ($why). Install them with:"
  echo "  sudo apt-get install$missing"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system libraries ($why): install the Debian packages$missing or your system's equivalent."
  exit 1
fi
echo "Installing$missing with apt-get ($why)"
$run apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive $run apt-get install -o DPkg::Lock::Timeout=120 -y -qq --no-install-recommends $missing >/dev/null || {
  echo "Could not install$missing. Install them with:"
  echo "  sudo apt-get install$missing"
  exit 1
}
