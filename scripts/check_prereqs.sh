#!/bin/sh
# Check what `make run` needs from the operating system and say exactly how to install anything missing.
PYTHON=${PYTHON:-python3}
missing=""
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Python 3.11 or newer is needed: sudo apt-get install python3 python3-venv"; exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))."; exit 1
fi
if [ ! -x .venv/bin/python ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing="$missing python3-venv"
fi
# WeasyPrint renders letters with Pango.
if ! "$PYTHON" -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0") else 1)'; then
  missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
fi
# ... and HarfBuzz's subsetter to embed only the glyphs a letter uses (WeasyPrint warns, then fails, without it).
if ! "$PYTHON" -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("harfbuzz-subset") else 1)'; then
  missing="$missing libharfbuzz-subset0"
fi
if [ -n "$missing" ]; then
  echo "Missing system packages. Install them with:"
  echo "  sudo apt-get install$missing"
  exit 1
fi
