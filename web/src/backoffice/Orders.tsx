/**
 * Orders: filter by status and placement day, newest first; the selected order follows
 * its status live by subscription (orderStatusChanged), never by polling, and is
 * re-read after a reconnect so nothing missed while offline stays hidden.
 */
import { useCallback, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { OrderStatus } from "../gql/graphql";
import { addDays, formatDateTime, formatMoney } from "../format";
import { t } from "../i18n/strings";
import { useCatchUp } from "../shell/hooks";
import { ErrorMessage, Field, Loading, Section, Select } from "../shell/ui";

const STATUSES: readonly OrderStatus[] = ["PENDING", "CONFIRMED", "PAID", "SHIPPED", "REJECTED", "CANCELLED"];

const OrdersQuery = graphql(`
  query Orders($status: OrderStatus, $from: DateTime, $to: DateTime, $after: String) {
    orders(first: 20, after: $after, status: $status, from: $from, to: $to, orderBy: NUMBER_DESC) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id number status placedAt total { amount currency } customer { id name } }
    }
  }
`);

const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      id number status placedAt paidAt shippedAt version
      total { amount currency }
      customer { id name }
      lines { sku quantity product { id name } lineTotal { amount currency } }
    }
  }
`);

const OrderStatusLive = graphql(`
  subscription OrderStatusLive($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) { id status version paidAt shippedAt }
  }
`);

const PayOrder = graphql(`mutation PayOrder($input: PayOrderInput!) { payOrder(input: $input) { id status } }`);
const ShipOrder = graphql(`mutation ShipOrder($id: ID!) { shipOrder(id: $id) { id status } }`);
const CancelOrder = graphql(`mutation CancelOrder($input: CancelOrderInput!) { cancelOrder(input: $input) { id status } }`);

export function Orders() {
  const [status, setStatus] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [after, setAfter] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: OrdersQuery,
    variables: {
      status: (status || null) as OrderStatus | null,
      from: from ? `${from}T00:00:00Z` : null,
      to: to ? `${addDays(to, 1)}T00:00:00Z` : null,
      after,
    },
  });
  useCatchUp(useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]));

  return (
    <>
      <h1>{t("orders.title")}</h1>
      <Section title={t("orders.title")}>
        <div className="toolbar">
          <Select label={t("orders.filterStatus")} name="status" value={status}
            onChange={(e) => { setStatus(e.target.value); setAfter(null); }}
            options={[{ value: "", label: t("common.all") }, ...STATUSES.map((s) => ({ value: s, label: s }))]} />
          <Field label={t("common.from")} name="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <Field label={t("common.to")} name="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <Loading when={fetching && !data} />
        <ErrorMessage error={error} />
        <table>
          <thead><tr>
            <th scope="col">{t("orders.number")}</th><th scope="col">{t("orders.customer")}</th>
            <th scope="col">{t("common.status")}</th><th scope="col">{t("orders.placedAt")}</th>
            <th scope="col">{t("orders.total")}</th>
          </tr></thead>
          <tbody>
            {data?.orders.nodes.map((o) => (
              <tr key={o.id} aria-selected={o.id === selected}>
                <td><button type="button" className="link" onClick={() => setSelected(o.id)}>{o.number}</button></td>
                <td>{o.customer.name}</td><td>{o.status}</td><td>{formatDateTime(o.placedAt)}</td>
                <td className="num">{formatMoney(o.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.orders.pageInfo.hasNextPage ? (
          <button type="button" onClick={() => setAfter(data.orders.pageInfo.endCursor ?? null)}>{t("common.next")}</button>
        ) : null}
        {after ? <button type="button" onClick={() => setAfter(null)}>{t("common.previous")}</button> : null}
      </Section>
      {selected ? <OrderDetail key={selected} id={selected} /> : null}
    </>
  );
}

function OrderDetail({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({ query: OrderQuery, variables: { id } });
  // the subscription's Order updates the cached order (same id): the detail re-renders
  const [live] = useSubscription({ query: OrderStatusLive, variables: { orderId: id } });
  useCatchUp(useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]));
  const [paid, pay] = useMutation(PayOrder);
  const [shipped, ship] = useMutation(ShipOrder);
  const [cancelled, cancel] = useMutation(CancelOrder);
  const order = data?.order;
  if (!order) return <ErrorMessage error={error} />;
  const status = live.data?.orderStatusChanged.status ?? order.status;
  return (
    <section className="card" aria-label={t("orders.detail", { number: order.number })}>
      <h2>{t("orders.detail", { number: order.number })}</h2>
      <p>
        {t("orders.live")}: <strong data-testid="live-status" aria-live="polite">{status}</strong>
      </p>
      <p>{order.customer.name} · {formatMoney(order.total)}</p>
      <table>
        <caption>{t("orders.lines")}</caption>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.sku}><td>{l.quantity} ×</td><td>{l.product.name}</td><td className="num">{formatMoney(l.lineTotal)}</td></tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        {status === "CONFIRMED" ? (
          <button type="button" onClick={() => pay({ input: { id, method: "CARD", amount: order.total.amount } })}>{t("orders.pay")}</button>
        ) : null}
        {status === "PAID" ? <button type="button" onClick={() => ship({ id })}>{t("orders.ship")}</button> : null}
        {["PENDING", "CONFIRMED", "PAID"].includes(status) ? (
          <button type="button" onClick={() => cancel({ input: { id } })}>{t("orders.cancel")}</button>
        ) : null}
      </div>
      {[paid, shipped, cancelled, live].map((r, i) => <ErrorMessage key={i} error={r.error} />)}
    </section>
  );
}
