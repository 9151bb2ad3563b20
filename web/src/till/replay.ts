/** The offline queue's view of the graph: the sales commands as urql mutations, a network
 * failure as `Unreachable` (try again later), a refusal as an ordinary error. */
import type { Client } from "urql";
import { Unreachable, type SalesApi } from "../offline/queue";
import { CommandError, runCommand } from "./command";
import { AddLine, AddTender, ApplyDiscount, CompleteSale, StartSale } from "./operations";

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CommandError && e.network) throw new Unreachable(e.message);
    throw e;
  }
}

export function salesApi(client: Client): SalesApi {
  return {
    startSale: (commandId, registerId) =>
      guarded(async () => (await runCommand(client, StartSale, { commandId, registerId })).startSale.id),
    addLine: (commandId, saleId, productId, quantity) =>
      guarded(async () => {
        const lines = (await runCommand(client, AddLine, { commandId, saleId, productId, quantity })).addSaleLine.lines;
        const added = lines[lines.length - 1];
        if (!added) throw new Error("the graph answered a sale without the line just added");
        return added.id;
      }),
    applyDiscount: (commandId, saleId, discount, lineId, currency) =>
      guarded(async () => void (await runCommand(client, ApplyDiscount, {
        commandId, saleId, kind: discount.kind, reason: discount.reason, lineId,
        percent: discount.kind === "PERCENT" ? discount.value : null,
        amount: discount.kind === "AMOUNT" ? { amount: discount.value, currency } : null,
      }))),
    addTender: (commandId, saleId, kind, amount, reference) =>
      guarded(async () => void (await runCommand(client, AddTender, { commandId, saleId, kind, amount, reference: reference ?? null }))),
    complete: (commandId, saleId) =>
      guarded(async () => {
        const done = (await runCommand(client, CompleteSale, { commandId, saleId })).completeSale;
        return { receiptNumber: done.receipt.number, total: done.sale.total.amount };
      }),
  };
}
