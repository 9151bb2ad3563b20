/**
 * Selling at the register, online: every action is a sales command and the basket shows
 * the sale the graph answers (lines, discounts, tax, total, what remains, change). The
 * scan field keeps the focus, so a keyboard-wedge scanner (code + Enter) rings items up
 * with no mouse; everything else is a labelled button big enough for a finger.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useClient, useQuery } from "urql";
import type { SaleViewFragment } from "../gql/graphql";
import { formatMoney } from "../format";
import { t } from "../i18n/strings";
import { Field } from "../shell/ui";
import type { Approver } from "./Approval";
import { CameraScan } from "./Camera";
import { CommandError, commandId, runCommand, withApproval } from "./command";
import { DiscountPanel } from "./Discounts";
import {
  AddLine, AddTender, AttachCustomer, ChangeQuantity, CompleteSale, DetachCustomer,
  FindCustomers, ParkSale, RemoveLine, SearchProducts, StartSale, VoidSale,
} from "./operations";

export interface Completed { number: string; text: string }

interface Props {
  registerId: string;
  sale: SaleViewFragment | null;
  setSale: (sale: SaleViewFragment | null) => void;
  onCompleted: (receipt: Completed) => void;
  askApproval: (message: string) => Promise<Approver | null>;
  onParked: () => void;
}

const isBarcode = (code: string) => /^\d{12,13}$/.test(code);

export function SalePanel({ registerId, sale, setSale, onCompleted, askApproval, onParked }: Props) {
  const client = useClient();
  const [error, setError] = useState("");
  const scanRef = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState("");
  const [search, setSearch] = useState("");
  const [{ data: found }] = useQuery({ query: SearchProducts, variables: { search }, pause: search.trim().length < 2 });
  const focusScan = () => scanRef.current?.focus();
  // a keyboard-wedge scanner types wherever the focus is: keys that reach no field go to
  // the scan field, so a scan is never lost after a click elsewhere
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = document.activeElement;
      const inField = target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
      if (!inField && !event.ctrlKey && !event.metaKey && !event.altKey && event.key.length === 1) {
        event.preventDefault();
        setCode((current) => current + event.key);
        focusScan();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  // commands run one after another, in the order the cashier gave them (three fast scans
  // are one sale of three lines, not three sales)
  const saleRef = useRef(sale);
  saleRef.current = sale;
  const chain = useRef<Promise<void>>(Promise.resolve());
  const act = useCallback((run: () => Promise<SaleViewFragment | null>): Promise<void> => {
    const next = chain.current.then(async () => {
      setError("");
      try {
        const answer = await run();
        if (answer) {
          saleRef.current = answer;
          setSale(answer);
        }
      } catch (e) {
        setError(e instanceof CommandError ? e.message : String(e));
      } finally {
        focusScan();
      }
    });
    chain.current = next;
    return next;
  }, [setSale]);

  const ensureSale = useCallback(async (): Promise<string> => {
    const current = saleRef.current;
    if (current && current.status === "OPEN") return current.id;
    const started = (await runCommand(client, StartSale, { commandId: commandId(), registerId })).startSale;
    saleRef.current = started;
    setSale(started);
    return started.id;
  }, [client, registerId, setSale]);

  const addItem = useCallback((item: { barcode?: string; sku?: string; productId?: string }) =>
    act(async () => {
      const saleId = await ensureSale();
      return (await runCommand(client, AddLine, { commandId: commandId(), saleId, quantity: 1, ...item })).addSaleLine;
    }), [act, ensureSale, client]);

  function scan(event: FormEvent) {
    event.preventDefault();
    const text = code.trim();
    if (!text) return;
    setCode("");
    void addItem(isBarcode(text) ? { barcode: text } : { sku: text });
  }

  const onCamera = useCallback((value: string) => void addItem(isBarcode(value) ? { barcode: value } : { sku: value }), [addItem]);

  return (
    <div className="till-grid">
      <div>
        <section className="card" aria-label={t("till.addItems")}>
          <form onSubmit={scan}>
            <div className="field">
              <label htmlFor="scan">{t("till.scan")}</label>
              <input id="scan" ref={scanRef} className="scan" value={code} autoFocus autoComplete="off"
                inputMode="numeric" aria-describedby="scan-hint" onChange={(e) => setCode(e.target.value)} />
              <small id="scan-hint">{t("till.scanHint")}</small>
            </div>
          </form>
          <CameraScan onCode={onCamera} />
          <Field label={t("till.search")} name="till-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          {search.trim().length >= 2 ? (
            <ul className="results">
              {found?.products.nodes.map((p) => (
                <li key={p.id}>
                  <button type="button" onClick={() => void addItem({ productId: p.id })} aria-label={t("till.add", { name: p.name })}>
                    {p.name} · {formatMoney(p.unitPrice)}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          {error ? <p role="alert" className="error">{error}</p> : null}
        </section>
        <Basket sale={sale} act={act} />
      </div>
      <div>
        {sale && sale.status === "OPEN" ? (
          <>
            <CustomerPanel sale={sale} act={act} />
            <DiscountPanel sale={sale} act={act} askApproval={askApproval} />
            <PaymentPanel sale={sale} act={act} onCompleted={onCompleted} />
            <section className="card" aria-label={t("till.park")}>
              <button type="button" className="secondary" disabled={sale.tenders.length > 0}
                onClick={() => act(async () => {
                  await runCommand(client, ParkSale, { commandId: commandId(), saleId: sale.id });
                  setSale(null);
                  onParked();
                  return null;
                })}>{t("till.park")}</button>
              <VoidButton sale={sale} act={act} askApproval={askApproval} onVoided={() => setSale(null)} />
            </section>
          </>
        ) : null}
      </div>
    </div>
  );
}

type Act = (run: () => Promise<SaleViewFragment | null>) => Promise<void>;

function Basket({ sale, act }: { sale: SaleViewFragment | null; act: Act }) {
  const client = useClient();
  const lines = sale?.lines ?? [];
  return (
    <section className="card" aria-label={t("till.basket")}>
      <h2>{t("till.basket")}</h2>
      {lines.length === 0 ? <p>{t("till.empty")}</p> : (
        <table>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id}>
                <td>{l.name}<br /><small>{l.sku} · {formatMoney(l.unitPrice)}</small></td>
                <td>
                  <button type="button" className="secondary" aria-label={t("till.less", { name: l.name })} disabled={l.quantity <= 1}
                    onClick={() => act(async () => (await runCommand(client, ChangeQuantity, { commandId: commandId(), saleId: sale!.id, lineId: l.id, quantity: l.quantity - 1 })).changeLineQuantity)}>−</button>
                  <span aria-label={t("till.qty", { name: l.name })}>{l.quantity}</span>
                  <button type="button" className="secondary" aria-label={t("till.more", { name: l.name })}
                    onClick={() => act(async () => (await runCommand(client, ChangeQuantity, { commandId: commandId(), saleId: sale!.id, lineId: l.id, quantity: l.quantity + 1 })).changeLineQuantity)}>+</button>
                </td>
                <td className="num">{formatMoney(l.gross)}{Number(l.lineDiscount.amount) > 0 ? <><br /><small>−{formatMoney(l.lineDiscount)}</small></> : null}</td>
                <td>
                  <button type="button" className="danger" aria-label={t("till.remove", { name: l.name })}
                    onClick={() => act(async () => (await runCommand(client, RemoveLine, { commandId: commandId(), saleId: sale!.id, lineId: l.id })).removeSaleLine)}>×</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sale ? <Totals sale={sale} /> : null}
    </section>
  );
}

function Totals({ sale }: { sale: SaleViewFragment }) {
  const b = sale.balance;
  return (
    <dl className="totals" aria-label={t("till.total")}>
      <dt>{t("till.subtotal")}</dt><dd>{formatMoney(sale.subtotal)}</dd>
      {sale.discounts.map((d) => (
        <div key={d.id} className="row">
          <dt>{t("till.discount")} {d.percent ? `${d.percent}%` : d.amount ? formatMoney(d.amount) : ""} {d.reason}{d.promotionCode ? ` (${t("till.promotionTaken", { code: d.promotionCode })})` : ""}{d.approvedBy ? ` (${t("till.approvedBy", { name: d.approvedBy.displayName })})` : ""}</dt>
          <dd>−{formatMoney(d.taken)}</dd>
        </div>
      ))}
      <dt>{t("till.tax")}</dt><dd>{formatMoney(sale.taxTotal)}</dd>
      <dt className="grand">{t("till.total")}</dt><dd className="grand" data-testid="sale-total">{formatMoney(sale.total)}</dd>
      {Number(b.cashRounding.amount) !== 0 ? <><dt>{t("till.cashRounding")}</dt><dd>{formatMoney(b.cashRounding)}</dd></> : null}
      {sale.tenders.map((x) => <div key={x.id} className="row"><dt>{x.kind === "CASH" ? t("till.cash") : t("till.card")}</dt><dd>{formatMoney(x.amount)}</dd></div>)}
      <dt>{t("till.toPay")}</dt><dd data-testid="sale-remaining">{formatMoney(b.remaining)}</dd>
      <dt>{t("till.change")}</dt><dd data-testid="sale-change">{formatMoney(b.change)}</dd>
    </dl>
  );
}

function CustomerPanel({ sale, act }: { sale: SaleViewFragment; act: Act }) {
  const client = useClient();
  const [search, setSearch] = useState("");
  const [{ data }] = useQuery({ query: FindCustomers, variables: { search }, pause: search.trim().length < 2 });
  return (
    <section className="card" aria-label={t("till.customer")}>
      <h2>{t("till.customer")}</h2>
      {sale.customer ? (
        <p>{sale.customer.name}{" "}
          <button type="button" className="secondary" onClick={() => act(async () => (await runCommand(client, DetachCustomer, { commandId: commandId(), saleId: sale.id })).detachCustomer)}>{t("till.detach")}</button>
        </p>
      ) : <p>{t("till.walkIn")}</p>}
      <Field label={t("till.findCustomer")} name="customer-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      {search.trim().length >= 2 ? (
        <ul className="results">
          {data?.customers.nodes.map((c) => (
            <li key={c.id}>
              <button type="button" aria-label={t("till.attach", { name: c.name })}
                onClick={() => act(async () => {
                  const next = (await runCommand(client, AttachCustomer, { commandId: commandId(), saleId: sale.id, customerId: c.id })).attachCustomer;
                  setSearch("");
                  return next;
                })}>{c.name} · {c.email}</button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function PaymentPanel({ sale, act, onCompleted }: { sale: SaleViewFragment; act: Act; onCompleted: (r: Completed) => void }) {
  const client = useClient();
  const remaining = sale.balance.remaining.amount;
  const [amount, setAmount] = useState(remaining);
  const [reference, setReference] = useState("");
  useEffect(() => setAmount(remaining), [remaining]);
  const tender = (kind: "CASH" | "CARD") => act(async () =>
    (await runCommand(client, AddTender, {
      commandId: commandId(), saleId: sale.id, kind, amount: { amount: amount.trim(), currency: sale.currency },
      reference: kind === "CARD" ? reference.trim() || null : null,
    })).addTender);
  return (
    <section className="card" aria-label={t("till.pay")}>
      <h2>{t("till.pay")}</h2>
      <div className="inline-form">
        <Field label={`${t("till.amount")} (${sale.currency})`} name="tender-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
        <Field label={t("till.cardReference")} name="card-reference" value={reference} onChange={(e) => setReference(e.target.value)} />
      </div>
      <button type="button" disabled={sale.balance.settled || sale.lines.length === 0} onClick={() => tender("CASH")}>{t("till.takeCash")}</button>
      <button type="button" disabled={sale.balance.settled || sale.lines.length === 0} onClick={() => tender("CARD")}>{t("till.takeCard")}</button>
      <button type="button" disabled={!sale.balance.settled} onClick={() => act(async () => {
        const done = (await runCommand(client, CompleteSale, { commandId: commandId(), saleId: sale.id })).completeSale;
        onCompleted({ number: done.receipt.number, text: done.receipt.text });
        return done.sale;
      })}>{t("till.complete")}</button>
    </section>
  );
}

function VoidButton({ sale, act, askApproval, onVoided }: { sale: SaleViewFragment; act: Act; askApproval: (m: string) => Promise<Approver | null>; onVoided: () => void }) {
  const client = useClient();
  const [reason, setReason] = useState("");
  return (
    <form className="inline-form" onSubmit={(e) => {
      e.preventDefault();
      const vars = { saleId: sale.id, reason: reason.trim() };
      void act(async () => {
        const voided = await withApproval(
          async (id, token) => (await runCommand(client, VoidSale, { ...vars, commandId: id }, token)).voidSale,
          askApproval, (message) => message,
        );
        if (!voided) return null;
        onVoided();
        return null;
      });
    }}>
      <Field label={t("till.voidReason")} name="void-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="danger">{t("till.void")}</button>
    </form>
  );
}
