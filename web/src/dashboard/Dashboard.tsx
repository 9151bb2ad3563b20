/**
 * The manager's dashboard: today's figures, sales as tills complete them and orders as
 * they change. It moves by subscription only (`saleCompleted`, `orderUpdates`): a pushed
 * sale is listed at once and today's figures are re-read from the graph (the server
 * computes them) until the reports read model has counted it; a reconnect catches up the
 * same way.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { formatDateTime, formatMoney, formatMonies, formatNumber, isoDay } from "../format";
import { t } from "../i18n/strings";
import { useCatchUp } from "../shell/hooks";
import { ErrorMessage, Section } from "../shell/ui";

const Today = graphql(`
  query DashboardToday($day: Date!) {
    dailySales(from: $day, to: $day) { day orderCount revenue { amount currency } }
    storeSales(from: $day, to: $day, groupBy: STORE) {
      store { id code name } currency saleCount gross { amount currency } grossAfterReturns { amount currency }
    }
  }
`);

/** Every sale completed at a till, pushed by the gateway from the sales events. */
const SalesFeed = graphql(`
  subscription DashboardSales {
    saleCompleted { id receiptNumber completedAt total { amount currency } store { id code } }
  }
`);

/** After a push the reports read model needs a moment to count the sale: re-read with
 * these pauses (ms) until it has, then stop (a catch-up per push, never a poll). */
const CATCH_UP_MS = [0, 300, 700, 1500, 3000];

const OrderFeed = graphql(`
  subscription DashboardOrders { orderUpdates { id number status total { amount currency } customer { id name } } }
`);

interface FeedItem { key: string; number: string; status: string; total: string; customer: string; at: string }
interface SaleItem { id: string; receipt: string; store: string; total: string; at: string }

export function Dashboard() {
  const day = isoDay();
  const [{ data, error }, refetch] = useQuery({ query: Today, variables: { day } });
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [updates, setUpdates] = useState(0);
  const [live] = useSubscription({ query: OrderFeed });
  const reload = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  useCatchUp(reload);
  // sales pushed and not yet counted by the last read, per store: the read that counts
  // them (saleCount reaching what is expected) ends the catch-up
  const [sales, setSales] = useState<SaleItem[]>([]);
  const expected = useRef<Record<string, number>>({});
  const counted = useRef<Record<string, number>>({});
  const attempt = useRef(0);
  const seen = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const now: Record<string, number> = {};
    for (const s of data?.storeSales ?? []) now[s.store.id] = (now[s.store.id] ?? 0) + s.saleCount;
    counted.current = now;
    for (const [store, want] of Object.entries(expected.current)) {
      if ((now[store] ?? 0) >= want) delete expected.current[store];
    }
  }, [data]);
  const catchUp = useCallback(() => {
    clearTimeout(timer.current);
    const waiting = () => Object.keys(expected.current).length > 0;
    const step = () => {
      if (!waiting() || attempt.current >= CATCH_UP_MS.length) return;
      const pause = CATCH_UP_MS[attempt.current] ?? 0;
      attempt.current += 1;
      timer.current = setTimeout(() => {
        if (!waiting()) return; // the last read counted them all
        reload();
        step();
      }, pause);
    };
    attempt.current = 0;
    step();
  }, [reload]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const [sold] = useSubscription({ query: SalesFeed });
  useEffect(() => {
    const sale = sold.data?.saleCompleted;
    if (!sale || seen.current.has(sale.id)) return; // a redelivered push is the same sale
    seen.current.add(sale.id);
    const store = sale.store.id;
    expected.current[store] = Math.max(expected.current[store] ?? 0, counted.current[store] ?? 0) + 1;
    setSales((items) => [{
      id: sale.id, receipt: sale.receiptNumber ?? "", store: sale.store.code ?? "", total: formatMoney(sale.total),
      at: formatDateTime(sale.completedAt ?? new Date().toISOString()),
    }, ...items].slice(0, 20));
    catchUp();
  }, [sold.data, catchUp]);
  useEffect(() => {
    const order = live.data?.orderUpdates;
    if (!order) return;
    setUpdates((n) => n + 1);
    setFeed((items) => [{
      key: `${order.id}:${order.status}`, number: order.number, status: order.status,
      total: formatMoney(order.total), customer: order.customer.name, at: formatDateTime(new Date().toISOString()),
    }, ...items].slice(0, 20));
    reload();
  }, [live.data, reload]);

  const orders = data?.dailySales[0];
  return (
    <>
      <h1>{t("dashboard.title")}</h1>
      <ErrorMessage error={error ?? live.error ?? sold.error} />
      <div className="tiles">
        <section className="card tile" aria-label={t("dashboard.ordersToday")}>
          <h2>{t("dashboard.ordersToday")}</h2>
          <p className="big" data-testid="orders-today">{formatNumber(orders?.orderCount ?? 0)}</p>
          <p>{formatMonies(orders?.revenue)}</p>
        </section>
        {(data?.storeSales ?? []).map((s) => (
          <section key={`${s.store.id}:${s.currency}`} className="card tile" aria-label={`${t("dashboard.salesToday")} ${s.store.code}`}>
            <h2>{t("dashboard.salesToday")} · {s.store.code}</h2>
            <p className="big" data-testid={`sales-today-${s.store.code}`}>{formatMoney(s.grossAfterReturns)}</p>
            <p>{formatNumber(s.saleCount)} {t("reports.sales").toLowerCase()}</p>
          </section>
        ))}
      </div>
      <Section title={t("dashboard.liveSales")}>
        {sales.length === 0 ? <p>{t("dashboard.noSales")}</p> : (
          <ol className="feed" data-testid="live-sales">
            {sales.map((x) => <li key={x.id}>{x.at} · {x.store} · {t("dashboard.receipt", { number: x.receipt })} · <strong>{x.total}</strong></li>)}
          </ol>
        )}
      </Section>
      <Section title={t("dashboard.liveOrders")}>
        <p aria-live="polite">{t("dashboard.updated", { count: updates })}</p>
        {feed.length === 0 ? <p>{t("dashboard.noLive")}</p> : (
          <ol className="feed">
            {feed.map((f) => <li key={f.key}>{f.at} · {f.number} · <strong>{f.status}</strong> · {f.customer} · {f.total}</li>)}
          </ol>
        )}
      </Section>
    </>
  );
}
