/**
 * The till: pick this device's register once (kept in localStorage with the store's tax
 * settings, so an offline reload still knows them), open the shift, sell, take returns,
 * park and resume, close the shift with its Z report. While the gateway is unreachable it
 * sells into the offline queue and replays it when the connection is back.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useClient, useQuery } from "urql";
import type { SaleViewFragment, ShiftReportViewFragment, TillOpenShiftQuery, TillStoresQuery } from "../gql/graphql";
import { formatDateTime, formatMoney, formatNumber, toMinor } from "../format";
import { t } from "../i18n/strings";
import { cacheCatalog, flushQueue, type CachedProduct } from "../offline/queue";
import { useCatchUp, useConnectionState } from "../shell/hooks";
import { ApprovalDialog, type Approver } from "./Approval";
import { commandId, runCommand } from "./command";
import { CashDrawer } from "./Drawer";
import { OfflineSale, type StorePolicy } from "./OfflineSale";
import { CatalogPage, OpenShiftQuery, ResumeSale, SaleQuery, TillStores } from "./operations";
import { QueuePanel } from "./QueuePanel";
import { salesApi } from "./replay";
import { NoReceiptReturn } from "./NoReceiptReturn";
import { Returns } from "./Returns";
import { SalePanel, type Completed } from "./Sale";
import { CloseShiftForm, OpenShiftForm, ShiftReport } from "./Shift";
import "./receipt.css";

type StoreNode = TillStoresQuery["stores"]["nodes"][number];
interface Chosen { store: StoreNode; registerId: string }

const REGISTER_KEY = "pos.till.register";

function loadChosen(): Chosen | null {
  try {
    const raw = localStorage.getItem(REGISTER_KEY);
    return raw ? (JSON.parse(raw) as Chosen) : null;
  } catch {
    return null;
  }
}

export function Till() {
  const [chosen, setChosen] = useState<Chosen | null>(loadChosen);
  const [{ data }] = useQuery({ query: TillStores });
  const stores = data?.stores.nodes ?? [];
  // keep the kept store settings fresh while online
  useEffect(() => {
    const fresh = chosen && stores.find((s) => s.id === chosen.store.id);
    if (fresh && JSON.stringify(fresh) !== JSON.stringify(chosen.store)) choose({ store: fresh, registerId: chosen.registerId });
  }, [stores, chosen]);
  function choose(next: Chosen | null) {
    if (next) localStorage.setItem(REGISTER_KEY, JSON.stringify(next));
    else localStorage.removeItem(REGISTER_KEY);
    setChosen(next);
  }
  const register = chosen?.store.registers.find((r) => r.id === chosen.registerId);
  if (!chosen || !register) return <RegisterPicker stores={stores} onChoose={choose} />;
  return (
    <>
      <h1>{t("till.title")}</h1>
      <p>
        {t("till.at", { store: `${chosen.store.code} ${chosen.store.name}`, register: `${register.code} ${register.name}` })}{" "}
        <button type="button" className="link" onClick={() => choose(null)}>{t("till.changeRegister")}</button>
      </p>
      <Register key={register.id} store={chosen.store} registerId={register.id} />
    </>
  );
}

function RegisterPicker({ stores, onChoose }: { stores: readonly StoreNode[]; onChoose: (c: Chosen) => void }) {
  return (
    <section className="card" aria-label={t("till.chooseRegister")}>
      <h1>{t("till.chooseRegister")}</h1>
      {stores.map((s) => (
        <div key={s.id}>
          <h2>{s.code} · {s.name}</h2>
          {s.registers.map((r) => (
            <button key={r.id} type="button" onClick={() => onChoose({ store: s, registerId: r.id })}>
              {t("till.useRegister")}: {s.code} {r.code}
            </button>
          ))}
        </div>
      ))}
    </section>
  );
}

function policyOf(store: StoreNode): StorePolicy {
  const increment = store.cashRoundingIncrement ? toMinor(store.cashRoundingIncrement.amount, store.currency) : null;
  return {
    currency: store.currency,
    policy: { pricing: store.pricingMode, rounding: store.rounding.level, cashIncrement: increment },
    rates: Object.fromEntries(store.taxRates.map((r) => [r.taxClass, r.ratePercent])),
    // absent in a register chosen before the till kept it: no discounts offline then
    threshold: store.discountApprovalThresholdPercent ?? null,
  };
}

const saleKey = (registerId: string) => `pos.till.sale.${registerId}`;

function Register({ store, registerId }: { store: StoreNode; registerId: string }) {
  const client = useClient();
  const connection = useConnectionState();
  const online = connection !== "offline";
  const [{ data: shiftData, fetching, stale }, refetchShift] = useQuery({ query: OpenShiftQuery, variables: { registerId }, requestPolicy: "network-only" });
  const [sale, setSaleState] = useState<SaleViewFragment | null>(null);
  const [completed, setCompleted] = useState<Completed | null>(null);
  const [zReport, setZReport] = useState<ShiftReportViewFragment | null>(null);
  const [xReport, setXReport] = useState<ShiftReportViewFragment | null>(null);
  const [approval, setApproval] = useState<{ message: string; resolve: (a: Approver | null) => void } | null>(null);
  const [cached, setCached] = useState<number | null>(null);
  const refresh = useCallback(() => refetchShift({ requestPolicy: "network-only" }), [refetchShift]);

  const setSale = useCallback((next: SaleViewFragment | null) => {
    setSaleState(next);
    if (next && next.status === "OPEN") localStorage.setItem(saleKey(registerId), next.id);
    else localStorage.removeItem(saleKey(registerId));
  }, [registerId]);

  // a reload in the middle of a sale picks it up again
  useEffect(() => {
    const id = localStorage.getItem(saleKey(registerId));
    if (!id) return;
    void client.query(SaleQuery, { id }, { requestPolicy: "network-only" }).toPromise().then((r) => {
      if (r.data?.sale?.status === "OPEN") setSaleState(r.data.sale);
    });
  }, [client, registerId]);

  // keep the catalog for offline selling, and send what was queued, whenever online
  const whenOnline = useCallback(async () => {
    const products: CachedProduct[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const answer = await client.query(CatalogPage, { after }, { requestPolicy: "network-only" }).toPromise();
      if (!answer.data) break;
      products.push(...answer.data.products.nodes);
      if (!answer.data.products.pageInfo.hasNextPage) break;
      after = answer.data.products.pageInfo.endCursor ?? null;
    }
    if (products.length > 0) {
      await cacheCatalog(products);
      setCached(products.length);
    }
    const sent = await flushQueue(salesApi(client));
    if (sent > 0) refresh();
  }, [client, refresh]);
  useEffect(() => void whenOnline(), [whenOnline]);
  useCatchUp(useCallback(() => { void whenOnline(); refresh(); }, [whenOnline, refresh]));

  const askApproval = useCallback((message: string) => new Promise<Approver | null>((resolve) => setApproval({ message, resolve })), []);
  // the shift as last settled: a refetch in flight never unmounts the sale being rung up
  const lastShift = useRef<TillOpenShiftQuery["openShift"] | undefined>(undefined);
  const settled = Boolean(shiftData) && !fetching && !stale;
  if (settled) lastShift.current = shiftData?.openShift ?? null;
  const shift = !settled && lastShift.current !== undefined ? lastShift.current : (shiftData?.openShift ?? null);
  const parked = shiftData?.parkedSales ?? [];

  let body;
  if (!online) {
    body = <OfflineSale registerId={registerId} store={policyOf(store)} />;
  } else if (zReport) {
    body = (
      <>
        <ShiftReport report={zReport} />
        <button type="button" onClick={() => setZReport(null)}>{t("till.openShift")}</button>
      </>
    );
  } else if (xReport) {
    body = (
      <>
        <ShiftReport report={xReport} />
        <button type="button" autoFocus onClick={() => setXReport(null)}>{t("till.backToSale")}</button>
      </>
    );
  } else if (!shift) {
    body = !settled ? null : <OpenShiftForm registerId={registerId} currency={store.currency} onOpened={refresh} />;
  } else if (completed) {
    body = (
      <section className="card receipt-print" aria-label={t("till.receipt", { number: completed.number })}>
        <h2>{t("till.receipt", { number: completed.number })}</h2>
        <pre className="receipt-text" data-testid="receipt">{completed.text}</pre>
        <button type="button" onClick={() => window.print()}>{t("till.print")}</button>
        <button type="button" autoFocus onClick={() => { setCompleted(null); setSale(null); }}>{t("till.newSale")}</button>
      </section>
    );
  } else {
    body = (
      <>
        <p>{t("till.shiftOpen", { time: formatDateTime(shift.openedAt), float: formatMoney(shift.openingFloat) })}</p>
        <SalePanel registerId={registerId} sale={sale} setSale={setSale} askApproval={askApproval} onParked={refresh}
          onCompleted={(receipt) => { setCompleted(receipt); refresh(); }} />
        {parked.length > 0 ? (
          <section className="card" aria-label={t("till.parked")}>
            <h2>{t("till.parked")}</h2>
            {parked.map((p) => (
              <button key={p.id} type="button" disabled={Boolean(sale && sale.status === "OPEN")}
                onClick={async () => {
                  setSale((await runCommand(client, ResumeSale, { commandId: commandId(), saleId: p.id })).resumeSale);
                  refresh();
                }}>
                {t("till.resume", { total: formatMoney(p.total) })} ({formatNumber(p.lines.length)})
              </button>
            ))}
          </section>
        ) : null}
        <Returns registerId={registerId} askApproval={askApproval} />
        <NoReceiptReturn registerId={registerId} askApproval={askApproval} />
        <CashDrawer shiftId={shift.id} currency={store.currency} onXReport={setXReport} />
        {!sale || sale.status !== "OPEN" ? (
          <CloseShiftForm shiftId={shift.id} currency={store.currency} onClosed={(z) => { setZReport(z); refresh(); }} />
        ) : null}
      </>
    );
  }

  return (
    <>
      {body}
      <QueuePanel />
      {cached !== null ? <p className="hint">{t("till.catalogCached", { count: cached })}</p> : null}
      {approval ? (
        <ApprovalDialog message={approval.message} registerId={registerId}
          onDone={(a) => { approval.resolve(a); setApproval(null); }} />
      ) : null}
    </>
  );
}
