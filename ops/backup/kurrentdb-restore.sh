#!/bin/sh
# Restores a KurrentDB node from kurrentdb-backup.sh's copy, as documented: the
# node must be stopped; copy the files; chaser.chk becomes truncate.chk. The same
# backup may restore every node of a lost cluster.
#   kurrentdb-restore.sh BACKUP_DIR NODE_DB_DIR NODE_INDEX_DIR
set -eu
backup=${1:?usage: kurrentdb-restore.sh BACKUP_DIR NODE_DB_DIR NODE_INDEX_DIR}
db=${2:?usage: kurrentdb-restore.sh BACKUP_DIR NODE_DB_DIR NODE_INDEX_DIR}
index=${3:?usage: kurrentdb-restore.sh BACKUP_DIR NODE_DB_DIR NODE_INDEX_DIR}
mkdir -p "$db" "$index"
rsync -a "$backup/db/" "$db/"
rsync -a "$backup/index/" "$index/"
cp "$db/chaser.chk" "$db/truncate.chk"
echo "node restored; start it, then let each Roundtable process catch up (they resume"
echo "their own copies, or refold from scratch if their data directory is removed)"
