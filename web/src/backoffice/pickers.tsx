/** Pickers the stock screens share: a product found by search, a location (MAIN or a store). */
import { useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { t } from "../i18n/strings";
import { Field, Select } from "../shell/ui";

const PickProducts = graphql(`
  query PickProducts($search: String) { products(first: 20, search: $search, active: true) { nodes { id sku name } } }
`);
const PickStores = graphql(`query PickStores { stores(first: 50, active: true) { nodes { id code name } } }`);

export function ProductPicker({ value, onChange, label }: { value: string; onChange: (id: string) => void; label?: string }) {
  const [search, setSearch] = useState("");
  const [{ data }] = useQuery({ query: PickProducts, variables: { search: search || null } });
  const options = data?.products.nodes ?? [];
  return (
    <div className="picker">
      <Field label={`${label ?? t("stock.product")}: ${t("common.search")}`} name="product-search" type="search" value={search}
        onChange={(e) => setSearch(e.target.value)} />
      <Select label={label ?? t("stock.product")} name="product" value={value} onChange={(e) => onChange(e.target.value)}
        options={[{ value: "", label: "–" }, ...options.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))]} />
    </div>
  );
}

export function useLocations(): { value: string; label: string }[] {
  const [{ data }] = useQuery({ query: PickStores });
  return [
    { value: "MAIN", label: t("stock.main") },
    ...(data?.stores.nodes ?? []).map((s) => ({ value: s.id, label: `${s.code} · ${s.name}` })),
  ];
}

export function LocationPicker({ label, name, value, onChange }: { label: string; name: string; value: string; onChange: (v: string) => void }) {
  const locations = useLocations();
  return <Select label={label} name={name} value={value} onChange={(e) => onChange(e.target.value)} options={locations} />;
}
