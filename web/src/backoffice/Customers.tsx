/** Customers: search by name, email or phone, and register a new one. */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { formatDateTime } from "../format";
import { t } from "../i18n/strings";
import { useForm } from "../shell/hooks";
import { ErrorMessage, Field, Loading, Section, Status } from "../shell/ui";

const CustomersQuery = graphql(`
  query Customers($search: String) {
    customers(first: 25, search: $search) {
      totalCount
      nodes { id name email phone registeredAt address { city country } }
    }
  }
`);
const RegisterCustomer = graphql(`
  mutation RegisterCustomer($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id name email } }
`);

export function Customers() {
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }] = useQuery({ query: CustomersQuery, variables: { search: search || null } });
  return (
    <>
      <h1>{t("customers.title")}</h1>
      <NewCustomer />
      <Section title={t("customers.title")}>
        <Field label={t("common.search")} name="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <Loading when={fetching && !data} />
        <ErrorMessage error={error} />
        <table>
          <thead><tr>
            <th scope="col">{t("common.name")}</th><th scope="col">{t("customers.email")}</th>
            <th scope="col">{t("customers.phone")}</th><th scope="col">{t("customers.city")}</th>
            <th scope="col">{t("orders.placedAt")}</th>
          </tr></thead>
          <tbody>
            {data?.customers.nodes.map((c) => (
              <tr key={c.id}><td>{c.name}</td><td>{c.email}</td><td>{c.phone}</td>
                <td>{c.address.city} ({c.address.country})</td><td>{formatDateTime(c.registeredAt)}</td></tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function NewCustomer() {
  const form = useForm({ name: "", email: "", phone: "", line1: "", city: "", postalCode: "", country: "" });
  const [result, register] = useMutation(RegisterCustomer);
  const [done, setDone] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    const v = form.values;
    const answer = await register({
      input: {
        name: v.name.trim(), email: v.email.trim(), phone: v.phone.trim(),
        address: { line1: v.line1.trim(), city: v.city.trim(), postalCode: v.postalCode.trim(), country: v.country.trim().toUpperCase() },
      },
    });
    if (answer.data) {
      setDone(t("customers.created", { name: answer.data.registerCustomer.name }));
      form.reset();
    } else setDone("");
  }
  return (
    <Section title={t("customers.new")}>
      <form onSubmit={submit} className="grid-form">
        <Field label={t("common.name")} required {...form.field("name")} />
        <Field label={t("customers.email")} type="email" required {...form.field("email")} />
        <Field label={t("customers.phone")} type="tel" required {...form.field("phone")} />
        <Field label={t("customers.line1")} required {...form.field("line1")} />
        <Field label={t("customers.city")} required {...form.field("city")} />
        <Field label={t("customers.postalCode")} required {...form.field("postalCode")} />
        <Field label={t("customers.country")} required {...form.field("country")} />
        <button type="submit" disabled={result.fetching}>{t("common.create")}</button>
      </form>
      <ErrorMessage error={result.error} />
      <Status>{done}</Status>
    </Section>
  );
}
