/** Opening a shift with a counted float, closing it with the counted cash (a total, or
 * note by note): the Z report. */
import { useState, type FormEvent } from "react";
import { useClient } from "urql";
import type { ShiftReportViewFragment } from "../gql/graphql";
import { formatMoney, formatNumber } from "../format";
import { t } from "../i18n/strings";
import { Field } from "../shell/ui";
import { CommandError, commandId, runCommand } from "./command";
import { countsOf, facesOf, totalOf, type Counted } from "./cashCount";
import { CloseShift, OpenShift } from "./operations";

/** The drawer counted note by note (optional): the counts, their total, or what is wrong. */
function useDenominations(currency: string) {
  const [entered, setEntered] = useState<Record<string, string>>({});
  let counts: Counted[] = [];
  let problem = "";
  try {
    counts = countsOf(entered, currency);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  const total = counts.length > 0 ? totalOf(counts, currency) : null;
  const fields = facesOf(currency).length === 0 ? null : (
    <details className="denominations">
      <summary>{t("till.countByDenomination")}</summary>
      <div className="inline-form">
        {facesOf(currency).map((face) => (
          <Field key={face} label={t("till.countOf", { face: formatMoney({ amount: face, currency }) })} name={`count-${face}`}
            type="number" min="0" inputMode="numeric" value={entered[face] ?? ""}
            onChange={(e) => setEntered((all) => ({ ...all, [face]: e.target.value }))} />
        ))}
      </div>
      {problem ? <p role="alert" className="error">{problem}</p> : null}
    </details>
  );
  return { counts, total, problem, fields };
}

export function OpenShiftForm({ registerId, currency, onOpened }: { registerId: string; currency: string; onOpened: () => void }) {
  const client = useClient();
  const [float, setFloat] = useState("100.00");
  const [error, setError] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await runCommand(client, OpenShift, { commandId: commandId(), registerId, openingFloat: { total: { amount: float.trim(), currency } } });
      onOpened();
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }
  return (
    <section className="card" aria-label={t("till.openShift")}>
      <h2>{t("till.openShift")}</h2>
      <p>{t("till.noShift")}</p>
      <form onSubmit={submit} className="inline-form">
        <Field label={`${t("till.openingFloat")} (${currency})`} name="float" inputMode="decimal" value={float} required autoFocus onChange={(e) => setFloat(e.target.value)} />
        <button type="submit">{t("till.openShift")}</button>
      </form>
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}

export function CloseShiftForm({ shiftId, currency, onClosed }: { shiftId: string; currency: string; onClosed: (z: ShiftReportViewFragment) => void }) {
  const client = useClient();
  const [cash, setCash] = useState("");
  const [card, setCard] = useState("");
  const [error, setError] = useState("");
  const notes = useDenominations(currency);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (notes.problem) return;
    try {
      const answer = await runCommand(client, CloseShift, {
        commandId: commandId(), shiftId,
        countedCash: notes.total !== null
          ? { total: { amount: notes.total, currency }, denominations: notes.counts }
          : { total: { amount: cash.trim(), currency } },
        countedCard: card.trim() ? { amount: card.trim(), currency } : null,
      });
      onClosed(answer.closeShift);
    } catch (e) {
      setError(e instanceof CommandError ? e.message : String(e));
    }
  }
  return (
    <section className="card" aria-label={t("till.closeShift")}>
      <h2>{t("till.closeShift")}</h2>
      <form onSubmit={submit} className="inline-form">
        <Field label={`${t("till.countedCash")} (${currency})`} name="counted-cash" inputMode="decimal"
          value={notes.total ?? cash} readOnly={notes.total !== null} required onChange={(e) => setCash(e.target.value)} />
        <Field label={t("till.countedCard")} name="counted-card" inputMode="decimal" value={card} onChange={(e) => setCard(e.target.value)} />
        <button type="submit">{t("till.closeShift")}</button>
        {notes.fields}
      </form>
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}

export function ShiftReport({ report }: { report: ShiftReportViewFragment }) {
  const title = report.kind === "Z" ? t("till.zReport") : t("till.xReport");
  return (
    <section className="card receipt-print" aria-label={title}>
      <h2>{title}</h2>
      <dl className="facts">
        <dt>{t("till.sales")}</dt><dd>{formatNumber(report.sales)}</dd>
        <dt>{t("till.refunds")}</dt><dd>{formatNumber(report.refunds)}</dd>
        <dt>{t("till.voids")}</dt><dd>{formatNumber(report.voids)}</dd>
        <dt>{t("till.openingFloat")}</dt><dd>{formatMoney(report.openingFloat)}</dd>
        <dt>{t("till.payIns")}</dt><dd>{formatMoney(report.payIns)}</dd>
        <dt>{t("till.payOuts")}</dt><dd>{formatMoney(report.payOuts)}</dd>
        <dt>{t("till.drops")}</dt><dd>{formatMoney(report.drops)}</dd>
        {report.countedCash ? <><dt>{t("till.countedCash")}</dt><dd>{formatMoney(report.countedCash)}</dd></> : null}
        {report.countedDenominations.length > 0 ? (
          <><dt>{t("till.denominations")}</dt>
            <dd data-testid="counted-denominations">{report.countedDenominations.map((d) => `${formatNumber(d.count)} × ${formatMoney({ amount: d.value, currency: report.openingFloat.currency })}`).join(", ")}</dd></>
        ) : null}
      </dl>
      <table>
        <thead><tr><th scope="col">{t("reports.tender")}</th><th scope="col">{t("till.expected")}</th><th scope="col">{t("till.counted")}</th><th scope="col">{t("till.overShort")}</th></tr></thead>
        <tbody>
          {report.tenders.map((x) => (
            <tr key={x.kind}><td>{x.kind}</td><td className="num">{formatMoney(x.expected)}</td><td className="num">{formatMoney(x.counted)}</td><td className="num">{formatMoney(x.overShort)}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => window.print()}>{t("till.printReport")}</button>
    </section>
  );
}
