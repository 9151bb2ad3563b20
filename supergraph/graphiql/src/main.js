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

const config = readConfig();
const fetcher = createGraphiQLFetcher({
  url: config.endpoint,
  wsClient: createClient({ url: config.subscriptions, lazy: true, retryAttempts: 5 }),
});

const props = { fetcher };
if (config.defaultQuery) props.defaultQuery = config.defaultQuery;

createRoot(document.getElementById("graphiql")).render(
  createElement(StrictMode, null, createElement(GraphiQL, props)),
);
