/**
 * The app's frame: sign-in when nobody is signed in, else the header (role-aware menu,
 * connection state, who is signed in) and the screen the path names. A member only sees
 * the screens their scopes allow; opening another by its URL shows "Not available".
 */
import { useEffect, useMemo, useState, type ComponentType } from "react";
import { Provider, useMutation } from "urql";
import { allowed, homeFor, screenFor, visibleScreens } from "./auth/access";
import { SessionKeeper, SignOutMutation } from "./auth/SessionKeeper";
import { getSession, onSession, scopesOf, setSession, type Session } from "./auth/session";
import { SignIn } from "./auth/SignIn";
import { Categories } from "./backoffice/Categories";
import { Customers } from "./backoffice/Customers";
import { Orders } from "./backoffice/Orders";
import { Products } from "./backoffice/Products";
import { Staff } from "./backoffice/Staff";
import { Stock } from "./backoffice/Stock";
import { Stores } from "./backoffice/Stores";
import { makeClient } from "./client/client";
import { Dashboard } from "./dashboard/Dashboard";
import { t } from "./i18n/strings";
import { Reports } from "./reports/Reports";
import { ConnectionBadge } from "./shell/ConnectionBadge";
import { Forbidden } from "./shell/Forbidden";
import { navigate, usePath } from "./shell/router";
import { Till } from "./till/Till";

const SCREEN_COMPONENTS: Record<string, ComponentType> = {
  "/till": Till,
  "/dashboard": Dashboard,
  "/orders": Orders,
  "/customers": Customers,
  "/products": Products,
  "/categories": Categories,
  "/stock": Stock,
  "/stores": Stores,
  "/staff": Staff,
  "/reports": Reports,
};

function useSession(): Session | null {
  const [session, set] = useState(getSession());
  useEffect(() => onSession(set), []);
  return session;
}

export function App() {
  const session = useSession();
  const memberId = session?.staff.id ?? null;
  // one client (cache, WebSocket) per signed-in member: signing out drops both
  const app = useMemo(() => makeClient(), [memberId]);
  useEffect(() => () => app.dispose(), [app]);
  return (
    <Provider value={app.client}>
      {session ? <Signedin session={session} /> : <SignIn onSignedIn={() => navigate(homeFor(scopesOf(getSession())))} />}
    </Provider>
  );
}

function Signedin({ session }: { session: Session }) {
  const path = usePath();
  const scopes = scopesOf(session);
  const screens = visibleScreens(scopes);
  const [, signOut] = useMutation(SignOutMutation);
  const screen = screenFor(path);
  useEffect(() => {
    if (!screen) navigate(homeFor(scopes));
  }, [screen, scopes]);
  const Component = screen ? SCREEN_COMPONENTS[screen.path] : undefined;

  async function leave() {
    await signOut({ refreshToken: session.refreshToken });
    setSession(null);
    navigate("/");
  }

  return (
    <>
      <SessionKeeper session={session} />
      <a className="skip" href="#main">{t("app.skip")}</a>
      <header className="top">
        <span className="brand">{t("app.title")}</span>
        <nav aria-label={t("nav.label")}>
          <ul>
            {screens.map((s) => (
              <li key={s.path}>
                <a href={s.path} aria-current={screen?.path === s.path ? "page" : undefined}
                  onClick={(e) => { e.preventDefault(); navigate(s.path); }}>
                  {t(s.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionBadge />
        <span className="who">
          {t("nav.signedInAs", { name: session.staff.displayName, roles: session.staff.roles.join(", ").toLowerCase() })}
        </span>
        <button type="button" onClick={leave}>{t("nav.signOut")}</button>
      </header>
      <main id="main" tabIndex={-1}>
        {screen && Component ? (allowed(screen, scopes) ? <Component /> : <Forbidden />) : null}
      </main>
    </>
  );
}
