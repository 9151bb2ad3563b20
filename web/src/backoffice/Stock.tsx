/**
 * Stock: receive deliveries, send and receive transfers between locations, record shelf
 * counts, and the low-stock list, which follows every change live (stockLevelChanged).
 */
import { useCallback, useState, type FormEvent } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import { formatNumber } from "../format";
import { t } from "../i18n/strings";
import { useCatchUp, useScopes } from "../shell/hooks";
import { ErrorMessage, Field, Section, Status } from "../shell/ui";
import { LocationPicker, ProductPicker } from "./pickers";

const LowStock = graphql(`
  query LowStock($locationId: ID) {
    lowStock(threshold: 5, locationId: $locationId, first: 25) {
      nodes { productId warehouse onHand reserved available needsCount version product { id sku name } }
    }
  }
`);
const StockLive = graphql(`
  subscription StockLive { stockLevelChanged { productId warehouse onHand reserved available needsCount version } }
`);
const ReceiveStock = graphql(`
  mutation ReceiveStock($input: ReceiveStockInput!) { receiveStock(input: $input) { productId warehouse onHand available product { id name } } }
`);
const SendTransfer = graphql(`
  mutation SendTransfer($from: ID!, $to: ID!, $lines: [StockLineInput!]!) { sendTransfer(from: $from, to: $to, lines: $lines) { id status } }
`);
const ReceiveTransfer = graphql(`
  mutation ReceiveTransfer($transferId: ID!, $receivedLines: [StockLineInput!]!) {
    receiveTransfer(transferId: $transferId, receivedLines: $receivedLines) { id status lines { productId sent received difference } }
  }
`);
const RecordCount = graphql(`
  mutation RecordStockCount($locationId: ID!, $lines: [CountedLineInput!]!) {
    recordStockCount(locationId: $locationId, lines: $lines) { id lines { productId expected counted variance } }
  }
`);

export function Stock() {
  const [location, setLocation] = useState("MAIN");
  const [{ data, error }, refetch] = useQuery({ query: LowStock, variables: { locationId: location } });
  useSubscription({ query: StockLive });
  useCatchUp(useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]));
  const scopes = useScopes();
  return (
    <>
      <h1>{t("stock.title")}</h1>
      <div className="columns">
        {scopes.has("stock:receive") ? <Receive /> : null}
        {scopes.has("stock:receive") ? <Transfer /> : null}
        {scopes.has("stock:adjust") ? <Count /> : null}
      </div>
      <Section title={t("stock.low")}>
        <LocationPicker label={t("stock.location")} name="low-location" value={location} onChange={setLocation} />
        <ErrorMessage error={error} />
        <table>
          <thead><tr>
            <th scope="col">{t("products.sku")}</th><th scope="col">{t("stock.product")}</th>
            <th scope="col">{t("stock.onHand")}</th><th scope="col">{t("stock.reserved")}</th>
            <th scope="col">{t("products.available")}</th><th scope="col">{t("stock.needsCount")}</th>
          </tr></thead>
          <tbody>
            {data?.lowStock.nodes.map((s) => (
              <tr key={`${s.productId}:${s.warehouse}`}>
                <td>{s.product.sku}</td><td>{s.product.name}</td><td className="num">{formatNumber(s.onHand)}</td>
                <td className="num">{formatNumber(s.reserved)}</td><td className="num">{formatNumber(s.available)}</td>
                <td>{s.needsCount ? t("common.yes") : t("common.no")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function Receive() {
  const [productId, setProductId] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [receipt, setReceipt] = useState("");
  const [location, setLocation] = useState("MAIN");
  const [result, receive] = useMutation(ReceiveStock);
  const [done, setDone] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await receive({ input: { productId, quantity: Number(quantity), receipt: receipt.trim(), locationId: location } });
    const item = answer.data?.receiveStock;
    setDone(item ? t("stock.received", { quantity, name: item.product.name }) : "");
  }
  return (
    <Section title={t("stock.receive")}>
      <form onSubmit={submit}>
        <ProductPicker value={productId} onChange={setProductId} />
        <Field label={t("stock.quantity")} name="quantity" type="number" min="1" value={quantity} required onChange={(e) => setQuantity(e.target.value)} />
        <Field label={t("stock.receipt")} name="receipt" value={receipt} required onChange={(e) => setReceipt(e.target.value)} />
        <LocationPicker label={t("stock.location")} name="receive-location" value={location} onChange={setLocation} />
        <button type="submit" disabled={result.fetching}>{t("stock.receive")}</button>
      </form>
      <ErrorMessage error={result.error} />
      <Status>{done}</Status>
    </Section>
  );
}

function Transfer() {
  const [productId, setProductId] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [from, setFrom] = useState("MAIN");
  const [to, setTo] = useState("");
  const [transferId, setTransferId] = useState("");
  const [received, setReceived] = useState("");
  const [sent, send] = useMutation(SendTransfer);
  const [got, receive] = useMutation(ReceiveTransfer);
  const [done, setDone] = useState("");
  return (
    <Section title={t("stock.transfer")}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const answer = await send({ from, to, lines: [{ productId, quantity: Number(quantity) }] });
        if (answer.data) {
          setTransferId(answer.data.sendTransfer.id);
          setDone(t("stock.transferSent", { id: answer.data.sendTransfer.id }));
        }
      }}>
        <ProductPicker value={productId} onChange={setProductId} />
        <Field label={t("stock.quantity")} name="transfer-quantity" type="number" min="1" value={quantity} required onChange={(e) => setQuantity(e.target.value)} />
        <LocationPicker label={t("stock.transferFrom")} name="from" value={from} onChange={setFrom} />
        <LocationPicker label={t("stock.transferTo")} name="to" value={to} onChange={setTo} />
        <button type="submit" disabled={sent.fetching}>{t("stock.transfer")}</button>
      </form>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const answer = await receive({ transferId: transferId.trim(), receivedLines: [{ productId, quantity: Number(received || quantity) }] });
        if (answer.data) setDone(answer.data.receiveTransfer.status);
      }}>
        <Field label={t("stock.transferId")} name="transfer-id" value={transferId} required onChange={(e) => setTransferId(e.target.value)} />
        <Field label={t("stock.counted")} name="transfer-received" type="number" min="0" value={received} onChange={(e) => setReceived(e.target.value)} />
        <button type="submit" disabled={got.fetching}>{t("stock.receiveTransfer")}</button>
      </form>
      <ErrorMessage error={sent.error} />
      <ErrorMessage error={got.error} />
      <Status>{done}</Status>
    </Section>
  );
}

function Count() {
  const [productId, setProductId] = useState("");
  const [counted, setCounted] = useState("0");
  const [location, setLocation] = useState("MAIN");
  const [result, record] = useMutation(RecordCount);
  const [done, setDone] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await record({ locationId: location, lines: [{ productId, counted: Number(counted) }] });
    const line = answer.data?.recordStockCount.lines[0];
    setDone(line ? t("stock.countRecorded", { variance: line.variance }) : "");
  }
  return (
    <Section title={t("stock.count")}>
      <form onSubmit={submit}>
        <ProductPicker value={productId} onChange={setProductId} />
        <Field label={t("stock.counted")} name="counted" type="number" min="0" value={counted} required onChange={(e) => setCounted(e.target.value)} />
        <LocationPicker label={t("stock.location")} name="count-location" value={location} onChange={setLocation} />
        <button type="submit" disabled={result.fetching}>{t("stock.count")}</button>
      </form>
      <ErrorMessage error={result.error} />
      <Status>{done}</Status>
    </Section>
  );
}
