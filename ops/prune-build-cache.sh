#!/usr/bin/env bash
# Keeps the build cache ($CARGO_TARGET_DIR, outside the clone and shared by every
# build on the machine) from filling the disk. Cargo never deletes an artifact: each
# change of the code leaves the old test binaries behind, and a clone at another path
# builds its own copy of the workspace's crates. CI once failed with "No space left
# on device" after the cache reached 77 GiB.
#
# Run before building. It removes, in order and only while the cache is over its
# limit or its disk is short of space (ROUNDTABLE_CACHE_LIMIT_MIB, default 20 GiB;
# ROUNDTABLE_MIN_FREE_MIB, default 15 GiB):
#   1. test and bench binaries that a newer build of the same target replaced;
#   2. incremental compilation state (only speeds up rebuilds of edited crates);
#   3. the whole cache (the next build starts from nothing).
# Removing an artifact is always safe: cargo rebuilds whatever is missing.
set -euo pipefail

dir=${CARGO_TARGET_DIR:?CARGO_TARGET_DIR must name the build cache}
limit_mib=${ROUNDTABLE_CACHE_LIMIT_MIB:-20480}
min_free_mib=${ROUNDTABLE_MIN_FREE_MIB:-15360}
for n in "$limit_mib" "$min_free_mib"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "prune-build-cache: $n is not a whole number of MiB" >&2; exit 2; }
done
[ -d "$dir" ] || exit 0

size_mib() { du -s --block-size=1M "$dir" | cut -f1; }
free_mib() { df --output=avail --block-size=1M "$dir" | tail -1 | tr -d ' '; }
fits() { [ "$(size_mib)" -le "$limit_mib" ] && [ "$(free_mib)" -ge "$min_free_mib" ]; }
report() { echo "build cache $dir: $(size_mib) MiB (limit $limit_mib), $(free_mib) MiB free on its disk (want $min_free_mib)"; }

report
fits && exit 0

# 1. Executables in deps/ are named `<target>-<16 hex hash>`; keep the newest of each name.
for deps in "$dir"/*/deps; do
  [ -d "$deps" ] || continue
  find "$deps" -maxdepth 1 -type f -perm -u+x -regextype posix-extended \
    -regex '.*/[A-Za-z0-9_]+-[0-9a-f]{16}' -printf '%T@ %p\n' |
    sort -rn |
    awk '{ name = $2; sub(/-[0-9a-f]+$/, "", name); if (seen[name]++) print $2 }' |
    xargs -r rm -f
done
echo "removed superseded test binaries"; report
fits && exit 0

# 2. Incremental state.
rm -rf "$dir"/*/incremental
echo "removed incremental state"; report
fits && exit 0

# 3. Everything.
rm -rf "${dir:?}"/debug "${dir:?}"/release
echo "removed the whole cache"; report
