/**
 * The till's own preview of a basket's figures, for selling while the gateway is away.
 * It mirrors the sales context's rules (subgraphs/sales/README.md): tax-inclusive prices
 * have the tax worked out of them (gross x rate / (100 + rate)), tax-exclusive prices get
 * it added (net x rate / 100); tax rounds half up per line or per tax class on the total;
 * cash is rounded to the store's increment. All in integer minor units. Online the
 * server's figures are shown instead, and a replayed sale takes the server's totals.
 */

export type PricingMode = "TAX_INCLUSIVE" | "TAX_EXCLUSIVE";
export type RoundingLevel = "PER_LINE" | "PER_TOTAL";

export interface PreviewLine {
  /** Shelf price in minor units. */
  unitPrice: number;
  quantity: number;
  /** Exact decimal percent, e.g. "21" or "8.875". */
  ratePercent: string;
}

export interface PreviewPolicy {
  pricing: PricingMode;
  rounding: RoundingLevel;
  /** Cash totals are rounded to a multiple of this (minor units); null: none. */
  cashIncrement: number | null;
}

export interface PreviewFigures {
  net: number;
  tax: number;
  total: number;
  /** What a customer paying all in cash hands over at least (total after cash rounding). */
  cashDue: number;
}

const RATE_SCALE = 1000; // rates carry at most 3 decimals ("8.875")

function scaledRate(percent: string): number {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(percent.trim());
  if (!match) throw new RangeError(`not a rate: ${percent}`);
  return Number(match[1]) * RATE_SCALE + Number((match[2] ?? "").padEnd(3, "0"));
}

/** numerator / denominator rounded half up (both positive or numerator 0). */
export function divideHalfUp(numerator: number, denominator: number): number {
  if (numerator < 0) return -divideHalfUp(-numerator, denominator);
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** The tax in `amount` (inclusive) or on it (exclusive), rounded half up. */
export function taxOf(amount: number, percent: string, pricing: PricingMode): number {
  const rate = scaledRate(percent);
  return pricing === "TAX_INCLUSIVE"
    ? divideHalfUp(amount * rate, 100 * RATE_SCALE + rate)
    : divideHalfUp(amount * rate, 100 * RATE_SCALE);
}

export function roundToIncrement(amount: number, increment: number | null): number {
  if (!increment || increment <= 1) return amount;
  return divideHalfUp(amount, increment) * increment;
}

export function previewFigures(lines: readonly PreviewLine[], policy: PreviewPolicy): PreviewFigures {
  let tax = 0;
  let amount = 0;
  if (policy.rounding === "PER_LINE") {
    for (const line of lines) {
      const lineAmount = line.unitPrice * line.quantity;
      amount += lineAmount;
      tax += taxOf(lineAmount, line.ratePercent, policy.pricing);
    }
  } else {
    const byRate = new Map<string, number>();
    for (const line of lines) {
      const lineAmount = line.unitPrice * line.quantity;
      amount += lineAmount;
      byRate.set(line.ratePercent, (byRate.get(line.ratePercent) ?? 0) + lineAmount);
    }
    for (const [rate, sum] of byRate) tax += taxOf(sum, rate, policy.pricing);
  }
  const total = policy.pricing === "TAX_INCLUSIVE" ? amount : amount + tax;
  const net = total - tax;
  return { net, tax, total, cashDue: roundToIncrement(total, policy.cashIncrement) };
}

/** Change for cash handed over against what is due in cash (never negative). */
export function changeDue(cashTendered: number, cashDue: number): number {
  return Math.max(0, cashTendered - cashDue);
}
