/**
 * The cash drawer during a shift: drops to the safe, pay-ins and pay-outs (petty cash),
 * each with its reason, and the X report (the shift's figures so far, printable; it
 * changes nothing). The graph answers the drawer's expected cash after each movement and
 * refuses a drop or pay-out of more than the drawer holds.
 */
import { useState, type FormEvent } from "react";
import { useClient } from "urql";
import type { ShiftReportViewFragment } from "../gql/graphql";
import { formatMoney } from "../format";
import { t } from "../i18n/strings";
import { Field, Select } from "../shell/ui";
import { CommandError, commandId, runCommand } from "./command";
import { RecordCashMovement, TakeXReport } from "./operations";

type Kind = "DROP" | "PAY_IN" | "PAY_OUT";
const KINDS: readonly Kind[] = ["DROP", "PAY_IN", "PAY_OUT"];
const kindLabel = (kind: Kind) => t(`till.cash.${kind}`);

interface Props {
  shiftId: string;
  currency: string;
  onXReport: (report: ShiftReportViewFragment) => void;
}

export function CashDrawer({ shiftId, currency, onXReport }: Props) {
  const client = useClient();
  const [kind, setKind] = useState<Kind>("DROP");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");

  async function record(event: FormEvent) {
    event.preventDefault();
    setError("");
    setMessage("");
    try {
      const shift = (await runCommand(client, RecordCashMovement, {
        commandId: commandId(), shiftId, kind, amount: { amount: amount.trim(), currency }, reason: reason.trim(),
      })).recordCashMovement;
      setMessage(t("till.cashRecorded", {
        kind: kindLabel(kind), amount: formatMoney({ amount: amount.trim(), currency }), expected: formatMoney(shift.expectedCash),
      }));
      setAmount("");
      setReason("");
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }

  async function xReport() {
    setError("");
    try {
      onXReport((await runCommand(client, TakeXReport, { commandId: commandId(), shiftId })).takeXReport);
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }

  return (
    <section className="card" aria-label={t("till.drawer")}>
      <h2>{t("till.drawer")}</h2>
      <form onSubmit={record} className="inline-form">
        <Select label={t("till.cashKind")} name="cash-kind" value={kind}
          onChange={(e) => setKind(KINDS.find((k) => k === e.target.value) ?? "DROP")}
          options={KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} />
        <Field label={`${t("till.amount")} (${currency})`} name="cash-amount" inputMode="decimal" value={amount} required onChange={(e) => setAmount(e.target.value)} />
        <Field label={t("till.cashReason")} name="cash-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
        <button type="submit">{t("till.cashRecord")}</button>
      </form>
      <button type="button" className="secondary" onClick={() => void xReport()}>{t("till.takeXReport")}</button>
      {message ? <p role="status" className="status">{message}</p> : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}
