/** Keeps the session alive: trades the refresh token for a new session a minute before
 * the access token expires; a refused refresh signs the member out. */
import { useEffect } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { getSession, refreshDelay, setSession, type Session } from "./session";

const Refresh = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresAt
      staff { id username displayName roles }
    }
  }
`);

export function SessionKeeper({ session }: { session: Session }) {
  const [, refresh] = useMutation(Refresh);
  useEffect(() => {
    const timer = setTimeout(async () => {
      const current = getSession();
      if (!current) return;
      const answer = await refresh({ refreshToken: current.refreshToken });
      if (answer.data?.refreshSession) setSession(answer.data.refreshSession);
      else if (answer.error && !answer.error.networkError) setSession(null);
    }, refreshDelay(session));
    return () => clearTimeout(timer);
  }, [session, refresh]);
  return null;
}

export const SignOutMutation = graphql(`
  mutation SignOut($refreshToken: String!) { signOut(refreshToken: $refreshToken) }
`);
