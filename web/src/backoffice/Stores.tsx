/** Stores and registers: each store's settings and tax table, add or deactivate registers. */
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { formatMoney } from "../format";
import { t } from "../i18n/strings";
import { ErrorMessage, Field, Section } from "../shell/ui";

const StoresQuery = graphql(`
  query Stores {
    stores(first: 50) {
      nodes {
        id code name currency pricingMode active returnWindowDays discountApprovalThresholdPercent
        cashRoundingIncrement { amount currency }
        address { line1 city country }
        taxRegion { id code name }
        taxRates { taxClass ratePercent }
        registers { id code name active }
      }
    }
  }
`);
const AddRegister = graphql(`
  mutation AddRegister($input: AddRegisterInput!) { addRegister(input: $input) { id code name active store { id } } }
`);
const DeactivateRegister = graphql(`
  mutation DeactivateRegister($id: ID!) { deactivateRegister(id: $id) { id active } }
`);

export function Stores() {
  const [{ data, error }] = useQuery({ query: StoresQuery });
  const [added, add] = useMutation(AddRegister);
  const [off, deactivate] = useMutation(DeactivateRegister);
  const [codes, setCodes] = useState<Record<string, string>>({});
  return (
    <>
      <h1>{t("stores.title")}</h1>
      <ErrorMessage error={error ?? added.error ?? off.error} />
      {data?.stores.nodes.map((s) => (
        <Section key={s.id} title={`${s.code} · ${s.name}`}>
          <dl className="facts">
            <dt>{t("stores.currency")}</dt><dd>{s.currency}</dd>
            <dt>{t("stores.pricing")}</dt><dd>{s.pricingMode}</dd>
            <dt>{t("stores.taxRegion")}</dt><dd>{s.taxRegion ? `${s.taxRegion.code} · ${s.taxRegion.name}` : "–"}</dd>
            <dt>{t("customers.city")}</dt><dd>{s.address.line1}, {s.address.city} ({s.address.country})</dd>
            <dt>{t("common.status")}</dt><dd>{s.active ? t("common.active") : t("common.inactive")}</dd>
            <dt>{t("till.cashRounding")}</dt><dd>{formatMoney(s.cashRoundingIncrement)}</dd>
          </dl>
          <h3>{t("stores.taxRates")}</h3>
          <ul>{s.taxRates.map((r) => <li key={r.taxClass}>{r.taxClass}: {r.ratePercent}%</li>)}</ul>
          <h3>{t("stores.registers")}</h3>
          <ul>
            {s.registers.map((r) => (
              <li key={r.id}>
                {r.code} · {r.name} · {r.active ? t("common.active") : t("common.inactive")}{" "}
                {r.active ? (
                  <button type="button" onClick={() => deactivate({ id: r.id })}>{t("stores.deactivateRegister", { code: r.code })}</button>
                ) : null}
              </li>
            ))}
          </ul>
          <form className="inline-form" onSubmit={async (e) => {
            e.preventDefault();
            const answer = await add({ input: { storeId: s.id, code: (codes[s.id] ?? "").trim() } });
            if (answer.data) setCodes((c) => ({ ...c, [s.id]: "" }));
          }}>
            <Field label={t("stores.registerCode")} name={`register-${s.code}`} value={codes[s.id] ?? ""} required
              onChange={(e) => setCodes((c) => ({ ...c, [s.id]: e.target.value }))} />
            <button type="submit">{t("stores.addRegister")}</button>
          </form>
        </Section>
      ))}
    </>
  );
}
