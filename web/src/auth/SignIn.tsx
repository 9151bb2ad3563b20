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

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [result, signIn] = useMutation(SignInMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await signIn({ input: { username: username.trim(), password } });
    const session = answer.data?.signIn;
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
        <Field label={t("signIn.password")} name="password" type="password" value={password} required
          autoComplete="current-password" onChange={(e) => setPassword(e.target.value)} />
        <ErrorMessage error={result.error} />
        <button type="submit" disabled={result.fetching}>{t("signIn.submit")}</button>
      </form>
    </main>
  );
}
