/**
 * Discounts on the sale being rung up: percent or an amount off, on one line or the whole
 * sale, with a reason; past the store's threshold (an amount counts by the share it takes
 * off) the graph refuses and a supervisor approves. A promotion code needs no approval:
 * the sales context checks its window and usage limit.
 */
import { useState, type FormEvent } from "react";
import { useClient } from "urql";
import type { SaleViewFragment } from "../gql/graphql";
import { t } from "../i18n/strings";
import { Field, Select } from "../shell/ui";
import { commandId, runCommand, withApproval, type AskApproval } from "./command";
import { ApplyDiscount, RedeemPromotion } from "./operations";

type Act = (run: () => Promise<SaleViewFragment | null>) => Promise<void>;

interface Props { sale: SaleViewFragment; act: Act; askApproval: AskApproval }

const lineOptions = (sale: SaleViewFragment) =>
  [{ value: "", label: t("till.wholeSale") }, ...sale.lines.map((l) => ({ value: l.id, label: l.name }))];

export function DiscountPanel({ sale, act, askApproval }: Props) {
  const client = useClient();
  const [kind, setKind] = useState<"PERCENT" | "AMOUNT">("PERCENT");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [lineId, setLineId] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    const base = { saleId: sale.id, kind, reason: reason.trim(), lineId: lineId || null };
    const vars = kind === "PERCENT"
      ? { ...base, percent: value.trim(), amount: null }
      : { ...base, percent: null, amount: { amount: value.trim(), currency: sale.currency } };
    await act(() => withApproval(
      async (id, token) => (await runCommand(client, ApplyDiscount, { ...vars, commandId: id }, token)).applyDiscount,
      askApproval,
      (message) => t("till.approvalNeeded", { message }),
    ));
    setValue("");
    setReason("");
  }
  const valueLabel = kind === "PERCENT" ? t("till.discountPercent") : `${t("till.discountAmount")} (${sale.currency})`;
  return (
    <section className="card" aria-label={t("till.discount")}>
      <h2>{t("till.discount")}</h2>
      <form onSubmit={submit} className="inline-form">
        <Select label={t("till.discountKind")} name="discount-kind" value={kind}
          onChange={(e) => setKind(e.target.value === "AMOUNT" ? "AMOUNT" : "PERCENT")}
          options={[{ value: "PERCENT", label: t("till.discountKindPercent") }, { value: "AMOUNT", label: t("till.discountKindAmount") }]} />
        <Field label={valueLabel} name="discount-value" inputMode="decimal" value={value} required onChange={(e) => setValue(e.target.value)} />
        <Field label={t("till.discountReason")} name="discount-reason" value={reason} required onChange={(e) => setReason(e.target.value)} />
        <Select label={t("till.discountLine")} name="discount-line" value={lineId} onChange={(e) => setLineId(e.target.value)} options={lineOptions(sale)} />
        <button type="submit">{t("till.applyDiscount")}</button>
      </form>
      <PromotionForm sale={sale} act={act} />
    </section>
  );
}

function PromotionForm({ sale, act }: { sale: SaleViewFragment; act: Act }) {
  const client = useClient();
  const [code, setCode] = useState("");
  const [lineId, setLineId] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    await act(async () => (await runCommand(client, RedeemPromotion, {
      commandId: commandId(), saleId: sale.id, code: code.trim(), lineId: lineId || null,
    })).redeemPromotion);
    setCode("");
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label={t("till.promotion")}>
      <Field label={t("till.promotionCode")} name="promotion-code" value={code} required autoComplete="off" onChange={(e) => setCode(e.target.value)} />
      <Select label={t("till.promotionLine")} name="promotion-line" value={lineId} onChange={(e) => setLineId(e.target.value)} options={lineOptions(sale)} />
      <button type="submit">{t("till.redeem")}</button>
    </form>
  );
}
