/** The till's GraphQL operations (typed by codegen against the supergraph). */
import { graphql } from "../gql";

graphql(`
  fragment SaleView on Sale {
    id status currency receiptNumber shiftId
    customer { id name }
    lines {
      id sku name quantity ratePercent returnedQuantity
      product { id }
      unitPrice { amount currency } lineDiscount { amount currency } gross { amount currency }
    }
    discounts { id lineId kind percent amount { amount currency } reason promotionCode taken { amount currency } approvedBy { id displayName } }
    subtotal { amount currency } discountTotal { amount currency } taxTotal { amount currency } total { amount currency }
    tenders { id kind amount { amount currency } reference }
    balance {
      total { amount currency } tendered { amount currency } cashRounding { amount currency }
      due { amount currency } remaining { amount currency } change { amount currency } settled
    }
  }
`);

graphql(`
  fragment ShiftReportView on ShiftReport {
    kind shiftId takenAt sales refunds voids
    openingFloat { amount currency } cashTendered { amount currency } changeGiven { amount currency }
    cardSales { amount currency } cashRefunds { amount currency } cardRefunds { amount currency }
    payIns { amount currency } payOuts { amount currency } drops { amount currency }
    countedCash { amount currency } countedDenominations { value count }
    tenders { kind expected { amount currency } counted { amount currency } overShort { amount currency } }
  }
`);

export const TillStores = graphql(`
  query TillStores {
    stores(first: 50, active: true) {
      nodes {
        id code name currency pricingMode discountApprovalThresholdPercent
        rounding { level mode }
        cashRoundingIncrement { amount currency }
        taxRates { taxClass ratePercent }
        registers(active: true) { id code name }
      }
    }
  }
`);

export const OpenShiftQuery = graphql(`
  query TillOpenShift($registerId: ID!) {
    openShift(registerId: $registerId) {
      id status currency openedAt openSaleIds
      openingFloat { amount currency } expectedCash { amount currency }
    }
    parkedSales(registerId: $registerId) { id total { amount currency } lines { id } }
  }
`);

export const OpenShift = graphql(`
  mutation TillOpenShiftCommand($commandId: ID!, $registerId: ID!, $openingFloat: CashCountInput!) {
    openShift(commandId: $commandId, registerId: $registerId, openingFloat: $openingFloat) {
      id status currency openedAt openSaleIds openingFloat { amount currency } expectedCash { amount currency }
    }
  }
`);

export const CloseShift = graphql(`
  mutation TillCloseShift($commandId: ID!, $shiftId: ID!, $countedCash: CashCountInput!, $countedCard: MoneyInput) {
    closeShift(commandId: $commandId, shiftId: $shiftId, countedCash: $countedCash, countedCard: $countedCard) { ...ShiftReportView }
  }
`);

export const SaleQuery = graphql(`query TillSale($id: ID!) { sale(id: $id) { ...SaleView } }`);

