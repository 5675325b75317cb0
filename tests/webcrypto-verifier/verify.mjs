// Checks a manifest of Roundtable checkpoints and proofs with WebCrypto only.
// Usage: node verify.mjs MANIFEST.json   (exit 1 when any case disagrees)
import { readFileSync } from "node:fs";
import { b64, duplicateEventId, isCanonical, leafHash, openCheckpoint, parseVkey, verifyConsistency, verifyInclusion } from "../../web/src/verify/tlog.js";

const m = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = await parseVkey(m.vkey);
const trees = new Map();
for (const [size, note] of Object.entries(m.checkpoints)) {
  const cp = await openCheckpoint(note, key);
  if (String(cp.size) !== size) throw new Error(`checkpoint ${size} says ${cp.size}`);
  trees.set(size, cp);
}
let checked = 0, failures = 0;
const report = (ok, expect, what) => {
  checked++;
  if (ok !== expect) { failures++; console.error(`MISMATCH ${what}: verified=${ok}, expected ${expect}`); }
};
const attempt = async (f) => { try { return await f(); } catch { return false; } };

for (const [i, leaf] of m.leaves.entries()) report(isCanonical(b64(leaf)), true, `leaf ${i} canonical`);
for (const [i, c] of m.notes.entries()) report(await attempt(async () => !!(await openCheckpoint(c.note, key))), c.expect, `note ${i} (${c.why})`);
for (const c of m.inclusion) {
  const t = trees.get(String(c.tree_size));
  const ok = await attempt(async () => {
    const leaf = b64(c.leaf || m.leaves[c.index]);
    return !!t && verifyInclusion(BigInt(c.index), t.size, await leafHash(leaf), c.inclusion.map(b64), t.root);
  });
  report(ok, c.expect, `inclusion ${c.index} in ${c.tree_size} (${c.why})`);
}
for (const c of m.consistency) {
  const o = trees.get(String(c.old_size)), n = trees.get(String(c.tree_size));
  const ok = await attempt(async () => !!o && !!n &&
    verifyConsistency(o.size, n.size, c.old_root ? b64(c.old_root) : o.root, n.root, c.consistency.map(b64)));
  report(ok, c.expect, `consistency ${c.old_size} -> ${c.tree_size} (${c.why})`);
}
for (const [i, c] of (m.logs ?? []).entries()) {
  const ok = await attempt(async () => duplicateEventId(c.leaves.map(b64)) === null);
  report(ok, c.expect, `log ${i} event ids (${c.why})`);
}
console.log(`webcrypto-verifier: ${trees.size} checkpoints, ${checked} cases, ${failures} mismatches`);
process.exit(failures > 0 ? 1 : 0);
