#!/bin/sh
# Online backup of an embedded Roundtable data directory while the server runs:
# `roundtable admin backup` copies the log and the vault with SQLite's online
# backup API, copies the keys and photos, then audits the copy (every leaf, every
# chain, the root against the signed checkpoint, every vote recounted) against the
# copied log.key. A copy that fails its audit is removed and the script fails.
#   sqlite-backup.sh DATA_DIR BACKUP_ROOT      (KEEP=N backups kept, default 14)
set -eu
data=${1:?usage: sqlite-backup.sh DATA_DIR BACKUP_ROOT}
root=${2:?usage: sqlite-backup.sh DATA_DIR BACKUP_ROOT}
keep=${KEEP:-14}
bin=${ROUNDTABLE:-roundtable}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$root"
if ! "$bin" admin backup --data "$data" --out "$root/$stamp"; then
  rm -rf "$root/$stamp"
  echo "backup FAILED: see above; nothing kept" >&2
  exit 1
fi
# Keep the newest $keep.
ls -1d "$root"/*/ 2>/dev/null | sort -r | tail -n +"$((keep + 1))" | while read -r old; do
  rm -rf "$old"
done
echo "backup kept at $root/$stamp"
