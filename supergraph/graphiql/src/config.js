// Where the page sends queries and subscriptions. In order of precedence: the page URL
// (?endpoint=...&subscriptions=...), the JSON config the server injects into
// <script id="pos-graphiql-config">, then same-origin /graphql over HTTP and WebSocket.

function injected() {
  const element = document.getElementById("pos-graphiql-config");
  if (!element) return {};
  try {
    return JSON.parse(element.textContent || "{}");
  } catch {
    return {};
  }
}

function absolute(url, protocols) {
  const resolved = new URL(url, window.location.href);
  if (protocols) resolved.protocol = protocols[resolved.protocol] || resolved.protocol;
  return resolved.toString();
}

const toWebSocket = { "http:": "ws:", "https:": "wss:" };

export function readConfig() {
  const fromServer = injected();
  const query = new URLSearchParams(window.location.search);
  const endpoint = absolute(query.get("endpoint") || fromServer.endpoint || "/graphql");
  const subscriptions = absolute(
    query.get("subscriptions") || fromServer.subscriptions || endpoint,
    toWebSocket,
  );
  return { endpoint, subscriptions, defaultQuery: fromServer.defaultQuery };
}
