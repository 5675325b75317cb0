// A grid's buildings as a grid worker types them: one building a line, its units
// after a colon, separated by commas (「3号楼：1单元，2单元」); Chinese or Latin
// punctuation alike. The server checks the bounds and repeats (the domain's rule).
export interface BuildingLine {
  name: string;
  units: string[];
}

const SPLIT_UNITS = /[,，、]/;

export function parseBuildings(text: string): BuildingLine[] {
  const out: BuildingLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.search(/[:：]/);
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    const units = colon < 0 ? [] : line.slice(colon + 1).split(SPLIT_UNITS).map((u) => u.trim()).filter(Boolean);
    if (name) out.push({ name, units });
  }
  return out;
}

export function formatBuildings(list: readonly { name: string; units: readonly string[] }[]): string {
  return list.map((b) => (b.units.length ? `${b.name}：${b.units.join("，")}` : b.name)).join("\n");
}
