// Roundtable log verification with WebCrypto only (crypto.subtle): the same module
// runs in Node (tests/webcrypto-verifier) and in the browser (the verification page).
// RFC 9162 proofs, C2SP signed notes and checkpoints. Plain JavaScript so Node runs
// it without a build step; `tlog.d.ts` gives TypeScript its types.

const enc = new TextEncoder();
export const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const toB64 = (bytes) => btoa(String.fromCharCode(...bytes));
const cat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
};
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
export const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export const leafHash = (leaf) => sha256(cat(Uint8Array.of(0), leaf));
const nodeHash = (l, r) => sha256(cat(Uint8Array.of(1), l, r));
export const EMPTY_ROOT = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/** Parses `name+hex8+base64(0x01||key)` and checks the key id. */
export async function parseVkey(vkey) {
  const text = vkey.trim();
  const first = text.indexOf("+"), second = text.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new Error("malformed vkey");
  const name = text.slice(0, first), idHex = text.slice(first + 1, second);
  const raw = b64(text.slice(second + 1));
  if (raw[0] !== 0x01 || raw.length !== 33) throw new Error("not an Ed25519 vkey");
  const id = (await sha256(cat(enc.encode(name + "\n"), raw))).slice(0, 4);
  const hex = [...id].map((x) => x.toString(16).padStart(2, "0")).join("");
  if (hex !== idHex) throw new Error("vkey id mismatch");
  const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  return { name, id, key };
}

/** Opens a signed checkpoint: unknown signers ignored, a bad known signature rejects. */
export async function openCheckpoint(note, logKey) {
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(note)) throw new Error("control character");
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("malformed note");
  const text = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2, -1).split("\n")) {
    if (!line.startsWith("\u2014 ")) throw new Error("malformed signature line");
    const [name, sigB64, extra] = line.slice(2).split(" ");
    if (extra !== undefined || !sigB64) throw new Error("malformed signature line");
    const sig = b64(sigB64);
    if (sig.length < 5) throw new Error("short signature");
    if (name !== logKey.name || !eq(sig.slice(0, 4), logKey.id)) continue;
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, logKey.key, sig.slice(4), enc.encode(text));
    if (!ok) throw new Error("bad signature by " + name);
    verified = true;
  }
  if (!verified) throw new Error("no valid log signature");
  const [origin, sizeStr, rootB64] = text.split("\n");
  if (origin !== logKey.name || !/^(0|[1-9][0-9]*)$/.test(sizeStr)) throw new Error("bad checkpoint body");
  const root = b64(rootB64);
  if (root.length !== 32) throw new Error("bad root");
  if (sizeStr === "0" && rootB64 !== EMPTY_ROOT) throw new Error("empty tree with a non-empty root");
  return { origin, size: BigInt(sizeStr), root };
}

/** The RFC 6962 root of leaf hashes, folded left to right as the log grows. */
export async function rootOf(leafHashes) {
  if (leafHashes.length === 0) return b64(EMPTY_ROOT);
  // stack[k] is a complete subtree; merging pairs of equal size keeps it compact.
  const stack = [];
  for (const [i, h] of leafHashes.entries()) {
    let node = h;
    for (let n = i; n & 1; n >>= 1) node = await nodeHash(stack.pop(), node);
    stack.push(node);
  }
  let root = stack.pop();
  while (stack.length) root = await nodeHash(stack.pop(), root);
  return root;
}

/** RFC 9162 §2.1.3.2. */
export async function verifyInclusion(index, size, leafH, path, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1n, r = leafH;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else r = await nodeHash(r, p);
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && eq(r, root);
}

/** RFC 9162 §2.1.4.2, with size 0 and equal sizes settled as in our Rust code. */
export async function verifyConsistency(m, n, oldRoot, newRoot, proof) {
  if (m > n) return false;
  if (m === n) return proof.length === 0 && eq(oldRoot, newRoot);
  if (m === 0n) return proof.length === 0 && eq(oldRoot, b64(EMPTY_ROOT));
  if (proof.length === 0) return false;
  const path = (m & (m - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1n, sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr); sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else sr = await nodeHash(sr, c);
    fn >>= 1n; sn >>= 1n;
  }
  return eq(fr, oldRoot) && eq(sr, newRoot) && sn === 0n;
}

/** RFC 8785 for our profile (integers only, sorted ASCII keys). */
export const jcs = (v) => Array.isArray(v) ? `[${v.map(jcs).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",")}}`
  : JSON.stringify(v);

export const isCanonical = (bytes) => {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  return jcs(JSON.parse(text)) === text;
};

/** The first leaf whose event id an earlier leaf already used, or null: event ids
 * are unique across the whole log (a retry written twice would count twice). */
export const duplicateEventId = (leaves) => {
  const seen = new Map();
  for (const [index, bytes] of leaves.entries()) {
    const id = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)).id;
    if (typeof id !== "string" || id === "") return { index, first: -1, id: String(id) };
    if (seen.has(id)) return { index, first: seen.get(id), id };
    seen.set(id, index);
  }
  return null;
};
