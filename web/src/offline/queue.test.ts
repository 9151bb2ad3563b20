import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { cacheCatalog, enqueue, findCached, flushQueue, queuedSales, tillDb, Unreachable, type QueuedDiscount, type QueuedSale, type SalesApi } from "./queue";

/** A sales API that, like the sales context, answers a repeated command id with the
 * first answer; `failAfter` cuts the network after that many calls. */
class FakeSales implements SalesApi {
  seen = new Map<string, unknown>();
  completed: string[] = [];
  calls = 0;
  failAfter = Infinity;
  private once<T>(commandId: string, run: () => T): T {
    this.calls += 1;
    if (this.calls > this.failAfter) throw new Unreachable("offline");
    if (!this.seen.has(commandId)) this.seen.set(commandId, run());
    return this.seen.get(commandId) as T;
  }
  async startSale(commandId: string) { return this.once(commandId, () => `sale-${commandId}`); }
  lines = new Map<string, number>();
  discounts: { saleId: string; lineId: string | null; value: string }[] = [];
  async addLine(commandId: string, saleId: string) {
    return this.once(commandId, () => {
      const next = (this.lines.get(saleId) ?? 0) + 1;
      this.lines.set(saleId, next);
      return `L${next}`;
    });
  }
  async applyDiscount(commandId: string, saleId: string, discount: QueuedDiscount, lineId: string | null) {
    this.once(commandId, () => this.discounts.push({ saleId, lineId, value: discount.value }));
  }
  async addTender(commandId: string) { this.once(commandId, () => true); }
  async complete(commandId: string, saleId: string) {
    return this.once(commandId, () => {
      this.completed.push(saleId);
      return { receiptNumber: `R-${this.completed.length}`, total: "9.50" };
    });
  }
}

function sale(id: string): QueuedSale {
  return {
    id, createdAt: new Date().toISOString(), registerId: "reg", currency: "EUR",
    startCommandId: `${id}-start`, completeCommandId: `${id}-complete`,
    lines: [{ commandId: `${id}-l1`, productId: "p1", sku: "A", name: "A", quantity: 2, unitPrice: "4.75", ratePercent: "21" }],
    tenders: [{ commandId: `${id}-t1`, kind: "CASH", amount: "10.00" }],
    previewTotal: "9.50", state: "queued",
  };
}

beforeEach(async () => {
  const db = await tillDb();
  await db.clear("sales");
  await db.clear("catalog");
});

describe("offline queue", () => {
  it("replays queued sales once, in order", async () => {
    const api = new FakeSales();
    await enqueue(sale("a"));
    await enqueue(sale("b"));
    expect(await flushQueue(api)).toBe(2);
    expect(api.completed).toEqual(["sale-a-start", "sale-b-start"]);
    const states = (await queuedSales()).map((s) => [s.state, s.receiptNumber]);
    expect(states).toEqual([["sent", "R-1"], ["sent", "R-2"]]);
    expect(await flushQueue(api)).toBe(0);
    expect(api.completed).toHaveLength(2);
  });

  it("sells once when the connection drops half-way and the replay starts over", async () => {
    const api = new FakeSales();
    api.failAfter = 3; // start, line, tender reach the server; complete does not
    await enqueue(sale("c"));
    expect(await flushQueue(api)).toBe(0);
    expect((await queuedSales())[0]?.state).toBe("queued");
    api.failAfter = Infinity;
    expect(await flushQueue(api)).toBe(1);
    expect(api.completed).toEqual(["sale-c-start"]);
    // a crash after the server completed it but before the record said so: replay again
    const db = await tillDb();
    const record = (await queuedSales())[0]!;
    await db.put("sales", { ...record, state: "queued" });
    await flushQueue(api);
    expect(api.completed).toEqual(["sale-c-start"]);
  });

  it("keeps a refused sale as failed with the graph's message", async () => {
    const api = new FakeSales();
    api.complete = async () => { throw new Error("BALANCE_NOT_ZERO"); };
    await enqueue(sale("d"));
    expect(await flushQueue(api)).toBe(0);
    const [record] = await queuedSales();
    expect(record?.state).toBe("failed");
    expect(record?.error).toBe("BALANCE_NOT_ZERO");
  });

  it("runs one flush at a time", async () => {
    const api = new FakeSales();
    await enqueue(sale("e"));
    const [first, second] = await Promise.all([flushQueue(api), flushQueue(api)]);
    expect([first, second]).toEqual([1, 1]); // the second call joins the first flush
    expect(api.completed).toHaveLength(1);
  });

  it("replays discounts given offline once, on the lines the graph assigned", async () => {
    const api = new FakeSales();
    const record = sale("f");
    record.lines.push({ commandId: "f-l2", productId: "p2", sku: "B", name: "B", quantity: 1, unitPrice: "2.00", ratePercent: "9" });
    record.discounts = [
      { commandId: "f-d1", line: 1, kind: "AMOUNT", value: "0.50", reason: "dented" },
      { commandId: "f-d2", line: null, kind: "PERCENT", value: "10", reason: "regular" },
    ];
    api.failAfter = 4; // start, two lines and the first discount; then the network goes
    await enqueue(record);
    expect(await flushQueue(api)).toBe(0);
    api.failAfter = Infinity;
    expect(await flushQueue(api)).toBe(1);
    expect(api.discounts).toEqual([
      { saleId: "sale-f-start", lineId: "L2", value: "0.50" },
      { saleId: "sale-f-start", lineId: null, value: "10" },
    ]);
  });

  it("finds kept products by barcode (UPC-A too) and SKU", async () => {
    await cacheCatalog([{ id: "p", sku: "TEA-1", name: "Tea", barcode: "0012345678905", taxClass: "REDUCED", unitPrice: { amount: "3.00", currency: "EUR" } }]);
    expect((await findCached("012345678905"))?.id).toBe("p");
    expect((await findCached("tea-1"))?.id).toBe("p");
    expect(await findCached("999")).toBeUndefined();
  });
});
