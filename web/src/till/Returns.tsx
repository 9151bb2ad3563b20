/** Returns from a receipt: find it by number, choose quantities, refund (a supervisor
 * approves past the store's return window). */
import { useState, type FormEvent } from "react";
import { useClient } from "urql";
import type { TillReceiptSaleQuery } from "../gql/graphql";
import { formatMoney } from "../format";
import { t } from "../i18n/strings";
import { Field, Select } from "../shell/ui";
import { CommandError, runCommand, withApproval, type AskApproval } from "./command";
import { ReceiptByNumber, ReturnSale } from "./operations";

type Found = NonNullable<TillReceiptSaleQuery["saleByReceipt"]>;

export function Returns({ registerId, askApproval }: { registerId: string; askApproval: AskApproval }) {
  const client = useClient();
  const [number, setNumber] = useState("");
  const [sale, setSale] = useState<Found | null>(null);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [reason, setReason] = useState("");
  const [method, setMethod] = useState("ORIGINAL");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");

  async function find(event: FormEvent) {
    event.preventDefault();
    setError("");
    setMessage("");
    const answer = await client.query(ReceiptByNumber, { number: number.trim() }, { requestPolicy: "network-only" }).toPromise();
    const found = answer.data?.saleByReceipt ?? null;
    setSale(found);
    setQuantities({});
    if (!found) setError(answer.error ? answer.error.message : t("till.notFound", { code: number }));
  }

  async function process(event: FormEvent) {
    event.preventDefault();
    if (!sale) return;
    const lines = sale.lines
      .map((l) => ({ lineId: l.id, quantity: Number(quantities[l.id] ?? 0), disposition: "RESTOCK" as const }))
      .filter((l) => l.quantity > 0);
    const vars = { registerId, lines, reason: reason.trim(), receiptNumber: sale.receiptNumber, refundMethod: method as "ORIGINAL" | "CASH" };
    try {
      const answer = await withApproval(
        async (id, token) => (await runCommand(client, ReturnSale, { ...vars, commandId: id }, token)).returnSale,
        askApproval, (message) => t("till.approvalReturn", { message }),
      );
      if (!answer) return;
      setMessage(t("till.refunded", { amount: formatMoney(answer.refunded) }));
      setSale(null);
      setNumber("");
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }

  return (
    <section className="card" aria-label={t("till.returns")}>
      <h2>{t("till.returns")}</h2>
      <form onSubmit={find} className="inline-form">
        <Field label={t("till.receiptNumber")} name="receipt-number" value={number} required onChange={(e) => setNumber(e.target.value)} />
        <button type="submit">{t("till.findReceipt")}</button>
      </form>
      {sale ? (
        <form onSubmit={process}>
          <table>
            <tbody>
              {sale.lines.map((l) => (
                <tr key={l.id}>
                  <td>{l.name}</td><td>{l.quantity - l.returnedQuantity} / {l.quantity}</td><td className="num">{formatMoney(l.gross)}</td>
                  <td>
                    <Field label={t("till.returnQty", { name: l.name })} name={`return-${l.id}`} type="number" min="0"
                      value={quantities[l.id] ?? "0"} onChange={(e) => setQuantities((q) => ({ ...q, [l.id]: e.target.value }))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Field label={t("till.returnReason")} name="return-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
          <Select label={t("till.refundMethod")} name="refund-method" value={method} onChange={(e) => setMethod(e.target.value)}
            options={[{ value: "ORIGINAL", label: t("till.refundOriginal") }, { value: "CASH", label: t("till.refundCash") }]} />
          <button type="submit">{t("till.processReturn")}</button>
        </form>
      ) : null}
      {message ? <p role="status" className="status">{message}</p> : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}
