/**
 * Money and dates through Intl, and exact money arithmetic in minor units: the graph sends
 * amounts as decimal strings, and a till that added floats would show 0.30000000000000004.
 * Figures computed here are previews; the server's totals replace them.
 */

export const LOCALE = typeof navigator !== "undefined" ? navigator.language || "en" : "en";

export interface Money {
  amount: string;
  currency: string;
}

/** Decimal places of a currency (2 for EUR/USD, 0 for JPY), as Intl knows it. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/** "12.34" -> 1234 minor units (exact; more decimals than the currency has are refused). */
export function toMinor(amount: string, currency: string): number {
  const digits = currencyDigits(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new RangeError(`not an amount: ${amount}`);
  const [, sign, whole, frac = ""] = match;
  if (frac.replace(/0+$/, "").length > digits) throw new RangeError(`too many decimals: ${amount}`);
  const minor = Number(whole) * 10 ** digits + Number(frac.padEnd(digits, "0").slice(0, digits) || "0");
  return sign ? -minor : minor;
}

/** 1234 minor units -> "12.34" (the graph's decimal string form). */
export function fromMinor(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(Math.round(minor));
  if (digits === 0) return `${sign}${abs}`;
  const text = String(abs).padStart(digits + 1, "0");
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** A Money shown in the user's locale, e.g. "€12.34" or "12,34 €". */
export function formatMoney(money: Money | null | undefined, locale = LOCALE): string {
  if (!money) return "–";
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(
    Number(money.amount),
  );
}

/** Several currencies' amounts (a report's per-currency list) on one line. */
export function formatMonies(list: readonly Money[] | null | undefined, locale = LOCALE): string {
  if (!list || list.length === 0) return "–";
  return list.map((m) => formatMoney(m, locale)).join(" + ");
}

export function formatDateTime(iso: string | null | undefined, locale = LOCALE): string {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

/** A calendar day (YYYY-MM-DD, UTC in the graph) shown in the user's locale. */
export function formatDay(day: string, locale = LOCALE): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

export function formatNumber(value: number, locale = LOCALE): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** Today as YYYY-MM-DD in UTC (the reports' days are UTC). */
export function isoDay(date: Date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}
