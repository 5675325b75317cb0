// Types of tlog.js (kept in JavaScript so Node runs the cross-check without a build).
export interface LogKey { name: string; id: Uint8Array; key: CryptoKey }
export interface OpenedCheckpoint { origin: string; size: bigint; root: Uint8Array }
export const EMPTY_ROOT: string;
export function b64(s: string): Uint8Array;
export function toB64(bytes: Uint8Array): string;
export function eq(a: Uint8Array, b: Uint8Array): boolean;
export function leafHash(leaf: Uint8Array): Promise<Uint8Array>;
export function rootOf(leafHashes: Uint8Array[]): Promise<Uint8Array>;
export function parseVkey(vkey: string): Promise<LogKey>;
export function openCheckpoint(note: string, logKey: LogKey): Promise<OpenedCheckpoint>;
export function verifyInclusion(index: bigint, size: bigint, leafH: Uint8Array, path: Uint8Array[], root: Uint8Array): Promise<boolean>;
export function verifyConsistency(m: bigint, n: bigint, oldRoot: Uint8Array, newRoot: Uint8Array, proof: Uint8Array[]): Promise<boolean>;
export function jcs(v: unknown): string;
export function isCanonical(bytes: Uint8Array): boolean;
export function duplicateEventId(leaves: Uint8Array[]): { index: number; first: number; id: string } | null;
