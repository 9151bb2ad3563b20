/**
 * The manager's dashboard: today's figures and a feed of orders as they change. It moves
 * by subscription only: each pushed event re-reads today's figures from the graph (the
 * server computes them), and a reconnect catches up the same way.
 */
import { useCallback, useEffect, useState } from "react";
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

/** Every sale takes stock out of its store: the push that tells the dashboard to re-read. */
const StockMoves = graphql(`
  subscription DashboardStockMoves { stockLevelChanged { productId warehouse onHand available version } }
`);

const OrderFeed = graphql(`
  subscription DashboardOrders { orderUpdates { id number status total { amount currency } customer { id name } } }
`);

interface FeedItem { key: string; number: string; status: string; total: string; customer: string; at: string }

export function Dashboard() {
  const day = isoDay();
  const [{ data, error }, refetch] = useQuery({ query: Today, variables: { day } });
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [updates, setUpdates] = useState(0);
  const [live] = useSubscription({ query: OrderFeed });
  const reload = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  useCatchUp(reload);
  const [moves] = useSubscription({ query: StockMoves });
  useEffect(() => {
    if (!moves.data) return;
    // the reports read model follows the same events a moment later: re-read now and
    // twice more shortly after, then wait for the next push
    reload();
    const timers = [1500, 4000].map((ms) => setTimeout(reload, ms));
    return () => timers.forEach(clearTimeout);
  }, [moves.data, reload]);
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
      <ErrorMessage error={error ?? live.error} />
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
