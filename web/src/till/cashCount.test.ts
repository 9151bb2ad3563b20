import { describe, expect, it } from "vitest";
import { countsOf, facesOf, totalOf } from "./cashCount";

describe("counting the drawer by denomination", () => {
  it("adds notes and coins in minor units (no float drift)", () => {
    const counts = countsOf({ "50": "1", "20": "2", "0.10": "3", "0.05": "1", "0.01": "0", "5": "" }, "EUR");
    expect(counts).toEqual([{ value: "50", count: 1 }, { value: "20", count: 2 }, { value: "0.10", count: 3 }, { value: "0.05", count: 1 }]);
    expect(totalOf(counts, "EUR")).toBe("90.35");
    expect(totalOf(countsOf({ "0.10": "3" }, "EUR"), "EUR")).toBe("0.30"); // 0.1 * 3 would be 0.30000000000000004
  });
  it("refuses what is not a count, and knows quarters in dollars", () => {
    expect(() => countsOf({ "20": "1.5" }, "EUR")).toThrow(RangeError);
    expect(() => countsOf({ "20": "-1" }, "EUR")).toThrow(RangeError);
    expect(facesOf("USD")).toContain("0.25");
    expect(facesOf("JPY")).toEqual([]);
  });
});
