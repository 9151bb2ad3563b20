/**
 * Selling while the gateway is unreachable: items come from the catalog the till kept
 * (IndexedDB), the figures from the till's preview of the sales rules (basket.ts), and the
 * finished sale goes into the offline queue with its command ids already chosen. The
 * cashier sees that the sale is offline and what is queued; the replay takes the
 * server's totals.
 */
import { useState, type FormEvent } from "react";
import { formatMoney, fromMinor, toMinor } from "../format";
import { t } from "../i18n/strings";
import { Field } from "../shell/ui";
import { changeDue, previewFigures, roundToIncrement, type PreviewPolicy } from "./basket";
import { commandId } from "./command";
import { enqueue, findCached, type CachedProduct, type QueuedTender } from "../offline/queue";

export interface StorePolicy {
  currency: string;
  policy: PreviewPolicy;
  rates: Record<string, string>;
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
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const currency = store.currency;
  const rate = (p: CachedProduct) => store.rates[p.taxClass] ?? "0";
  const figures = previewFigures(
    lines.map((l) => ({ unitPrice: toMinor(l.product.unitPrice.amount, currency), quantity: l.quantity, ratePercent: rate(l.product) })),
    store.policy,
  );
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
      tenders, previewTotal: fromMinor(figures.total, currency), state: "queued",
    });
    setMessage(t("till.queued", { total: money(figures.total) }));
    setLines([]);
    setTenders([]);
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
      {message ? <p role="status" className="status">{message}</p> : null}
    </section>
  );
}
