// @vitest-environment node
// The browser follows a key rotation only when the key it trusts vouched for it:
// a `key.rotated` leaf proven under a checkpoint that key signed.
import { describe, expect, it } from "vitest";
import { followRotation } from "../../src/verify/keys";
import type { LogSource } from "../../src/verify/source";
import { leafHash, rootOf, toB64 } from "../../src/verify/tlog.js";

const ORIGIN = "roundtable.test/rotation";
const enc = new TextEncoder();

interface Key {
  vkey: string;
  sign(text: string): Promise<string>;
}

async function makeKey(): Promise<Key> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const tagged = Uint8Array.of(0x01, ...raw);
  const id = new Uint8Array(await crypto.subtle.digest("SHA-256", Uint8Array.of(...enc.encode(ORIGIN + "\n"), ...tagged))).slice(0, 4);
  const hex = [...id].map((x) => x.toString(16).padStart(2, "0")).join("");
  return {
    vkey: `${ORIGIN}+${hex}+${toB64(tagged)}`,
    async sign(text: string) {
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, enc.encode(text)));
      return `\u2014 ${ORIGIN} ${toB64(Uint8Array.of(...id, ...sig))}\n`;
    },
  };
}

const leaf = (type: string, stream: string, body: object) =>
  enc.encode(JSON.stringify({ actor: { id: "system", role: "log_signer" }, body, id: "00000000-0000-4000-8000-000000000001", log: ORIGIN, prev: null, seq: 1, stream, time: "2026-11-26T00:00:00.000Z", type, v: 1 }));

/** Two leaves (an event, then the rotation), a checkpoint of both signed by `signers`. */
async function world(oldKey: Key, newKey: Key, signers: Key[], rotationBody?: object) {
  const leaves = [leaf("issue.raised", "issue/i_1", {}), leaf("key.rotated", "log/keys", rotationBody ?? { new: newKey.vkey, old: oldKey.vkey })];
  const hashes = await Promise.all(leaves.map(leafHash));
  const text = `${ORIGIN}\n2\n${toB64(await rootOf(hashes))}\n`;
  const note = text + "\n" + (await Promise.all(signers.map((k) => k.sign(text)))).join("");
  const routes: Record<string, string> = {
    "/log/rotations": JSON.stringify([{ index: 1, old: oldKey.vkey, new: newKey.vkey }]),
    "/log/proof/inclusion?index=1&size=2": JSON.stringify({ inclusion: [toB64(hashes[0])] }),
  };
  const source: LogSource = {
    text: async (path) => routes[path] ?? Promise.reject(new Error(`no ${path}`)),
    bytes: async (path) => (path === "/log/entries/1" ? leaves[1] : Promise.reject(new Error(`no ${path}`))),
  };
  return { note, source, routes };
}

/** The browser's memory of the last checkpoint it verified (none: `undefined`). */
const seen = (note: string | undefined) => ({ get: async () => (note === undefined ? undefined : { origin: ORIGIN, note, size: "2", at: "" }) });

describe("following a key rotation", () => {
  it("adopts the new key the trusted key vouched for", async () => {
    const [oldKey, newKey] = [await makeKey(), await makeKey()];
    const { note, source } = await world(oldKey, newKey, [oldKey, newKey]);
    expect(await followRotation(source, oldKey.vkey, `${newKey.vkey}\n`, seen(note))).toEqual({ key: newKey.vkey, index: 1n });
  });

  it("refuses without a checkpoint the trusted key signed over the rotation", async () => {
    const [oldKey, newKey] = [await makeKey(), await makeKey()];
    const byNewOnly = await world(oldKey, newKey, [newKey]);
    expect(await followRotation(byNewOnly.source, oldKey.vkey, newKey.vkey, seen(byNewOnly.note))).toBeUndefined();
    expect(await followRotation(byNewOnly.source, oldKey.vkey, newKey.vkey, seen(undefined))).toBeUndefined();
  });

  it("refuses a leaf that does not say so, a forged proof, or a key not served", async () => {
    const [oldKey, newKey, other] = [await makeKey(), await makeKey(), await makeKey()];
    const lying = await world(oldKey, newKey, [oldKey], { new: other.vkey, old: oldKey.vkey });
    expect(await followRotation(lying.source, oldKey.vkey, newKey.vkey, seen(lying.note))).toBeUndefined();
    const forged = await world(oldKey, newKey, [oldKey]);
    forged.routes["/log/proof/inclusion?index=1&size=2"] = JSON.stringify({ inclusion: [toB64(new Uint8Array(32))] });
    expect(await followRotation(forged.source, oldKey.vkey, newKey.vkey, seen(forged.note))).toBeUndefined();
    const honest = await world(oldKey, newKey, [oldKey]);
    expect(await followRotation(honest.source, oldKey.vkey, other.vkey, seen(honest.note))).toBeUndefined();
    expect(await followRotation(honest.source, oldKey.vkey, newKey.vkey, seen(honest.note))).toEqual({ key: newKey.vkey, index: 1n });
  });
});
