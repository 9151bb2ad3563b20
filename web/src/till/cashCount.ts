/**
 * Counting a drawer note by note: the face values a till offers per currency and the
 * total they make, in integer minor units. The till sends the counts with their total;
 * the sales context checks that they add up (and keeps them on the Z report).
 */
import { fromMinor, toMinor } from "../format";

const FACES: Record<string, readonly string[]> = {
  EUR: ["500", "200", "100", "50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01"],
  USD: ["100", "50", "20", "10", "5", "2", "1", "0.25", "0.10", "0.05", "0.01"],
  GBP: ["50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01"],
};

/** The face values counted for `currency`, largest first (none known: count a total). */
export function facesOf(currency: string): readonly string[] {
  return FACES[currency] ?? [];
}

export interface Counted { value: string; count: number }

/** The counts given (blank or 0 left out), refusing what is not a whole number >= 0. */
export function countsOf(entered: Record<string, string>, currency: string): Counted[] {
  const out: Counted[] = [];
  for (const value of facesOf(currency)) {
    const text = (entered[value] ?? "").trim();
    if (text === "") continue;
    if (!/^\d{1,5}$/.test(text)) throw new RangeError(`count of ${value}: a whole number, got ${text}`);
    const count = Number(text);
    if (count > 0) out.push({ value, count });
  }
  return out;
}

/** What the counts add up to, as a decimal amount of `currency`. */
export function totalOf(counts: readonly Counted[], currency: string): string {
  return fromMinor(counts.reduce((sum, c) => sum + toMinor(c.value, currency) * c.count, 0), currency);
}
