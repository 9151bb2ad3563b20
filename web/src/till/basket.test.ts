import { describe, expect, it } from "vitest";
import { changeDue, previewFigures, roundToIncrement, taxOf } from "./basket";

const NL = { pricing: "TAX_INCLUSIVE", rounding: "PER_TOTAL", cashIncrement: 5 } as const;
const NYC = { pricing: "TAX_EXCLUSIVE", rounding: "PER_TOTAL", cashIncrement: null } as const;

describe("tax like the sales context", () => {
  it("works VAT out of inclusive prices", () => {
    expect(taxOf(1210, "21", "TAX_INCLUSIVE")).toBe(210);
    expect(taxOf(109, "9", "TAX_INCLUSIVE")).toBe(9);
    expect(taxOf(1000, "0", "TAX_INCLUSIVE")).toBe(0);
  });
  it("adds sales tax to exclusive prices, half up", () => {
    expect(taxOf(1000, "8.875", "TAX_EXCLUSIVE")).toBe(89); // 88.75 -> 89
    expect(taxOf(400, "8.875", "TAX_EXCLUSIVE")).toBe(36); // 35.5 -> 36
  });
  it("rounds per tax class on the total, not per line, when the store says so", () => {
    const lines = [
      { unitPrice: 199, quantity: 1, ratePercent: "21" },
      { unitPrice: 199, quantity: 1, ratePercent: "21" },
      { unitPrice: 199, quantity: 1, ratePercent: "21" },
    ];
    // per line: 3 x round(34.537) = 3 x 35 = 105; on the total: round(103.61) = 104
    expect(previewFigures(lines, { ...NL, rounding: "PER_LINE" }).tax).toBe(105);
    expect(previewFigures(lines, NL).tax).toBe(104);
  });
});

describe("basket preview", () => {
  it("totals an inclusive basket and rounds cash to 0.05", () => {
    const figures = previewFigures(
      [
        { unitPrice: 1190, quantity: 2, ratePercent: "9" },
        { unitPrice: 2252, quantity: 1, ratePercent: "21" },
      ],
      NL,
    );
    expect(figures.total).toBe(4632);
    expect(figures.cashDue).toBe(4630);
    expect(figures.net + figures.tax).toBe(figures.total);
  });
  it("adds tax on top of exclusive prices", () => {
    const figures = previewFigures([{ unitPrice: 1000, quantity: 3, ratePercent: "8.875" }], NYC);
    expect(figures).toEqual({ net: 3000, tax: 266, total: 3266, cashDue: 3266 });
  });
  it("rounds halves up and gives change", () => {
    expect(roundToIncrement(1237, 5)).toBe(1235);
    expect(roundToIncrement(1238, 5)).toBe(1240);
    expect(roundToIncrement(1237, null)).toBe(1237);
    expect(changeDue(5000, 4630)).toBe(370);
    expect(changeDue(100, 4630)).toBe(0);
  });
});
