/**
 * What a signed-in member may see, from the scopes in their access token (the same claim
 * the gateway enforces @requiresScopes with). The app only hides what the gateway would
 * refuse anyway: the gateway stays the authority.
 */

export type Scope =
  | "sales:write"
  | "customers:read"
  | "customers:write"
  | "orders:read"
  | "orders:write"
  | "stock:read"
  | "discounts:approve"
  | "sales:void"
  | "refunds:write"
  | "stock:receive"
  | "stock:adjust"
  | "catalog:write"
  | "prices:write"
  | "reports:read"
  | "staff:read"
  | "stores:manage"
  | "staff:manage";

/** The JWT's payload claims (not verified here: the gateway verifies every request). */
export function tokenClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) return {};
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  try {
    const json = decodeURIComponent(
      Array.from(atob(padded), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function tokenScopes(token: string): Set<string> {
  const scope = tokenClaims(token).scope;
  return new Set(typeof scope === "string" ? scope.split(" ").filter(Boolean) : []);
}

/** A screen of the app and the scope it needs (null: any signed-in member). */
export interface Screen {
  path: string;
  label:
    | "nav.till"
    | "nav.dashboard"
    | "nav.products"
    | "nav.categories"
    | "nav.customers"
    | "nav.stores"
    | "nav.stock"
    | "nav.orders"
    | "nav.staff"
    | "nav.reports";
  needs: Scope | null;
}

export const SCREENS: readonly Screen[] = [
  { path: "/till", label: "nav.till", needs: "sales:write" },
  { path: "/dashboard", label: "nav.dashboard", needs: "reports:read" },
  { path: "/orders", label: "nav.orders", needs: "orders:read" },
  { path: "/customers", label: "nav.customers", needs: "customers:read" },
  { path: "/products", label: "nav.products", needs: "catalog:write" },
  { path: "/categories", label: "nav.categories", needs: "catalog:write" },
  { path: "/stock", label: "nav.stock", needs: "stock:read" },
  { path: "/stores", label: "nav.stores", needs: "stores:manage" },
  { path: "/staff", label: "nav.staff", needs: "staff:read" },
  { path: "/reports", label: "nav.reports", needs: "reports:read" },
];

export function allowed(screen: Screen, scopes: ReadonlySet<string>): boolean {
  return screen.needs === null || scopes.has(screen.needs);
}

/** The screens a member sees, in menu order. */
export function visibleScreens(scopes: ReadonlySet<string>): Screen[] {
  return SCREENS.filter((s) => allowed(s, scopes));
}

/** Where a member lands after signing in: managers on the dashboard, cashiers at the till. */
export function homeFor(scopes: ReadonlySet<string>): string {
  if (scopes.has("reports:read")) return "/dashboard";
  if (scopes.has("sales:write")) return "/till";
  return visibleScreens(scopes)[0]?.path ?? "/";
}

export function screenFor(path: string): Screen | undefined {
  return SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
}
