import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { t } from "../i18n/strings";
import { ErrorMessage, Field } from "../shell/ui";
import { setSession } from "./session";

export const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      accessToken
      refreshToken
      expiresAt
      staff { id username displayName roles }
    }
  }
`);

export const PinSignIn = graphql(`
  mutation SignInWithPin($input: SignInWithPinInput!) {
    signInWithPin(input: $input) {
      accessToken
      refreshToken
      expiresAt
      staff { id username displayName roles }
    }
  }
`);

/** The register this device is (chosen at the till): there a PIN is enough. */
function deviceRegister(): { id: string; label: string } | null {
  try {
    const kept = JSON.parse(localStorage.getItem("pos.till.register") ?? "null") as
      | { registerId: string; store: { code: string; registers: { id: string; code: string }[] } }
      | null;
    const register = kept?.store.registers.find((r) => r.id === kept.registerId);
    return kept && register ? { id: register.id, label: `${kept.store.code} ${register.code}` } : null;
  } catch {
    return null;
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const register = deviceRegister();
  const [withPin, setWithPin] = useState(register !== null);
  const [result, signIn] = useMutation(SignInMutation);
  const [pinResult, signInPin] = useMutation(PinSignIn);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const session = withPin && register
      ? (await signInPin({ input: { username: username.trim(), pin: password, registerId: register.id } })).data?.signInWithPin
      : (await signIn({ input: { username: username.trim(), password } })).data?.signIn;
    if (session) {
      setSession(session);
      onSignedIn();
    }
  }

  return (
    <main id="main" className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" className="card">
        <h1 id="sign-in-title">{t("signIn.title")}</h1>
        <p>{t("signIn.hint")}</p>
        <Field label={t("signIn.username")} name="username" value={username} autoFocus required
          autoComplete="username" onChange={(e) => setUsername(e.target.value)} />
        <Field label={withPin && register ? t("signIn.pin") : t("signIn.password")} name="password" type="password" value={password} required
          inputMode={withPin && register ? "numeric" : undefined}
          autoComplete={withPin && register ? "off" : "current-password"} onChange={(e) => setPassword(e.target.value)} />
        <ErrorMessage error={withPin ? pinResult.error : result.error} />
        <button type="submit" disabled={result.fetching || pinResult.fetching}>{t("signIn.submit")}</button>
        {register ? (
          <button type="button" className="link" onClick={() => { setWithPin(!withPin); setPassword(""); }}>
            {withPin ? t("signIn.withPassword") : t("signIn.withPin", { register: register.label })}
          </button>
        ) : null}
      </form>
    </main>
  );
}
