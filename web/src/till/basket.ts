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

/** A discount as the offline till gives it: on line `line` (an index into the lines) or
 * the whole sale (null); `percent` a decimal string with at most 2 decimals, or `amount`
 * in minor units. */
export interface PreviewDiscount {
  line: number | null;
  kind: "PERCENT" | "AMOUNT";
  percent?: string;
  amount?: number;
}

export interface PreviewFigures {
  net: number;
  tax: number;
  total: number;
  /** What a customer paying all in cash hands over at least (total after cash rounding). */
  cashDue: number;
  /** What the discounts take off, together. */
  discount: number;
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

/** `percent` (at most 2 decimals) of `base`, rounded half up like the sales context. */
export function percentOf(base: number, percent: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(percent.trim());
  if (!match) throw new RangeError(`not a percentage: ${percent}`);
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return divideHalfUp(base * hundredths, 100 * 100);
}

/** `total` over `weights` in proportion, summing exactly: each share rounded down, the
 * units left over to the largest remainders (ties to the earlier), like the sales
 * context's `allocate`; all weights zero: equal shares. */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const basis = weights.some((w) => w !== 0) ? weights : weights.map(() => 1);
  const whole = basis.reduce((a, b) => a + b, 0);
  const shares = basis.map((w) => Math.floor((total * w) / whole));
  const remainder = basis.map((w, i) => total * w - (shares[i] ?? 0) * whole);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = basis.map((_, i) => i).sort((a, b) => (remainder[b] ?? 0) - (remainder[a] ?? 0) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left -= 1;
  }
  return shares;
}

export class DiscountTooLarge extends RangeError {}

const taken = (d: PreviewDiscount, base: number) => (d.kind === "PERCENT" ? percentOf(base, d.percent ?? "0") : (d.amount ?? 0));

/**
 * The figures in the sales context's order of work: each line's amount less its own
 * discounts; the sale discounts against the subtotal of those (not compounding), spread
 * over the lines pro rata; then tax on what is left of each line. Refuses (DiscountTooLarge)
 * discounts that take more than they discount, as the graph would.
 */
export function previewFigures(lines: readonly PreviewLine[], policy: PreviewPolicy, discounts: readonly PreviewDiscount[] = []): PreviewFigures {
  const afterLine = lines.map((line, i) => {
    const amount = line.unitPrice * line.quantity;
    const own = discounts.filter((d) => d.line === i).reduce((sum, d) => sum + taken(d, amount), 0);
    if (own > amount) throw new DiscountTooLarge(`discounts exceed line ${i + 1}`);
    return amount - own;
  });
  const base = afterLine.reduce((a, b) => a + b, 0);
  const saleTaken = discounts.filter((d) => d.line === null).reduce((sum, d) => sum + taken(d, base), 0);
  if (saleTaken > base) throw new DiscountTooLarge("discounts exceed the sale");
  const shares = allocate(saleTaken, afterLine);
  const taxable = lines.map((line, i) => ({ amount: (afterLine[i] ?? 0) - (shares[i] ?? 0), rate: line.ratePercent }));
  let tax = 0;
  if (policy.rounding === "PER_LINE") {
    for (const line of taxable) tax += taxOf(line.amount, line.rate, policy.pricing);
  } else {
    const byRate = new Map<string, number>();
    for (const line of taxable) byRate.set(line.rate, (byRate.get(line.rate) ?? 0) + line.amount);
    for (const [rate, sum] of byRate) tax += taxOf(sum, rate, policy.pricing);
  }
  const amount = taxable.reduce((sum, line) => sum + line.amount, 0);
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const total = policy.pricing === "TAX_INCLUSIVE" ? amount : amount + tax;
  const net = total - tax;
  return { net, tax, total, cashDue: roundToIncrement(total, policy.cashIncrement), discount: subtotal - amount };
}

/** How much of what it discounts a discount takes off, in percent (what the store's
 * approval threshold is compared with; 100 when there is nothing to discount). */
export function effectivePercent(lines: readonly PreviewLine[], given: readonly PreviewDiscount[], next: PreviewDiscount): number {
  if (next.kind === "PERCENT") return Number(next.percent ?? "0");
  const before = lines.map((line, i) => line.unitPrice * line.quantity - given.filter((d) => d.line === i).reduce((s, d) => s + taken(d, line.unitPrice * line.quantity), 0));
  const base = next.line === null ? before.reduce((a, b) => a + b, 0) : (before[next.line] ?? 0);
  return base <= 0 ? 100 : ((next.amount ?? 0) * 100) / base;
}

/** Change for cash handed over against what is due in cash (never negative). */
export function changeDue(cashTendered: number, cashDue: number): number {
  return Math.max(0, cashTendered - cashDue);
}
