// The POS GraphiQL page: queries and mutations over HTTP (GraphQL-over-HTTP), live
// subscriptions over WebSocket (graphql-transport-ws). Everything, Monaco's workers
// included, is bundled by Vite: nothing is fetched from a CDN at run time.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createClient } from "graphql-ws";
import { createElement, StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { readConfig } from "./config.js";

// Browsers cannot set headers on a WebSocket: the headers typed into GraphiQL's Headers
// tab (Authorization: Bearer ...) go in the connection_init payload, read each time the
// lazy client connects (it disconnects when no subscription is running).
function editorHeaders() {
  try {
    const parsed = JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

const config = readConfig();
const fetcher = createGraphiQLFetcher({
  url: config.endpoint,
  wsClient: createClient({
    url: config.subscriptions,
    lazy: true,
    retryAttempts: 5,
    connectionParams: editorHeaders,
  }),
});

const props = { fetcher };
if (config.defaultQuery) props.defaultQuery = config.defaultQuery;

createRoot(document.getElementById("graphiql")).render(
  createElement(StrictMode, null, createElement(GraphiQL, props)),
);
