#!/usr/bin/env bash
# Instructions per request for the busy pages, counted by valgrind's callgrind (scripts/count_instructions.py says
# why). Needs valgrind (Debian: valgrind, which brings its headers) and gcc, and a demo-mode database with
# benchmark's people, as for `manage.py benchmark`:
#   DATABASE_URL=postgres://…/vig_load_seed_scale DEMO_MODE=1 DEBUG=0 SECRET_KEY=x ALLOWED_HOSTS=testserver \
#     bash scripts/count_instructions.sh [--repeat 10] [--only "Referral record,Triage queue"]
# Django's start-up alone is about 7 billion instructions (a minute or two under callgrind); each request then
# costs about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/helper.c" <<'C'
#include <valgrind/callgrind.h>
void zero(void) { CALLGRIND_ZERO_STATS; }
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
C
gcc -O2 -shared -fPIC -o "$work/helper.so" "$work/helper.c"
repeat=10
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [[ "${args[$i]}" == "--repeat" ]] && repeat="${args[$((i + 1))]}"; done
valgrind --tool=callgrind --callgrind-out-file="$work/out" "$PY" scripts/count_instructions.py "$work/helper.so" "$@" \
  >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$PY" - "$work/out" "$repeat" <<'PY'
import glob, re, sys
prefix, repeat = sys.argv[1], int(sys.argv[2])
print(f"{'Target':<36} {'M instructions a request':>26}")
for path in sorted(glob.glob(prefix + ".*"), key=lambda p: int(p.rsplit(".", 1)[1])):
    text = open(path, errors="replace").read()
    name = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
    total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if name and total:
        print(f"{name.group(1):<36} {int(total.group(1)) / repeat / 1e6:>26.2f}")
PY
