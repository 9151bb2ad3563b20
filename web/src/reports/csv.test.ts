import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";

describe("csv", () => {
  it("quotes what needs quoting", () => {
    expect(csvCell('say "hi", twice')).toBe('"say ""hi"", twice"');
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(12.5)).toBe("12.5");
  });
  it("keeps formulas from running in a spreadsheet", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-3.50")).toBe("-3.50");
    expect(csvCell("@cmd")).toBe("'@cmd");
  });
  it("writes CRLF rows with a header", () => {
    expect(toCsv(["day", "gross"], [["2026-12-01", "10.00"], ["2026-12-02", "0"]])).toBe(
      "day,gross\r\n2026-12-01,10.00\r\n2026-12-02,0\r\n",
    );
  });
});
