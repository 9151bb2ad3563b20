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