export const StartSale = graphql(`
  mutation TillStartSale($commandId: ID!, $registerId: ID!) { startSale(commandId: $commandId, registerId: $registerId) { ...SaleView } }
`);
export const AddLine = graphql(`
  mutation TillAddLine($commandId: ID!, $saleId: ID!, $productId: ID, $sku: String, $barcode: String, $quantity: Int! = 1) {
    addSaleLine(commandId: $commandId, saleId: $saleId, productId: $productId, sku: $sku, barcode: $barcode, quantity: $quantity) { ...SaleView }
  }
`);
export const ChangeQuantity = graphql(`
  mutation TillChangeQuantity($commandId: ID!, $saleId: ID!, $lineId: ID!, $quantity: Int!) {
    changeLineQuantity(commandId: $commandId, saleId: $saleId, lineId: $lineId, quantity: $quantity) { ...SaleView }
  }
`);
export const RemoveLine = graphql(`
  mutation TillRemoveLine($commandId: ID!, $saleId: ID!, $lineId: ID!) {
    removeSaleLine(commandId: $commandId, saleId: $saleId, lineId: $lineId) { ...SaleView }
  }
`);
export const ApplyDiscount = graphql(`
  mutation TillApplyDiscount($commandId: ID!, $saleId: ID!, $kind: DiscountType!, $reason: String!, $lineId: ID, $percent: String, $amount: MoneyInput) {
    applyDiscount(commandId: $commandId, saleId: $saleId, kind: $kind, reason: $reason, lineId: $lineId, percent: $percent, amount: $amount) { ...SaleView }
  }
`);
export const RedeemPromotion = graphql(`
  mutation TillRedeemPromotion($commandId: ID!, $saleId: ID!, $code: String!, $lineId: ID) {
    redeemPromotion(commandId: $commandId, saleId: $saleId, code: $code, lineId: $lineId) { ...SaleView }
  }
`);
export const RecordCashMovement = graphql(`
  mutation TillCashMovement($commandId: ID!, $shiftId: ID!, $kind: CashMovementKind!, $amount: MoneyInput!, $reason: String!) {
    recordCashMovement(commandId: $commandId, shiftId: $shiftId, kind: $kind, amount: $amount, reason: $reason) {
      id expectedCash { amount currency }
    }
  }
`);
export const TakeXReport = graphql(`
  mutation TillXReport($commandId: ID!, $shiftId: ID!) { takeXReport(commandId: $commandId, shiftId: $shiftId) { ...ShiftReportView } }
`);
export const ReturnWithoutReceipt = graphql(`
  mutation TillReturnWithoutReceipt($commandId: ID!, $registerId: ID!, $items: [UnreceiptedItemInput!]!, $reason: String!) {
    returnWithoutReceipt(commandId: $commandId, registerId: $registerId, items: $items, reason: $reason) {
      id refunded { amount currency } refunds { kind amount { amount currency } } approvedBy { id displayName }
    }
  }
`);
export const AttachCustomer = graphql(`
  mutation TillAttachCustomer($commandId: ID!, $saleId: ID!, $customerId: ID!) {
    attachCustomer(commandId: $commandId, saleId: $saleId, customerId: $customerId) { ...SaleView }
  }
`);
export const DetachCustomer = graphql(`
  mutation TillDetachCustomer($commandId: ID!, $saleId: ID!) { detachCustomer(commandId: $commandId, saleId: $saleId) { ...SaleView } }
`);
export const ParkSale = graphql(`
  mutation TillParkSale($commandId: ID!, $saleId: ID!) { parkSale(commandId: $commandId, saleId: $saleId) { ...SaleView } }
`);
export const ResumeSale = graphql(`
  mutation TillResumeSale($commandId: ID!, $saleId: ID!) { resumeSale(commandId: $commandId, saleId: $saleId) { ...SaleView } }
`);
export const VoidSale = graphql(`
  mutation TillVoidSale($commandId: ID!, $saleId: ID!, $reason: String!) { voidSale(commandId: $commandId, saleId: $saleId, reason: $reason) { ...SaleView } }
`);
export const AddTender = graphql(`
  mutation TillAddTender($commandId: ID!, $saleId: ID!, $kind: TenderKind!, $amount: MoneyInput!, $reference: String) {
    addTender(commandId: $commandId, saleId: $saleId, kind: $kind, amount: $amount, reference: $reference) { ...SaleView }
  }
`);
export const CompleteSale = graphql(`
  mutation TillCompleteSale($commandId: ID!, $saleId: ID!) {
    completeSale(commandId: $commandId, saleId: $saleId) { sale { ...SaleView } receipt { number text copy } }
  }
`);
export const ReceiptByNumber = graphql(`
  query TillReceiptSale($number: String!) {
    saleByReceipt(number: $number) { id receiptNumber currency lines { id sku name quantity returnedQuantity gross { amount currency } } }
  }
`);
export const ReturnSale = graphql(`
  mutation TillReturnSale($commandId: ID!, $registerId: ID!, $lines: [ReturnLineInput!]!, $reason: String!, $receiptNumber: String, $refundMethod: RefundMethod!) {
    returnSale(commandId: $commandId, registerId: $registerId, lines: $lines, reason: $reason, receiptNumber: $receiptNumber, refundMethod: $refundMethod) {
      id receiptNumber refunded { amount currency } refunds { kind amount { amount currency } }
    }
  }
`);
export const SignInWithPin = graphql(`
  mutation TillSupervisorPin($input: SignInWithPinInput!) {
    signInWithPin(input: $input) { accessToken refreshToken staff { id displayName roles } }
  }
`);
export const SupervisorSignOut = graphql(`mutation TillSupervisorSignOut($refreshToken: String!) { signOut(refreshToken: $refreshToken) }`);
export const FindCustomers = graphql(`
  query TillCustomers($search: String) { customers(first: 8, search: $search) { nodes { id name email } } }
`);
export const SearchProducts = graphql(`
  query TillSearch($search: String!) { products(first: 8, search: $search, active: true) { nodes { id sku name barcode unitPrice { amount currency } } } }
`);
export const CatalogPage = graphql(`
  query TillCatalog($after: String) {
    products(first: 100, after: $after, active: true) {
      pageInfo { hasNextPage endCursor }
      nodes { id sku name barcode taxClass unitPrice { amount currency } }
    }
  }
`);
