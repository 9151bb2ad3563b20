import { describe, expect, it } from "vitest";
import { addDays, formatMoney, fromMinor, toMinor } from "./format";

describe("minor units", () => {
  it("parses decimal strings exactly", () => {
    expect(toMinor("12.34", "EUR")).toBe(1234);
    expect(toMinor("0.1", "EUR")).toBe(10);
    expect(toMinor("-3.05", "USD")).toBe(-305);
    expect(toMinor("7", "EUR")).toBe(700);
    expect(toMinor("1500", "JPY")).toBe(1500);
  });
  it("refuses what is not an amount", () => {
    expect(() => toMinor("1.234", "EUR")).toThrow(RangeError);
    expect(() => toMinor("abc", "EUR")).toThrow(RangeError);
  });
  it("writes them back", () => {
    expect(fromMinor(1234, "EUR")).toBe("12.34");
    expect(fromMinor(5, "EUR")).toBe("0.05");
    expect(fromMinor(-305, "USD")).toBe("-3.05");
    expect(fromMinor(1500, "JPY")).toBe("1500");
  });
  it("adds without float drift", () => {
    const sum = ["0.10", "0.20"].reduce((acc, a) => acc + toMinor(a, "EUR"), 0);
    expect(fromMinor(sum, "EUR")).toBe("0.30");
  });
});

describe("Intl formatting", () => {
  it("formats money per locale", () => {
    expect(formatMoney({ amount: "12.5", currency: "EUR" }, "en-IE")).toBe("€12.50");
    expect(formatMoney({ amount: "12.5", currency: "EUR" }, "nl-NL")).toMatch(/12,50/);
    expect(formatMoney(null)).toBe("–");
  });
  it("moves days across month ends", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
