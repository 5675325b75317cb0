// Where the verifier reads the log: the server's public `/log/*` routes. Nothing
// read here is trusted; every answer is checked against a signature or a root.
import { b64 } from "./tlog.js";

export interface LogSource {
  text(path: string): Promise<string>;
  bytes(path: string): Promise<Uint8Array>;
}

export class HttpSource implements LogSource {
  constructor(private readonly base = "") {}
  private async get(path: string): Promise<Response> {
    const res = await fetch(this.base + path, { cache: "no-store" });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res;
  }
  async text(path: string) {
    return (await this.get(path)).text();
  }
  async bytes(path: string) {
    return new Uint8Array(await (await this.get(path)).arrayBuffer());
  }
}

export const consistencyProof = async (source: LogSource, from: bigint, to: bigint) =>
  (JSON.parse(await source.text(`/log/proof/consistency?from=${from}&to=${to}`)) as { consistency: string[] }).consistency.map(b64);

/** Leaves [0, size) in pages of the server's maximum (1,000): each line is a leaf's exact bytes. */
export async function leaves(source: LogSource, size: bigint, onPage?: (done: bigint) => void): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let start = 0n; start < size; start += 1000n) {
    const end = start + 1000n < size ? start + 1000n : size;
    const page = await source.bytes(`/log/entries?start=${start}&end=${end}`);
    let from = 0;
    for (let i = 0; i < page.length; i++) {
      if (page[i] !== 0x0a) continue;
      out.push(page.slice(from, i));
      from = i + 1;
    }
    if (from < page.length) out.push(page.slice(from));
    onPage?.(end);
  }
  if (BigInt(out.length) !== size) throw new Error(`expected ${size} leaves, got ${out.length}`);
  return out;
}
