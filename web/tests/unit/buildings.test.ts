import { describe, expect, it } from "vitest";
import { formatBuildings, parseBuildings } from "../../src/buildings";

describe("a grid's buildings as typed", () => {
  it("reads one building a line with its units, in Chinese or Latin punctuation", () => {
    expect(parseBuildings("3号楼：1单元，2单元\n\n 4号楼 \n5号楼: 1单元, 2单元、3单元\n：孤单元")).toEqual([
      { name: "3号楼", units: ["1单元", "2单元"] },
      { name: "4号楼", units: [] },
      { name: "5号楼", units: ["1单元", "2单元", "3单元"] },
    ]);
  });
  it("writes what it reads", () => {
    const list = [{ name: "3号楼", units: ["1单元", "2单元"] }, { name: "商铺", units: [] }];
    expect(parseBuildings(formatBuildings(list))).toEqual(list);
  });
});
