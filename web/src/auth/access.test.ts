import { describe, expect, it } from "vitest";
import { homeFor, screenFor, tokenScopes, visibleScreens } from "./access";

function token(claims: object): string {
  const body = btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `eyJhbGciOiJFZERTQSJ9.${body}.sig`;
}

const CASHIER = "sales:write customers:read customers:write orders:read orders:write stock:read";
const MANAGER = `${CASHIER} discounts:approve sales:void refunds:write stock:receive stock:adjust catalog:write prices:write reports:read staff:read stores:manage`;

describe("screens by scope", () => {
  it("reads the scope claim", () => {
    expect([...tokenScopes(token({ scope: "a b" }))]).toEqual(["a", "b"]);
    expect(tokenScopes("garbage").size).toBe(0);
  });
  it("hides manager screens from a cashier", () => {
    const paths = visibleScreens(tokenScopes(token({ scope: CASHIER }))).map((s) => s.path);
    expect(paths).toContain("/till");
    expect(paths).not.toContain("/reports");
    expect(paths).not.toContain("/products");
    expect(paths).not.toContain("/staff");
  });
  it("shows a manager everything", () => {
    const scopes = tokenScopes(token({ scope: MANAGER }));
    expect(visibleScreens(scopes).map((s) => s.path)).toContain("/staff");
    expect(homeFor(scopes)).toBe("/dashboard");
    expect(homeFor(tokenScopes(token({ scope: CASHIER })))).toBe("/till");
  });
  it("finds the screen of a nested path", () => {
    expect(screenFor("/orders/abc")?.path).toBe("/orders");
    expect(screenFor("/nowhere")).toBeUndefined();
  });
});
