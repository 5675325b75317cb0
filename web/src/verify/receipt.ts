// C2SP `tlog-proof@v1` receipts, as `roundtable-ledger`'s `Receipt` writes them.
// The app adds the leaf itself as the receipt's `extra` line (opaque to the format)
// so a kept receipt proves what was recorded without asking anyone for the leaf.
import { b64, leafHash, openCheckpoint, toB64, verifyInclusion, type LogKey } from "./tlog.js";

const HEADER = "c2sp.org/tlog-proof@v1";

export interface Receipt {
  extra?: Uint8Array;
  index: bigint;
  proof: Uint8Array[];
  checkpoint: string;
}

export class ReceiptError extends Error {
  constructor(readonly code: "MALFORMED" | "NO_LEAF" | "SIGNATURE" | "PROOF" | "LEAF", message: string) {
    super(message);
  }
}

export function parseReceipt(text: string): Receipt {
  const split = text.indexOf("\n\n");
  if (split < 0) throw new ReceiptError("MALFORMED", "no blank line before the checkpoint");
  const lines = text.slice(0, split).split("\n");
  if (lines.shift() !== HEADER) throw new ReceiptError("MALFORMED", `first line is not ${HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith("extra ")) {
    try {
      extra = b64(lines.shift()!.slice(6));
    } catch {
      throw new ReceiptError("MALFORMED", "extra is not base64");
    }
  }
  const index = /^index (0|[1-9][0-9]*)$/.exec(lines.shift() ?? "");
  if (!index) throw new ReceiptError("MALFORMED", "no index line");
  const proof = lines.map((line) => {
    const hash = /^[A-Za-z0-9+/]{43}=$/.test(line) ? b64(line) : undefined;
    if (!hash) throw new ReceiptError("MALFORMED", "proof line is not a base64 hash");
    return hash;
  });
  return { extra, index: BigInt(index[1]), proof, checkpoint: text.slice(split + 2) };
}

/** The receipt with `leaf` as its `extra` line (replacing any). */
export function withLeaf(text: string, leaf: Uint8Array): string {
  const lines = text.split("\n");
  if (lines[1]?.startsWith("extra ")) lines.splice(1, 1);
  lines.splice(1, 0, `extra ${toB64(leaf)}`);
  return lines.join("\n");
}

export interface VerifiedReceipt {
  index: bigint;
  treeSize: bigint;
  leaf: Uint8Array;
  event: LeafEvent;
}

/** The fields of a leaf the app shows (docs/ARCHITECTURE.md, "The record"). */
export interface LeafEvent {
  type: string;
  stream: string;
  seq: number;
  time: string;
  log: string;
  id: string;
  actor?: { id?: string; role?: string };
  prev: { leaf_hash: string } | null;
  body: Record<string, unknown>;
}

export function parseLeaf(leaf: Uint8Array): LeafEvent {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(leaf)) as LeafEvent;
  } catch {
    throw new ReceiptError("LEAF", "the leaf is not UTF-8 JSON");
  }
}

/**
 * Checks a receipt against the log's key: the checkpoint's signature, then the
 * leaf's inclusion under its root. The leaf comes from `extra`, else from
 * `fetchLeaf` (a leaf fetched from anywhere is fine: the proof binds it).
 */
export async function verifyReceipt(
  text: string,
  key: LogKey,
  fetchLeaf?: (index: bigint) => Promise<Uint8Array>,
): Promise<VerifiedReceipt> {
  const receipt = parseReceipt(text);
  let checkpoint;
  try {
    checkpoint = await openCheckpoint(receipt.checkpoint, key);
  } catch (e) {
    throw new ReceiptError("SIGNATURE", (e as Error).message);
  }
  const leaf = receipt.extra ?? (fetchLeaf ? await fetchLeaf(receipt.index) : undefined);
  if (!leaf) throw new ReceiptError("NO_LEAF", "the receipt carries no leaf");
  const included = await verifyInclusion(receipt.index, checkpoint.size, await leafHash(leaf), receipt.proof, checkpoint.root);
  if (!included) throw new ReceiptError("PROOF", "the leaf is not in the signed tree at that index");
  return { index: receipt.index, treeSize: checkpoint.size, leaf, event: parseLeaf(leaf) };
}
