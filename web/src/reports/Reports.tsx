/**
 * Reports for a store and a date range (UTC days): sales over time and by hour, tender
 * mix, top products, taxes collected and shift over/short, each charted, tabled and
 * exportable as CSV; plus the paid customer orders per day across the shop.
 */
import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { addDays, formatDateTime, formatDay, formatMoney, formatMonies, formatNumber, isoDay } from "../format";
import { t } from "../i18n/strings";
import { ErrorMessage, Field, Select } from "../shell/ui";
import { Chart } from "./Chart";
import { Report } from "./ReportTable";

const ReportStores = graphql(`query ReportStores { stores(first: 50) { nodes { id code name currency } } }`);

const StoreSalesReport = graphql(`
  query StoreSalesReport($storeId: ID, $from: Date!, $to: Date!, $groupBy: SalesGrouping!) {
    storeSales(storeId: $storeId, from: $from, to: $to, groupBy: $groupBy) {
      day hour currency saleCount returnCount
      gross { amount currency } net { amount currency } tax { amount currency }
      refunds { amount currency } grossAfterReturns { amount currency }
    }
  }
`);
const DailySalesReport = graphql(`
  query DailySalesReport($from: Date!, $to: Date!) {
    dailySales(from: $from, to: $to) { day orderCount revenue { amount currency } }
  }
`);
const TenderMixReport = graphql(`
  query TenderMixReport($storeId: ID!, $from: Date!, $to: Date!) {
    tenderMix(storeId: $storeId, from: $from, to: $to) {
      currency tenders { tender payments net { amount currency } } changeGiven { amount currency } takings { amount currency }
    }
  }
`);
const TopProductsReport = graphql(`
  query TopProductsReport($storeId: ID!, $from: Date, $to: Date) {
    topProductsAtStore(storeId: $storeId, from: $from, to: $to, by: REVENUE, limit: 10) { sku name unitsSold revenue { amount currency } }
    topProducts(from: $from, to: $to, by: REVENUE, limit: 10) { sku name unitsSold revenue { amount currency } }
  }
`);
const TaxesReport = graphql(`
  query TaxesReport($storeId: ID!, $from: Date!, $to: Date!) {
    taxesCollected(storeId: $storeId, from: $from, to: $to) {
      day taxClass rate currency net { amount currency } tax { amount currency } collected { amount currency }
    }
  }
`);
const OverShortReport = graphql(`
  query OverShortReport($storeId: ID!, $from: Date!, $to: Date!) {
    shiftOverShort(storeId: $storeId, from: $from, to: $to) {
      shiftId closedAt currency saleCount register { id code } closedBy { id displayName }
      tenders { tender expected { amount currency } counted { amount currency } overShort { amount currency } }
      overShort { amount currency }
    }
  }
`);

interface Range { storeId: string; from: string; to: string }

export function Reports() {
  const today = isoDay();
  const [from, setFrom] = useState(addDays(today, -6));
  const [to, setTo] = useState(today);
  const [storeId, setStoreId] = useState("");
  const [{ data: stores }] = useQuery({ query: ReportStores });
  const storeList = stores?.stores.nodes ?? [];
  const chosen = storeId || storeList[0]?.id || "";
  const range = useMemo(() => ({ storeId: chosen, from, to }), [chosen, from, to]);
  return (
    <>
      <h1>{t("reports.title")}</h1>
      <div className="toolbar card">
        <Select label={t("reports.store")} name="store" value={chosen} onChange={(e) => setStoreId(e.target.value)}
          options={storeList.map((s) => ({ value: s.id, label: `${s.code} · ${s.name}` }))} />
        <Field label={t("common.from")} name="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label={t("common.to")} name="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <DailyOrders from={from} to={to} />
      {chosen ? (
        <>
          <SalesOverTime range={range} />
          <SalesByHour range={range} />
          <TenderMix range={range} />
          <TopProducts range={range} />
          <Taxes range={range} />
          <OverShort range={range} />
        </>
      ) : null}
    </>
  );
}

const amount = (m: { amount: string } | null | undefined) => (m ? Number(m.amount) : 0);

