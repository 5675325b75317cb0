// Both languages complete: the same keys, every key the code uses, and a word for
// every value of every enum the app shows and every event type of the log.
// @vitest-environment node
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import en from "../../src/i18n/en";
import zhCN from "../../src/i18n/zh-CN";

type Tree = { [k: string]: string | Tree };
const keys = (tree: Tree, prefix = ""): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v, `${prefix}${k}.`)));
const has = (tree: Tree, key: string) => keys(tree).includes(key);

const root = resolve(process.cwd(), "..");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const sources = files(resolve(process.cwd(), "src"))
  .filter((f) => /\.(vue|ts)$/.test(f) && !f.includes("/gql/") && !f.includes("/i18n/"))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");
const schema = readFileSync(join(root, "schema/schema.graphql"), "utf8");
const enumValues = (name: string) => {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema)?.[1];
  if (!body) throw new Error(`no enum ${name}`);
  return body.split("\n").map((l) => l.trim()).filter((l) => /^[A-Z_]+$/.test(l));
};

describe("messages", () => {
  it("zh-CN and English have exactly the same keys", () => {
    expect(keys(en as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it("no message is empty", () => {
    for (const tree of [en, zhCN] as Tree[]) for (const k of keys(tree)) expect(k.split(".").reduce<Tree | string>((t, p) => (t as Tree)[p], tree)).not.toBe("");
  });

  it("every key the code names exists", () => {
    const used = [...sources.matchAll(/\bt\(\s*["']([a-zA-Z0-9_.]+)["']/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(100);
    const missing = [...new Set(used)].filter((k) => !has(zhCN as Tree, k));
    expect(missing).toEqual([]);
  });

  it.each([
    ["status", "IssueStatus"],
    ["statusExplain", "IssueStatus"],
    ["category", "Category"],
    ["channel", "Channel"],
    ["rating", "Rating"],
    ["rejection", "RejectionReason"],
    ["kind", "JurisdictionKind"],
    ["roles", "RoleKind"],
    ["seats", "SeatKind"],
    ["phase", "MeetingPhase"],
    ["attendance", "Attendance"],
    ["itemStatus", "ItemStatus"],
    ["motionStatus", "MotionStatus"],
    ["method", "VoteMethod"],
    ["majority", "MajorityKind"],
    ["choice", "Choice"],
    ["clock.stage", "Stage"],
  ])("%s.* covers every value of %s", (prefix, name) => {
    const missing = enumValues(name).filter((v) => !has(zhCN as Tree, `${prefix}.${v}`));
    expect(missing).toEqual([]);
  });

  it("every event type of the log has a name", () => {
    const types = readdirSync(join(root, "schema/events")).map((f) => f.replace(/\.json$/, ""));
    expect(types.length).toBeGreaterThan(50);
    expect(types.filter((t) => !has(zhCN as Tree, `events.${t}`))).toEqual([]);
  });

  it("every error code has words", () => {
    for (const code of ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "VALIDATION", "CONFLICT", "RATE_LIMITED", "INTERNAL", "NETWORK"]) expect(has(zhCN as Tree, `errors.${code}`)).toBe(true);
  });

  // The domain's list of refusals (schema/refusals.json, written from the code by
  // a Rust test) against both languages: every key translated, nothing stale,
  // and a message names only the values the server sends with it.
  const refusals = JSON.parse(readFileSync(join(root, "schema/refusals.json"), "utf8")) as Record<string, string[]>;
  it.each([
    ["zh-CN", zhCN.refusals],
    ["en", en.refusals],
  ] as const)("every refusal the server can give is said in %s, with only its values", (_, messages) => {
    const table = messages as Record<string, string>;
    expect(Object.keys(refusals).length).toBeGreaterThan(100);
    expect(Object.keys(refusals).filter((k) => !table[k])).toEqual([]);
    expect(Object.keys(table).filter((k) => !(k in refusals))).toEqual([]);
    for (const [key, message] of Object.entries(table)) {
      const named = [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(named.filter((n) => !refusals[key].includes(n)), key).toEqual([]);
    }
  });

  it("every field the API names in a VALIDATION error has a label", () => {
    const rust = files(join(root, "services"))
      .filter((f) => f.endsWith(".rs") && f.includes("/src/"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const fields = [...new Set([...rust.matchAll(/validation\(\s*"([a-z_A-Z]+)"/g)].map((m) => m[1]))];
    expect(fields.length).toBeGreaterThan(5);
    // The API speaks camelCase field names; the domain's snake_case ones are converted.
    const camel = (f: string) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    expect(fields.filter((f) => !has(zhCN as Tree, `fields.${camel(f)}`))).toEqual([]);
  });
});
