/** What the till queued while offline, and what became of each sale once sent. */
import { useEffect, useState } from "react";
import { formatDateTime, formatMoney } from "../format";
import { t } from "../i18n/strings";
import { onQueueChange, queuedSales, type QueuedSale } from "../offline/queue";

function stateText(sale: QueuedSale): string {
  switch (sale.state) {
    case "sent":
      return t("till.queueState.sent", { receipt: sale.receiptNumber ?? "" });
    case "failed":
      return t("till.queueState.failed", { message: sale.error ?? "" });
    default:
      return t(`till.queueState.${sale.state}`);
  }
}

export function QueuePanel() {
  const [sales, setSales] = useState<QueuedSale[]>([]);
  useEffect(() => {
    let live = true;
    const load = () => void queuedSales().then((list) => live && setSales(list));
    load();
    const stop = onQueueChange(load);
    return () => {
      live = false;
      stop();
    };
  }, []);
  const waiting = sales.filter((s) => s.state === "queued" || s.state === "sending").length;
  return (
    <section className="card" aria-label={t("till.queue")}>
      <h2>{t("till.queue")} <span className="badge" data-testid="queue-count">{waiting}</span></h2>
      {sales.length === 0 ? <p>{t("till.queueEmpty")}</p> : (
        <ol className="feed" aria-live="polite">
          {sales.slice(-20).reverse().map((s) => (
            <li key={s.id} data-state={s.state}>
              {t("till.queueItem", {
                time: formatDateTime(s.createdAt),
                total: formatMoney({ amount: s.serverTotal ?? s.previewTotal, currency: s.currency }),
                state: stateText(s),
              })}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
