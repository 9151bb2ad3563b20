/**
 * Goods back without a receipt: always a supervisor's call (`refunds:write`), refunded in
 * cash at today's shelf price. The cashier finds the products (name, SKU or barcode),
 * sets quantities and the reason; a member whose token lacks the scope is asked for a
 * supervisor before anything is sent (the graph would refuse it anyway), the supervisor's
 * token sends the return and the sales context records them as the approver.
 */
import { useState, type FormEvent } from "react";
import { useClient, useQuery } from "urql";
import { formatMoney } from "../format";
import { t } from "../i18n/strings";
import { useScopes } from "../shell/hooks";
import { Field } from "../shell/ui";
import { CommandError, runCommand, withApproval, type AskApproval } from "./command";
import { ReturnWithoutReceipt, SearchProducts } from "./operations";

interface Item { productId: string; name: string; quantity: string }

interface Props { registerId: string; askApproval: AskApproval }

export function NoReceiptReturn({ registerId, askApproval }: Props) {
  const client = useClient();
  const scopes = useScopes();
  const [search, setSearch] = useState("");
  const [items, setItems] = useState<Item[]>([]);
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [{ data: found }] = useQuery({ query: SearchProducts, variables: { search }, pause: search.trim().length < 2 });

  function add(productId: string, name: string) {
    setItems((current) => current.some((i) => i.productId === productId) ? current : [...current, { productId, name, quantity: "1" }]);
    setSearch("");
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError("");
    setMessage("");
    const lines = items
      .map((i) => ({ productId: i.productId, quantity: Number(i.quantity), disposition: "RESTOCK" as const }))
      .filter((i) => i.quantity > 0);
    if (lines.length === 0) return;
    try {
      const answer = await withApproval(
        async (id, token) => (await runCommand(client, ReturnWithoutReceipt, {
          commandId: id, registerId, items: lines, reason: reason.trim(),
        }, token)).returnWithoutReceipt,
        askApproval,
        (why) => t("till.approvalNoReceipt", { message: why }),
        scopes.has("refunds:write") ? undefined : t("till.noReceiptNeedsSupervisor"),
      );
      if (!answer) return;
      const amount = formatMoney(answer.refunded);
      setMessage(answer.approvedBy
        ? t("till.refundedCash", { amount, name: answer.approvedBy.displayName })
        : t("till.refunded", { amount }));
      setItems([]);
      setReason("");
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }

  return (
    <section className="card" aria-label={t("till.noReceipt")}>
      <h2>{t("till.noReceipt")}</h2>
      <Field label={t("till.noReceiptFind")} name="no-receipt-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      {search.trim().length >= 2 ? (
        <ul className="results">
          {found?.products.nodes.map((p) => (
            <li key={p.id}>
              <button type="button" onClick={() => add(p.id, p.name)} aria-label={t("till.noReceiptAdd", { name: p.name })}>
                {p.name} · {formatMoney(p.unitPrice)}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {items.length > 0 ? (
        <form onSubmit={submit}>
          {items.map((i) => (
            <Field key={i.productId} label={t("till.returnQty", { name: i.name })} name={`no-receipt-${i.productId}`} type="number" min="0"
              value={i.quantity} onChange={(e) => setItems((all) => all.map((x) => x.productId === i.productId ? { ...x, quantity: e.target.value } : x))} />
          ))}
          <Field label={t("till.returnReason")} name="no-receipt-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
          <button type="submit">{t("till.noReceiptRefund")}</button>
        </form>
      ) : null}
      {message ? <p role="status" className="status">{message}</p> : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}
