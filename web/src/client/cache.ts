/**
 * The normalised cache: entities by __typename and id, value types (Money, addresses,
 * report rows) embedded in their parents, and which cached lists a mutation makes stale
 * (they are refetched, never patched by guesswork: the server has the last word).
 */
import { cacheExchange, type Cache, type CacheExchangeOpts } from "@urql/exchange-graphcache";

const EMBEDDED = [
  "Money", "Address", "ShippingAddress", "StoreAddress", "OrderLine", "Payment", "RejectionReason",
  "PageInfo", "Session", "RoundingPolicy", "TaxRate", "SalesFigures", "DailySales", "TopProduct",
  "TopCustomer", "StockValuation", "StockValuationLine", "LocationStockValuation", "StoreSales",
  "TenderMix", "TenderTotal", "TenderAmount", "TenderOverShort", "TaxCollected", "ShiftOverShort",
  "DiscountsGiven", "ReturnsSummary", "StockCountLine", "TransferLine",
  "ProductConnection", "ProductEdge", "CustomerConnection", "CustomerEdge", "OrderConnection",
  "OrderEdge", "StaffMemberConnection", "StaffMemberEdge", "StoreConnection", "StoreEdge",
  "StockItemConnection", "StockItemEdge",
  // sales: line, tender and discount ids (L1, T1, D1) are unique only within their sale
  "SaleLine", "SaleDiscount", "SaleTender", "SaleBalance", "TaxSummaryLine", "SaleCompletion",
  "Receipt", "ShiftReport", "TenderBalance", "DenominationCount", "ReturnedLine", "TenderRefund",
  "SaleConnection", "SaleEdge", "ShiftConnection", "ShiftEdge",
] as const;

/** Query fields each mutation makes stale. */
export const STALE_AFTER: Record<string, readonly string[]> = {
  createCategory: ["categories"],
  addProduct: ["products", "lowStock"],
  deactivateProduct: ["products"],
  activateProduct: ["products"],
  registerCustomer: ["customers"],
  receiveStock: ["lowStock", "stockValuation", "stockValuationByStore"],
  adjustStock: ["lowStock"],
  sendTransfer: ["lowStock"],
  receiveTransfer: ["lowStock"],
  recordStockCount: ["lowStock"],
  placeOrder: ["orders", "dailySales"],
  payOrder: ["orders", "dailySales", "topProducts"],
  shipOrder: ["orders"],
  cancelOrder: ["orders"],
  hireStaff: ["staffMembers"],
  deactivateStaff: ["staffMembers"],
  openStore: ["stores"],
  addRegister: ["stores"],
  openShift: ["openShift"],
  closeShift: ["openShift", "shifts", "shiftOverShort"],
  startSale: ["openShift"],
  parkSale: ["parkedSales", "openShift"],
  resumeSale: ["parkedSales"],
  voidSale: ["openShift"],
  completeSale: ["openShift", "sales", "storeSales", "tenderMix", "taxesCollected", "topProductsAtStore"],
  returnSale: ["sales", "storeSales", "saleByReceipt"],
  returnWithoutReceipt: ["openShift", "storeSales", "lowStock"],
  recordCashMovement: ["openShift", "shifts"],
  takeXReport: ["shifts"],
  redeemPromotion: ["promotion", "promotions"],
};

export function invalidateFields(cache: Cache, fields: readonly string[]): void {
  for (const field of cache.inspectFields("Query")) {
    if (fields.includes(field.fieldName)) cache.invalidate("Query", field.fieldName, field.arguments);
  }
}

export function cacheOptions(extraStale: Record<string, readonly string[]> = {}): CacheExchangeOpts {
  const keys: NonNullable<CacheExchangeOpts["keys"]> = {
    StockItem: (data) => `${String(data.productId)}:${String(data.warehouse)}`,
  };
  for (const name of EMBEDDED) keys[name] = () => null;
  const stale = { ...STALE_AFTER, ...extraStale };
  const mutation: Record<string, (r: unknown, a: unknown, cache: Cache) => void> = {};
  for (const [name, fields] of Object.entries(stale)) {
    mutation[name] = (_result, _args, cache) => invalidateFields(cache, fields);
  }
  return { keys, updates: { Mutation: mutation } };
}

export function makeCacheExchange(extraStale: Record<string, readonly string[]> = {}) {
  return cacheExchange(cacheOptions(extraStale));
}
