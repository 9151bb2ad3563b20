/**
 * Selling while the gateway is unreachable: items come from the catalog the till kept
 * (IndexedDB), the figures from the till's preview of the sales rules (basket.ts), and the
 * finished sale goes into the offline queue with its command ids already chosen.
 * Discounts up to the store's threshold are queued too (the cashier's own call); past it,
 * customer lookup, returns and the drawer need the graph, and the till says so. The
 * cashier sees that the sale is offline and what is queued; the replay takes the
 * server's totals.
 */
import { useState, type FormEvent } from "react";
import { formatMoney, fromMinor, toMinor } from "../format";
import { t } from "../i18n/strings";
import { changeDue, DiscountTooLarge, effectivePercent, previewFigures, roundToIncrement, type PreviewDiscount, type PreviewPolicy } from "./basket";
import { commandId } from "./command";
import { enqueue, findCached, type CachedProduct, type QueuedDiscount, type QueuedTender } from "../offline/queue";
import { Field, Select } from "../shell/ui";

export interface StorePolicy {
  currency: string;
  policy: PreviewPolicy;
  rates: Record<string, string>;
  /** The store's approval threshold (percent): offline, discounts up to it only. */
  threshold: string | null;
}

interface Line { product: CachedProduct; quantity: number }

function useKept<T>(key: string, initial: T): [T, (update: T | ((current: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = sessionStorage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : initial;
    } catch {
      return initial;
    }
  });
  const set = (update: T | ((current: T) => T)) =>
    setValue((current) => {
      const next = typeof update === "function" ? (update as (c: T) => T)(current) : update;
      sessionStorage.setItem(key, JSON.stringify(next));
      return next;
    });
  return [value, set];
}

export function OfflineSale({ registerId, store }: { registerId: string; store: StorePolicy }) {
  const [code, setCode] = useState("");
  // kept in sessionStorage: a flicker of the connection or a reload loses no basket
  const [lines, setLines] = useKept<Line[]>(`pos.till.offline.lines.${registerId}`, []);
  const [tenders, setTenders] = useKept<QueuedTender[]>(`pos.till.offline.tenders.${registerId}`, []);
  const [discounts, setDiscounts] = useKept<QueuedDiscount[]>(`pos.till.offline.discounts.${registerId}`, []);
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const currency = store.currency;
  const rate = (p: CachedProduct) => store.rates[p.taxClass] ?? "0";
  const preview = lines.map((l) => ({ unitPrice: toMinor(l.product.unitPrice.amount, currency), quantity: l.quantity, ratePercent: rate(l.product) }));
  const given = discounts.map((d) => previewDiscount(d, currency));
  const figures = previewFigures(preview, store.policy, given);
  const paidCard = tenders.filter((x) => x.kind === "CARD").reduce((s, x) => s + toMinor(x.amount, currency), 0);
  const paidCash = tenders.filter((x) => x.kind === "CASH").reduce((s, x) => s + toMinor(x.amount, currency), 0);
  // cards are never rounded; what is left for cash is rounded to the store's increment
  const leftForCash = Math.max(0, figures.total - paidCard);
  const cashDue = roundToIncrement(leftForCash, store.policy.cashIncrement);
  const remaining = paidCash > 0 ? Math.max(0, cashDue - paidCash) : leftForCash;
  const change = changeDue(paidCash, cashDue);
  const settled = lines.length > 0 && remaining === 0;
  const money = (minor: number) => formatMoney({ amount: fromMinor(minor, currency), currency });

  async function scan(event: FormEvent) {
    event.preventDefault();
    const text = code.trim();
    setCode("");
    setError("");
    const product = await findCached(text);
    if (!product || product.unitPrice.currency !== currency) {
      setError(t("till.notFound", { code: text }));
      return;
    }
    setLines((current) => {
      const existing = current.find((l) => l.product.id === product.id);
      return existing
        ? current.map((l) => (l === existing ? { ...l, quantity: l.quantity + 1 } : l))
        : [...current, { product, quantity: 1 }];
    });
  }

  function tender(kind: "CASH" | "CARD") {
    const value = amount.trim() || fromMinor(remaining, currency);
    setTenders((list) => [...list, { commandId: commandId(), kind, amount: value, reference: kind === "CARD" ? reference.trim() : null }]);
    setAmount("");
    setReference("");
  }

  async function complete() {
    await enqueue({
      id: commandId(), createdAt: new Date().toISOString(), registerId, currency,
      startCommandId: commandId(), completeCommandId: commandId(),
      lines: lines.map((l) => ({
        commandId: commandId(), productId: l.product.id, sku: l.product.sku, name: l.product.name,
        quantity: l.quantity, unitPrice: l.product.unitPrice.amount, ratePercent: rate(l.product),
      })),
      discounts, tenders, previewTotal: fromMinor(figures.total, currency), state: "queued",
    });
    setMessage(t("till.queued", { total: money(figures.total) }));
    setLines([]);
    setTenders([]);
    setDiscounts([]);
  }

  /** Check a discount as the graph would, and the cashier's own limit: past the store's
   * threshold a supervisor approves, which needs the graph (their PIN sign-in). */
  function giveDiscount(discount: QueuedDiscount): string | null {
    if (store.threshold === null) return t("till.offlineNoDiscounts");
    const next = previewDiscount(discount, currency);
    const size = next.kind === "PERCENT" ? Number(discount.value) : (next.amount ?? 0);
    if ((next.kind === "PERCENT" && !/^\d+(\.\d{1,2})?$/.test(discount.value)) || !(size > 0)) return t("till.offlineBadDiscount");
    if (effectivePercent(preview, given, next) > Number(store.threshold)) return t("till.offlineNeedsApproval", { threshold: store.threshold });
    try {
      previewFigures(preview, store.policy, [...given, next]);
    } catch (e) {
      if (e instanceof DiscountTooLarge) return t("till.offlineDiscountTooLarge");
      throw e;
    }
    setDiscounts((list) => [...list, discount]);
    return null;
  }

  return (
    <section className="card offline" aria-label={t("till.offlineSale")}>
      <h2>{t("till.basket")}</h2>
      <p role="note">{t("till.offlineSale")}</p>
      <form onSubmit={scan}>
        <div className="field">
          <label htmlFor="offline-scan">{t("till.scan")}</label>
          <input id="offline-scan" className="scan" value={code} autoFocus autoComplete="off" onChange={(e) => setCode(e.target.value)} />
        </div>
      </form>
      {error ? <p role="alert" className="error">{error}</p> : null}
      <table>
        <tbody>
          {lines.map((l) => (
            <tr key={l.product.id}><td>{l.product.name}</td><td>{l.quantity}</td>
              <td className="num">{money(toMinor(l.product.unitPrice.amount, currency) * l.quantity)}</td></tr>
          ))}
        </tbody>
      </table>
      <dl className="totals">
        {figures.discount > 0 ? <><dt>{t("till.discount")}</dt><dd data-testid="offline-discount">−{money(figures.discount)}</dd></> : null}
        <dt>{t("till.tax")}</dt><dd>{money(figures.tax)}</dd>
        <dt className="grand">{t("till.estimated")}</dt><dd className="grand" data-testid="offline-total">{money(figures.total)}</dd>
        <dt>{t("till.toPay")}</dt><dd>{money(remaining)}</dd>
        <dt>{t("till.change")}</dt><dd data-testid="offline-change">{money(change)}</dd>
      </dl>
      <div className="inline-form">
        <Field label={`${t("till.amount")} (${currency})`} name="offline-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
        <button type="button" disabled={lines.length === 0 || settled} onClick={() => tender("CASH")}>{t("till.takeCash")}</button>
        <Field label={t("till.cardReference")} name="offline-card-reference" value={reference} onChange={(e) => setReference(e.target.value)} />
        <button type="button" disabled={lines.length === 0 || settled || !reference.trim()} onClick={() => tender("CARD")}>{t("till.takeCard")}</button>
        <button type="button" disabled={!settled} onClick={() => void complete()}>{t("till.completeOffline")}</button>
      </div>
      {lines.length > 0 && tenders.length === 0 ? (
        <OfflineDiscount currency={currency} lines={lines.map((l) => l.product.name)} give={giveDiscount} />
      ) : null}
      {message ? <p role="status" className="status">{message}</p> : null}
      <p role="note" className="hint">{t("till.offlineNeedsConnection", { threshold: store.threshold ?? "0" })}</p>
    </section>
  );
}

