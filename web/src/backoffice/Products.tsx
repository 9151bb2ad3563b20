/**
 * Products: search and page through the catalog, create one (sku, name, category, price,
 * barcode, tax class), and per product rename, change the price, set the barcode,
 * deactivate or activate. Every change is a mutation; the list shows what the graph says.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { ProductRowFragment } from "../gql/graphql";
import { formatMoney, formatNumber } from "../format";
import { t } from "../i18n/strings";
import { useForm } from "../shell/hooks";
import { ErrorMessage, Field, Loading, Section, Select, Status } from "../shell/ui";

graphql(`
  fragment ProductRow on Product {
    id sku name active barcode taxClass available
    unitPrice { amount currency }
    category { id name }
  }
`);

const ProductsQuery = graphql(`
  query Products($search: String, $active: Boolean, $after: String) {
    products(first: 25, after: $after, search: $search, active: $active) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...ProductRow }
    }
    categories { id name }
  }
`);

const AddProduct = graphql(`
  mutation AddProduct($input: AddProductInput!) { addProduct(input: $input) { ...ProductRow } }
`);
const RenameProduct = graphql(`
  mutation RenameProduct($input: RenameProductInput!) { renameProduct(input: $input) { ...ProductRow } }
`);
const ChangePrice = graphql(`
  mutation ChangeProductPrice($input: ChangeProductPriceInput!) { changeProductPrice(input: $input) { ...ProductRow } }
`);
const SetBarcode = graphql(`
  mutation SetProductBarcode($productId: ID!, $barcode: String) { setProductBarcode(productId: $productId, barcode: $barcode) { ...ProductRow } }
`);
const Deactivate = graphql(`
  mutation DeactivateProduct($id: ID!) { deactivateProduct(id: $id) { ...ProductRow } }
`);
const Activate = graphql(`
  mutation ActivateProduct($id: ID!) { activateProduct(id: $id) { ...ProductRow } }
`);

export function Products() {
  const [search, setSearch] = useState("");
  const [showInactive, setShowInactive] = useState(false);
  const [after, setAfter] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [{ data, fetching, error }] = useQuery({
    query: ProductsQuery,
    variables: { search: search || null, active: showInactive ? null : true, after },
  });
  const categories = data?.categories ?? [];
  const products = data?.products.nodes ?? [];
  const chosen = products.find((p) => p.id === editing);

  return (
    <>
      <h1>{t("products.title")}</h1>
      <NewProduct categories={categories} />
      <Section title={t("products.title")}>
        <div className="toolbar">
          <Field label={t("common.search")} name="search" type="search" value={search}
            onChange={(e) => { setSearch(e.target.value); setAfter(null); }} />
          <label className="check">
            <input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} />
            {t("products.showInactive")}
          </label>
        </div>
        <Loading when={fetching && !data} />
        <ErrorMessage error={error} />
        <table>
          <thead>
            <tr>
              <th scope="col">{t("products.sku")}</th><th scope="col">{t("products.name")}</th>
              <th scope="col">{t("products.category")}</th><th scope="col">{t("products.price")}</th>
              <th scope="col">{t("products.barcode")}</th><th scope="col">{t("products.available")}</th>
              <th scope="col">{t("common.status")}</th><th scope="col">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.id}>
                <td>{p.sku}</td><td>{p.name}</td><td>{p.category?.name ?? "–"}</td>
                <td className="num">{formatMoney(p.unitPrice)}</td><td>{p.barcode ?? "–"}</td>
                <td className="num">{formatNumber(p.available)}</td>
                <td>{p.active ? t("common.active") : t("common.inactive")}</td>
                <td>
                  <button type="button" onClick={() => setEditing(p.id)} aria-label={t("products.edit", { name: p.name })}>
                    {t("products.editButton")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.products.pageInfo.hasNextPage ? (
          <button type="button" onClick={() => setAfter(data.products.pageInfo.endCursor ?? null)}>{t("common.next")}</button>
        ) : null}
        {after ? <button type="button" onClick={() => setAfter(null)}>{t("common.previous")}</button> : null}
      </Section>
      {chosen ? <EditProduct key={chosen.id} product={chosen} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

function NewProduct({ categories }: { categories: readonly { id: string; name: string }[] }) {
  const form = useForm({ sku: "", name: "", categoryId: "", amount: "", currency: "EUR", barcode: "", taxClass: "STANDARD" });
  const [result, add] = useMutation(AddProduct);
  const [done, setDone] = useState("");

  async function submit(event: FormEvent) {
    event.preventDefault();
    const v = form.values;
    const answer = await add({
      input: {
        sku: v.sku.trim(), name: v.name.trim(), categoryId: v.categoryId || categories[0]?.id || "",
        unitPrice: { amount: v.amount.trim(), currency: v.currency.trim().toUpperCase() },
        barcode: v.barcode.trim() || null, taxClass: v.taxClass.trim() || null,
      },
    });
    if (answer.data) {
      setDone(t("products.created", { name: answer.data.addProduct.name }));
      form.reset();
    } else setDone("");
  }

  return (
    <Section title={t("products.new")}>
      <form onSubmit={submit} className="grid-form">
        <Field label={t("products.sku")} required {...form.field("sku")} />
        <Field label={t("products.name")} required {...form.field("name")} />
        <Select label={t("products.category")} {...form.field("categoryId")}
          options={categories.map((c) => ({ value: c.id, label: c.name }))} />
        <Field label={t("products.price")} required inputMode="decimal" {...form.field("amount")} />
        <Field label={t("products.currency")} required {...form.field("currency")} />
        <Field label={t("products.barcode")} inputMode="numeric" {...form.field("barcode")} />
        <Field label={t("products.taxClass")} {...form.field("taxClass")} />
        <button type="submit" disabled={result.fetching}>{t("common.create")}</button>
      </form>
      <ErrorMessage error={result.error} />
      <Status>{done}</Status>
    </Section>
  );
}

function EditProduct({ product, onClose }: { product: ProductRowFragment; onClose: () => void }) {
  const [name, setName] = useState(product.name);
  const [amount, setAmount] = useState(product.unitPrice.amount);
  const [barcode, setBarcode] = useState(product.barcode ?? "");
  const [renamed, rename] = useMutation(RenameProduct);
  const [priced, price] = useMutation(ChangePrice);
  const [coded, code] = useMutation(SetBarcode);
  const [off, deactivate] = useMutation(Deactivate);
  const [on, activate] = useMutation(Activate);
  const [done, setDone] = useState("");
  const ok = (r: { data?: unknown }) => setDone(r.data ? t("common.saved") : "");

  return (
    <section className="card" aria-label={t("products.edit", { name: product.name })}>
      <h2>{t("products.edit", { name: product.name })}</h2>
      <form onSubmit={async (e) => { e.preventDefault(); ok(await rename({ input: { id: product.id, name } })); }} className="inline-form">
        <Field label={t("products.name")} name="name" value={name} required onChange={(e) => setName(e.target.value)} />
        <button type="submit">{t("products.rename")}</button>
      </form>
      <form onSubmit={async (e) => { e.preventDefault(); ok(await price({ input: { id: product.id, unitPrice: { amount, currency: product.unitPrice.currency } } })); }} className="inline-form">
        <Field label={`${t("products.price")} (${product.unitPrice.currency})`} name="price" inputMode="decimal" value={amount} required onChange={(e) => setAmount(e.target.value)} />
        <button type="submit">{t("products.changePrice")}</button>
      </form>
      <form onSubmit={async (e) => { e.preventDefault(); ok(await code({ productId: product.id, barcode: barcode.trim() || null })); }} className="inline-form">
        <Field label={t("products.barcode")} name="barcode" inputMode="numeric" value={barcode} onChange={(e) => setBarcode(e.target.value)} />
        <button type="submit">{t("products.setBarcode")}</button>
      </form>
      {product.active ? (
        <button type="button" onClick={async () => ok(await deactivate({ id: product.id }))}>{t("products.deactivate")}</button>
      ) : (
        <button type="button" onClick={async () => ok(await activate({ id: product.id }))}>{t("products.activate")}</button>
      )}
      <button type="button" onClick={onClose}>{t("common.close")}</button>
      {[renamed, priced, coded, off, on].map((r, i) => <ErrorMessage key={i} error={r.error} />)}
      <Status>{done}</Status>
    </section>
  );
}
