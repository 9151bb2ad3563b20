/**
 * Running one till command: a fresh command id (the sales context's idempotency key, so
 * a retried click or a replay never applies twice), optionally with another member's
 * token (a supervisor approving), and the graph's refusal as an error the till can act
 * on (`code` FORBIDDEN + `reason` DISCOUNT_NEEDS_APPROVAL opens the approval prompt).
 */
import type { Client, TypedDocumentNode } from "urql";
import { ACCEPT } from "../client/client";
import { errorText } from "../shell/ui";

export class CommandError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly reason: string | undefined,
    readonly network: boolean,
  ) {
    super(message);
  }

  get needsApproval(): boolean {
    return this.code === "FORBIDDEN";
  }
}

export function commandId(): string {
  return crypto.randomUUID();
}

export async function runCommand<D, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<D, V>,
  variables: V,
  token?: string,
): Promise<D> {
  const context = token
    ? { fetchOptions: { headers: { accept: ACCEPT, Authorization: `Bearer ${token}` } } }
    : undefined;
  const result = await client.mutation(document, variables, context).toPromise();
  if (result.error || !result.data) {
    const first = result.error?.graphQLErrors[0];
    const ext = first?.extensions ?? {};
    throw new CommandError(
      result.error ? errorText(result.error) : "no answer",
      typeof ext.code === "string" ? ext.code : undefined,
      typeof ext.reason === "string" ? ext.reason : undefined,
      Boolean(result.error?.networkError),
    );
  }
  return result.data;
}

/** Who approves a refused command: the prompt's answer (null: cancelled). */
export type AskApproval = (message: string) => Promise<{ accessToken: string; release: () => void } | null>;

/**
 * Send a command; when the graph answers FORBIDDEN (past a threshold, or a scope the
 * member lacks), ask a supervisor and send it once more with their token, under a fresh
 * command id (the refused one wrote nothing). `upfront` skips the first try when the
 * member's token is known not to carry the scope. Null: the supervisor prompt was cancelled.
 */
export async function withApproval<D>(
  send: (id: string, token?: string) => Promise<D>,
  ask: AskApproval,
  explain: (message: string) => string,
  upfront?: string,
): Promise<D | null> {
  let message = upfront;
  if (message === undefined) {
    try {
      return await send(commandId());
    } catch (e) {
      if (!(e instanceof CommandError) || !e.needsApproval) throw e;
      message = e.message;
    }
  }
  const approver = await ask(explain(message));
  if (!approver) return null;
  try {
    return await send(commandId(), approver.accessToken);
  } finally {
    approver.release();
  }
}
