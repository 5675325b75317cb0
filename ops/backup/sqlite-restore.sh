#!/bin/sh
# Restores an embedded data directory from a backup made by sqlite-backup.sh.
# The server must be stopped. The old directory is kept aside, never deleted.
#   sqlite-restore.sh BACKUP_DIR DATA_DIR
set -eu
backup=${1:?usage: sqlite-restore.sh BACKUP_DIR DATA_DIR}
data=${2:?usage: sqlite-restore.sh BACKUP_DIR DATA_DIR}
bin=${ROUNDTABLE:-roundtable}
# Audit the backup again before trusting it.
"$bin" audit verify "$backup/audit" --vkey "$backup/audit/vkey.pinned"
if [ -e "$data" ]; then
  aside="$data.before-restore.$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$data" "$aside"
  echo "the previous data directory is at $aside"
fi
mkdir -p "$data"
cp -a "$backup"/. "$data"/
rm -rf "$data/audit"
echo "restored $backup into $data; start the server and compare /log/checkpoint with the backup's"
