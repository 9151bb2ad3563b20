import { describe, expect, it } from "vitest";
import { allocate, changeDue, DiscountTooLarge, effectivePercent, percentOf, previewFigures, roundToIncrement, taxOf } from "./basket";

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
    expect(figures).toEqual({ net: 3000, tax: 266, total: 3266, cashDue: 3266, discount: 0 });
  });
  it("rounds halves up and gives change", () => {
    expect(roundToIncrement(1237, 5)).toBe(1235);
    expect(roundToIncrement(1238, 5)).toBe(1240);
    expect(roundToIncrement(1237, null)).toBe(1237);
    expect(changeDue(5000, 4630)).toBe(370);
    expect(changeDue(100, 4630)).toBe(0);
  });
});

describe("discounts like the sales context", () => {
  const lines = [
    { unitPrice: 4900, quantity: 1, ratePercent: "21" },
    { unitPrice: 450, quantity: 1, ratePercent: "9" },
  ];
  it("takes a line's amount off that line, then a sale percent off the rest, spread pro rata", () => {
    const f = previewFigures(lines, NL, [
      { line: 0, kind: "AMOUNT", amount: 1200 },
      { line: null, kind: "PERCENT", percent: "10" },
    ]);
    // 49.00 - 12.00 = 37.00; + 4.50 = 41.50; 10% = 4.15 off: 37.35
    expect(f.total).toBe(3735);
    expect(f.discount).toBe(1200 + 415);
    expect(f.net + f.tax).toBe(f.total);
  });
  it("taxes what is left of each line after its share", () => {
    const none = previewFigures(lines, NL);
    const half = previewFigures(lines, NL, [{ line: null, kind: "PERCENT", percent: "50" }]);
    expect(half.total).toBe(2675);
    expect(half.tax).toBeLessThan(none.tax);
    // exclusive prices: tax on the discounted amount, added on top
    const nyc = previewFigures([{ unitPrice: 1000, quantity: 1, ratePercent: "8.875" }], NYC, [{ line: 0, kind: "PERCENT", percent: "10" }]);
    expect(nyc).toMatchObject({ net: 900, tax: 80, total: 980 });
  });
  it("refuses discounts that take more than they discount", () => {
    expect(() => previewFigures(lines, NL, [{ line: 1, kind: "AMOUNT", amount: 451 }])).toThrow(DiscountTooLarge);
    expect(() => previewFigures(lines, NL, [{ line: null, kind: "PERCENT", percent: "60" }, { line: null, kind: "PERCENT", percent: "50" }])).toThrow(DiscountTooLarge);
  });
  it("spreads without a cent appearing or vanishing, ties to the earlier line", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [0, 0])).toEqual([3, 2]);
    expect(allocate(415, [3700, 450])).toEqual([370, 45]);
    expect(percentOf(4150, "10")).toBe(415);
    expect(percentOf(333, "12.5")).toBe(42); // 41.625 -> 42
  });
  it("measures an amount by the share it takes off what it discounts (the approval threshold)", () => {
    expect(effectivePercent(lines, [], { line: 0, kind: "AMOUNT", amount: 1200 })).toBeCloseTo(24.49, 2);
    expect(effectivePercent(lines, [{ line: 0, kind: "AMOUNT", amount: 1200 }], { line: null, kind: "AMOUNT", amount: 830 })).toBeCloseTo(20, 5);
    expect(effectivePercent(lines, [], { line: null, kind: "PERCENT", percent: "25" })).toBe(25);
  });
});
