#!/bin/sh
# File-copy backup of one KurrentDB node, the method KurrentDB documents: first
# every checkpoint file (*.chk), then the chunks and the index, never mixing files
# of different nodes, never during a scavenge. Run it on (or against the volume
# of) an up-to-date follower or read-only replica.
#   kurrentdb-backup.sh NODE_DB_DIR NODE_INDEX_DIR BACKUP_DIR
# Afterwards, check the backup the way auditors check the log: restore it on a
# scratch node, then `roundtable admin migrate --from kurrentdb://scratch… --to
# sqlite:DIR` (which succeeds only if the root and latest checkpoint match) and
# `roundtable audit export`/`audit verify` on DIR (see ops/README.md).
set -eu
db=${1:?usage: kurrentdb-backup.sh NODE_DB_DIR NODE_INDEX_DIR BACKUP_DIR}
index=${2:?usage: kurrentdb-backup.sh NODE_DB_DIR NODE_INDEX_DIR BACKUP_DIR}
out=${3:?usage: kurrentdb-backup.sh NODE_DB_DIR NODE_INDEX_DIR BACKUP_DIR}
mkdir -p "$out/db" "$out/index"
rsync -a "$db"/*.chk "$out/db/"
rsync -a "$index"/ "$out/index/"
rsync -a --exclude '*.chk' "$db"/ "$out/db/"
echo "node backup in $out"
