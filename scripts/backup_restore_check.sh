#!/usr/bin/env bash
# Back up a database with pg_dump, restore it into a new database, and check that every table's row count matches.
# CI runs it against a database filled with the demo data; docs/operations.md explains the same steps by hand.
#   scripts/backup_restore_check.sh [postgres://user@host:port/dbname]
set -euo pipefail
cd "$(dirname "$0")/.."
source_url="${1:-postgres://postgres@127.0.0.1:5432/vig_backup_check}"
base="${source_url%/*}"
source_db="${source_url##*/}"
restored_db="${source_db}_restored"
dump="$(mktemp -d)/backup.dump"
PY="${PYTHON:-.venv/bin/python}"

if [ -z "${1:-}" ]; then
  echo "Filling ${source_db} with the demo data"
  dropdb --if-exists -h 127.0.0.1 -U postgres "$source_db"
  createdb -h 127.0.0.1 -U postgres "$source_db"
  DATABASE_URL="$source_url" DEBUG=1 DEMO_MODE=1 "$PY" manage.py migrate --noinput >/dev/null
  DATABASE_URL="$source_url" DEBUG=1 DEMO_MODE=1 "$PY" manage.py load_demo_data >/dev/null
fi

echo "Backing up ${source_db}"
pg_dump --format=custom --no-owner --file="$dump" "$source_url"
dropdb --if-exists -h 127.0.0.1 -U postgres "$restored_db"
createdb -h 127.0.0.1 -U postgres "$restored_db"
echo "Restoring into ${restored_db}"
pg_restore --no-owner --exit-on-error --dbname="${base}/${restored_db}" "$dump"

counts() {
  psql "$1" -At -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name" |
    while read -r table; do
      echo "$table $(psql "$1" -At -c "SELECT count(*) FROM \"$table\"")"
    done
}
before="$(counts "$source_url")"
after="$(counts "${base}/${restored_db}")"
if [ "$before" != "$after" ]; then
  echo "Row counts differ after restore:"
  diff <(echo "$before") <(echo "$after") || true
  exit 1
fi
tables=$(echo "$before" | wc -l)
rows=$(echo "$before" | awk '{s += $2} END {print s}')
echo "Backup and restore checked: ${tables} tables, ${rows} rows, every count matches."
dropdb -h 127.0.0.1 -U postgres "$restored_db"
rm -f "$dump"