function previewDiscount(d: QueuedDiscount, currency: string): PreviewDiscount {
  return d.kind === "PERCENT"
    ? { line: d.line, kind: "PERCENT", percent: d.value }
    : { line: d.line, kind: "AMOUNT", amount: toMinor(d.value, currency) };
}

function OfflineDiscount({ currency, lines, give }: { currency: string; lines: string[]; give: (d: QueuedDiscount) => string | null }) {
  const [kind, setKind] = useState<"PERCENT" | "AMOUNT">("PERCENT");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [line, setLine] = useState("");
  const [error, setError] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    let refused: string | null;
    try {
      refused = give({ commandId: commandId(), line: line === "" ? null : Number(line), kind, value: value.trim(), reason: reason.trim() });
    } catch {
      refused = t("till.offlineBadDiscount");
    }
    setError(refused ?? "");
    if (!refused) {
      setValue("");
      setReason("");
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label={t("till.discount")}>
      <Select label={t("till.discountKind")} name="offline-discount-kind" value={kind}
        onChange={(e) => setKind(e.target.value === "AMOUNT" ? "AMOUNT" : "PERCENT")}
        options={[{ value: "PERCENT", label: t("till.discountKindPercent") }, { value: "AMOUNT", label: t("till.discountKindAmount") }]} />
      <Field label={kind === "PERCENT" ? t("till.discountPercent") : `${t("till.discountAmount")} (${currency})`} name="offline-discount-value"
        inputMode="decimal" value={value} required onChange={(e) => setValue(e.target.value)} />
      <Field label={t("till.discountReason")} name="offline-discount-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
      <Select label={t("till.discountLine")} name="offline-discount-line" value={line} onChange={(e) => setLine(e.target.value)}
        options={[{ value: "", label: t("till.wholeSale") }, ...lines.map((name, i) => ({ value: String(i), label: name }))]} />
      <button type="submit">{t("till.applyDiscount")}</button>
      {error ? <p role="alert" className="error">{error}</p> : null}
    </form>
  );
}
