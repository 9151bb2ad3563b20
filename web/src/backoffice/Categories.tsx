/** Categories: the list and a form to create one. */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { t } from "../i18n/strings";
import { ErrorMessage, Field, Section, Status } from "../shell/ui";

const CategoriesQuery = graphql(`query Categories { categories { id name } }`);
const CreateCategory = graphql(`
  mutation CreateCategory($input: CreateCategoryInput!) { createCategory(input: $input) { id name } }
`);

export function Categories() {
  const [{ data, error }] = useQuery({ query: CategoriesQuery });
  const [name, setName] = useState("");
  const [result, create] = useMutation(CreateCategory);
  const [done, setDone] = useState("");

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ input: { name: name.trim() } });
    if (answer.data) {
      setDone(t("categories.created", { name: answer.data.createCategory.name }));
      setName("");
    }
  }

  return (
    <>
      <h1>{t("categories.title")}</h1>
      <Section title={t("categories.new")}>
        <form onSubmit={submit} className="inline-form">
          <Field label={t("common.name")} name="name" value={name} required onChange={(e) => setName(e.target.value)} />
          <button type="submit" disabled={result.fetching}>{t("common.create")}</button>
        </form>
        <ErrorMessage error={result.error} />
        <Status>{done}</Status>
      </Section>
      <Section title={t("categories.title")}>
        <ErrorMessage error={error} />
        <ul>{data?.categories.map((c) => <li key={c.id}>{c.name}</li>)}</ul>
      </Section>
    </>
  );
}