function DailyOrders({ from, to }: { from: string; to: string }) {
  const [{ data, error }] = useQuery({ query: DailySalesReport, variables: { from, to } });
  const days = data?.dailySales ?? [];
  const labels = useMemo(() => days.map((d) => formatDay(d.day)), [days]);
  const series = useMemo(() => [
    { label: t("reports.orders"), values: days.map((d) => d.orderCount) },
  ], [days]);
  return (
    <Report title={t("reports.dailyOrders")} filename={`paid-orders-${from}-${to}.csv`}
      header={[t("reports.day"), t("reports.orders"), t("reports.revenue")]}
      rows={days.map((d) => [formatDay(d.day), formatNumber(d.orderCount), formatMonies(d.revenue)])}
      csv={days.map((d) => [d.day, d.orderCount, d.revenue.map((m) => `${m.amount} ${m.currency}`).join(" + ")])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.dailyOrders")} kind="bar" labels={labels} series={series} />
    </Report>
  );
}

function SalesOverTime({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: StoreSalesReport, variables: { ...range, groupBy: "DAY" } });
  const rows = data?.storeSales ?? [];
  const labels = useMemo(() => rows.map((r) => (r.day ? formatDay(r.day) : "")), [rows]);
  const series = useMemo(() => [
    { label: t("reports.gross"), values: rows.map((r) => amount(r.gross)) },
    { label: t("reports.net"), values: rows.map((r) => amount(r.net)) },
  ], [rows]);
  return (
    <Report title={t("reports.salesOverTime")} filename={`sales-by-day-${range.from}-${range.to}.csv`}
      header={[t("reports.day"), t("reports.sales"), t("reports.gross"), t("reports.net"), t("reports.tax")]}
      rows={rows.map((r) => [r.day ? formatDay(r.day) : "", formatNumber(r.saleCount), formatMoney(r.gross), formatMoney(r.net), formatMoney(r.tax)])}
      csv={rows.map((r) => [r.day, r.saleCount, r.gross.amount, r.net.amount, r.tax.amount])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.salesOverTime")} kind="line" labels={labels} series={series} />
    </Report>
  );
}

function SalesByHour({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: StoreSalesReport, variables: { ...range, groupBy: "HOUR" } });
  const rows = data?.storeSales ?? [];
  const labels = useMemo(() => rows.map((r) => `${String(r.hour ?? 0).padStart(2, "0")}:00`), [rows]);
  const series = useMemo(() => [{ label: t("reports.gross"), values: rows.map((r) => amount(r.gross)) }], [rows]);
  return (
    <Report title={t("reports.salesByHour")} filename={`sales-by-hour-${range.from}-${range.to}.csv`}
      header={[t("reports.hour"), t("reports.sales"), t("reports.gross")]}
      rows={rows.map((r, i) => [labels[i], formatNumber(r.saleCount), formatMoney(r.gross)])}
      csv={rows.map((r) => [r.hour, r.saleCount, r.gross.amount])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.salesByHour")} kind="bar" labels={labels} series={series} />
    </Report>
  );
}

function TenderMix({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: TenderMixReport, variables: range });
  const mixes = data?.tenderMix ?? [];
  const tenders = mixes.flatMap((m) => m.tenders);
  const labels = useMemo(() => tenders.map((x) => x.tender), [tenders]);
  const series = useMemo(() => [{ label: t("reports.amount"), values: tenders.map((x) => amount(x.net)) }], [tenders]);
  return (
    <Report title={t("reports.tenderMix")} filename={`tender-mix-${range.from}-${range.to}.csv`}
      header={[t("reports.tender"), t("reports.amount")]}
      rows={tenders.map((x) => [x.tender, formatMoney(x.net)])}
      csv={tenders.map((x) => [x.tender, x.net.amount])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.tenderMix")} kind="bar" labels={labels} series={series} />
    </Report>
  );
}

function TopProducts({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: TopProductsReport, variables: range });
  const store = data?.topProductsAtStore ?? [];
  const list = store.length > 0 ? store : (data?.topProducts ?? []);
  const labels = useMemo(() => list.map((p) => p.name), [list]);
  const series = useMemo(() => [{ label: t("reports.units"), values: list.map((p) => p.unitsSold) }], [list]);
  return (
    <Report title={t("reports.topProducts")} filename={`top-products-${range.from}-${range.to}.csv`}
      header={[t("products.sku"), t("products.name"), t("reports.units"), t("reports.revenue")]}
      rows={list.map((p) => [p.sku, p.name, formatNumber(p.unitsSold), formatMonies(p.revenue)])}
      csv={list.map((p) => [p.sku, p.name, p.unitsSold, p.revenue.map((m) => `${m.amount} ${m.currency}`).join(" + ")])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.topProducts")} kind="bar" labels={labels} series={series} />
    </Report>
  );
}

function Taxes({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: TaxesReport, variables: range });
  const rows = data?.taxesCollected ?? [];
  return (
    <Report title={t("reports.taxes")} filename={`taxes-${range.from}-${range.to}.csv`}
      header={[t("reports.day"), t("reports.taxClass"), t("reports.rate"), t("reports.net"), t("reports.tax")]}
      rows={rows.map((r) => [formatDay(r.day), r.taxClass, `${r.rate}%`, formatMoney(r.net), formatMoney(r.collected)])}
      csv={rows.map((r) => [r.day, r.taxClass, r.rate, r.net.amount, r.collected.amount])}>
      <ErrorMessage error={error} />
    </Report>
  );
}

function OverShort({ range }: { range: Range }) {
  const [{ data, error }] = useQuery({ query: OverShortReport, variables: range });
  const rows = data?.shiftOverShort ?? [];
  const labels = useMemo(() => rows.map((r) => `${r.register.code} ${formatDateTime(r.closedAt)}`), [rows]);
  const series = useMemo(() => [{ label: t("reports.overShortCol"), values: rows.map((r) => amount(r.overShort)) }], [rows]);
  return (
    <Report title={t("reports.overShort")} filename={`over-short-${range.from}-${range.to}.csv`}
      header={[t("reports.register"), t("reports.closedAt"), t("reports.sales"), t("reports.overShortCol")]}
      rows={rows.map((r) => [r.register.code, formatDateTime(r.closedAt), formatNumber(r.saleCount), formatMoney(r.overShort)])}
      csv={rows.map((r) => [r.register.code, r.closedAt, r.saleCount, r.overShort.amount])}>
      <ErrorMessage error={error} />
      <Chart title={t("reports.overShort")} kind="bar" labels={labels} series={series} />
    </Report>
  );
}
