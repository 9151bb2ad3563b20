/** Staff and roles: the list (managers read it), hiring and role changes (admins). */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { StaffRole } from "../gql/graphql";
import { t } from "../i18n/strings";
import { useForm, useScopes } from "../shell/hooks";
import { ErrorMessage, Field, Section, Select, Status } from "../shell/ui";

const ROLES: readonly StaffRole[] = ["CASHIER", "SUPERVISOR", "MANAGER", "ADMIN"];

const StaffQuery = graphql(`
  query StaffMembers { staffMembers(first: 100) { nodes { id username displayName roles active lockedUntil } } }
`);
const Hire = graphql(`
  mutation HireStaff($input: HireStaffInput!) { hireStaff(input: $input) { id username displayName roles active } }
`);
const Grant = graphql(`mutation GrantRole($id: ID!, $role: StaffRole!) { grantRole(id: $id, role: $role) { id roles } }`);
const Revoke = graphql(`mutation RevokeRole($id: ID!, $role: StaffRole!) { revokeRole(id: $id, role: $role) { id roles } }`);
const DeactivateStaff = graphql(`mutation DeactivateStaff($id: ID!) { deactivateStaff(id: $id) { id active } }`);

export function Staff() {
  const [{ data, error }] = useQuery({ query: StaffQuery });
  const manage = useScopes().has("staff:manage");
  const [granted, grant] = useMutation(Grant);
  const [revoked, revoke] = useMutation(Revoke);
  const [off, deactivate] = useMutation(DeactivateStaff);
  return (
    <>
      <h1>{t("staff.title")}</h1>
      {manage ? <HireForm /> : null}
      <Section title={t("staff.title")}>
        <ErrorMessage error={error ?? granted.error ?? revoked.error ?? off.error} />
        <table>
          <thead><tr>
            <th scope="col">{t("staff.username")}</th><th scope="col">{t("staff.displayName")}</th>
            <th scope="col">{t("staff.roles")}</th><th scope="col">{t("common.status")}</th>
            {manage ? <th scope="col">{t("common.actions")}</th> : null}
          </tr></thead>
          <tbody>
            {data?.staffMembers.nodes.map((m) => (
              <tr key={m.id}>
                <td>{m.username}</td><td>{m.displayName}</td><td>{m.roles.join(", ")}</td>
                <td>{m.active ? t("common.active") : t("common.inactive")}</td>
                {manage ? (
                  <td className="actions">
                    {ROLES.map((role) => m.roles.includes(role) ? (
                      <button key={role} type="button" onClick={() => revoke({ id: m.id, role })}>− {role}</button>
                    ) : (
                      <button key={role} type="button" onClick={() => grant({ id: m.id, role })} aria-label={t("staff.grant", { role })}>+ {role}</button>
                    ))}
                    {m.active ? <button type="button" onClick={() => deactivate({ id: m.id })}>{t("staff.deactivate", { name: m.username })}</button> : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function HireForm() {
  const form = useForm({ username: "", displayName: "", role: "CASHIER", password: "", pin: "" });
  const [result, hire] = useMutation(Hire);
  const [done, setDone] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    const v = form.values;
    const answer = await hire({ input: { username: v.username.trim(), displayName: v.displayName.trim(), roles: [v.role as StaffRole], password: v.password, pin: v.pin } });
    if (answer.data) {
      setDone(t("common.saved"));
      form.reset();
    }
  }
  return (
    <Section title={t("staff.hire")}>
      <form onSubmit={submit} className="grid-form">
        <Field label={t("staff.username")} required {...form.field("username")} />
        <Field label={t("staff.displayName")} required {...form.field("displayName")} />
        <Select label={t("staff.roles")} {...form.field("role")} options={ROLES.map((r) => ({ value: r, label: r }))} />
        <Field label={t("signIn.password")} type="password" required autoComplete="new-password" {...form.field("password")} />
        <Field label={t("staff.pin")} inputMode="numeric" required {...form.field("pin")} />
        <button type="submit" disabled={result.fetching}>{t("staff.hire")}</button>
      </form>
      <ErrorMessage error={result.error} />
      <Status>{done}</Status>
    </Section>
  );
}
