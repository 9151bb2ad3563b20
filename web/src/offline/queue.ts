/**
 * The till's offline queue: sales made while the gateway is unreachable, kept in
 * IndexedDB with every command id chosen when the sale was made. Replaying sends the
 * same commands with the same ids (startSale, addSaleLine..., addTender..., completeSale);
 * the sales context answers a command it has already applied with what it did the first
 * time, so a replay cut off half-way, repeated, or run by two tabs at once sells once.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

export type QueueState = "queued" | "sending" | "sent" | "failed";

export interface QueuedLine {
  commandId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Shelf price when the sale was made (decimal string). */
  unitPrice: string;
  ratePercent: string;
}

export interface QueuedTender {
  commandId: string;
  kind: "CASH" | "CARD";
  amount: string;
  /** The card terminal's reference (cards only). */
  reference?: string | null;
}

/** A discount given offline (within the cashier's own threshold): on the sale's line at
 * index `line`, or the whole sale (null). */
export interface QueuedDiscount {
  commandId: string;
  line: number | null;
  kind: "PERCENT" | "AMOUNT";
  /** PERCENT: the percentage; AMOUNT: the amount (decimal string). */
  value: string;
  reason: string;
}

export interface QueuedSale {
  id: string;
  createdAt: string;
  registerId: string;
  currency: string;
  startCommandId: string;
  completeCommandId: string;
  lines: QueuedLine[];
  /** Absent in records queued before discounts could be. */
  discounts?: QueuedDiscount[];
  tenders: QueuedTender[];
  /** The till's estimate; the server's total replaces it once sent. */
  previewTotal: string;
  state: QueueState;
  saleId?: string;
  receiptNumber?: string;
  serverTotal?: string;
  error?: string;
}

export interface CachedProduct {
  id: string;
  sku: string;
  name: string;
  barcode: string | null;
  taxClass: string;
  unitPrice: { amount: string; currency: string };
}

interface TillDb extends DBSchema {
  sales: { key: string; value: QueuedSale; indexes: { byCreated: string } };
  catalog: { key: string; value: CachedProduct; indexes: { bySku: string; byBarcode: string } };
}

let dbPromise: Promise<IDBPDatabase<TillDb>> | null = null;

export function tillDb(): Promise<IDBPDatabase<TillDb>> {
  dbPromise ??= openDB<TillDb>("pos-till", 1, {
    upgrade(db) {
      const sales = db.createObjectStore("sales", { keyPath: "id" });
      sales.createIndex("byCreated", "createdAt");
      const catalog = db.createObjectStore("catalog", { keyPath: "id" });
      catalog.createIndex("bySku", "sku");
      catalog.createIndex("byBarcode", "barcode");
    },
  });
  return dbPromise;
}

type Listener = () => void;
const listeners = new Set<Listener>();
export function onQueueChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function changed(): void {
  for (const listener of listeners) listener();
}

export async function enqueue(sale: QueuedSale): Promise<void> {
  await (await tillDb()).put("sales", sale);
  changed();
}

export async function queuedSales(): Promise<QueuedSale[]> {
  return (await tillDb()).getAllFromIndex("sales", "byCreated");
}

async function save(sale: QueuedSale): Promise<void> {
  await (await tillDb()).put("sales", sale);
  changed();
}

/** What replaying needs from the graph (the till passes urql mutations). */
export interface SalesApi {
  startSale(commandId: string, registerId: string): Promise<string>;
  /** Returns the new line's id (the graph assigns it). */
  addLine(commandId: string, saleId: string, productId: string, quantity: number): Promise<string>;
  applyDiscount(commandId: string, saleId: string, discount: QueuedDiscount, lineId: string | null, currency: string): Promise<void>;
  addTender(commandId: string, saleId: string, kind: "CASH" | "CARD", amount: { amount: string; currency: string }, reference?: string | null): Promise<void>;
  complete(commandId: string, saleId: string): Promise<{ receiptNumber: string; total: string }>;
}

/** A failure of the network (retry later) rather than a refusal by the graph. */
export class Unreachable extends Error {}

/** Send one queued sale's commands in order; the record holds the outcome. */
export async function replaySale(sale: QueuedSale, api: SalesApi): Promise<QueuedSale> {
  const saleId = await api.startSale(sale.startCommandId, sale.registerId);
  const lineIds: string[] = [];
  for (const line of sale.lines) lineIds.push(await api.addLine(line.commandId, saleId, line.productId, line.quantity));
  for (const discount of sale.discounts ?? []) {
    const lineId = discount.line === null ? null : (lineIds[discount.line] ?? null);
    if (discount.line !== null && lineId === null) throw new Error(`discount on line ${discount.line + 1}, which the sale does not have`);
    await api.applyDiscount(discount.commandId, saleId, discount, lineId, sale.currency);
  }
  for (const tender of sale.tenders) {
    await api.addTender(tender.commandId, saleId, tender.kind, { amount: tender.amount, currency: sale.currency }, tender.reference);
  }
  const done = await api.complete(sale.completeCommandId, saleId);
  return { ...sale, state: "sent", saleId, receiptNumber: done.receiptNumber, serverTotal: done.total, error: undefined };
}

let flushing: Promise<number> | null = null;

/**
 * Replay every waiting sale, oldest first, one flush at a time in this tab (and across
 * tabs where the Web Locks API exists). Stops at the first network failure (the rest
 * wait for the next reconnect); a sale the graph refuses is marked failed with the
 * graph's message, for the cashier to see. Returns how many were sent.
 */
export function flushQueue(api: SalesApi): Promise<number> {
  flushing ??= (async () => {
    try {
      const run = () => flushOnce(api);
      const locks = (globalThis.navigator as Navigator | undefined)?.locks;
      return locks ? await locks.request("pos-till-queue", run) : await run();
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

async function flushOnce(api: SalesApi): Promise<number> {
  let sent = 0;
  for (const sale of await queuedSales()) {
    if (sale.state === "sent" || sale.state === "failed") continue;
    await save({ ...sale, state: "sending" });
    try {
      await save(await replaySale(sale, api));
      sent += 1;
    } catch (error) {
      if (error instanceof Unreachable) {
        await save({ ...sale, state: "queued" });
        break;
      }
      await save({ ...sale, state: "failed", error: error instanceof Error ? error.message : String(error) });
    }
  }
  return sent;
}

/** Keep the catalog for offline selling (replaces what was kept). */
export async function cacheCatalog(products: readonly CachedProduct[]): Promise<void> {
  const db = await tillDb();
  const tx = db.transaction("catalog", "readwrite");
  await tx.store.clear();
  for (const product of products) await tx.store.put(product);
  await tx.done;
}

/** A kept product by barcode (EAN-13, or UPC-A written with a leading 0) or SKU. */
export async function findCached(code: string): Promise<CachedProduct | undefined> {
  const db = await tillDb();
  const text = code.trim();
  if (/^\d{12,13}$/.test(text)) {
    const ean = text.length === 12 ? `0${text}` : text;
    return (await db.getFromIndex("catalog", "byBarcode", ean)) ?? (await db.getFromIndex("catalog", "byBarcode", text));
  }
  const all = await db.getAll("catalog");
  return all.find((p) => p.sku.toLowerCase() === text.toLowerCase());
}
