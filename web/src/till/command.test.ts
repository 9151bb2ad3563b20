import { describe, expect, it } from "vitest";
import { CommandError, withApproval } from "./command";

const forbidden = () => new CommandError("a supervisor must approve it", "FORBIDDEN", "DISCOUNT_NEEDS_APPROVAL", false);

describe("a refused command goes once more with a supervisor's token", () => {
  it("asks on FORBIDDEN, resends under a fresh command id with the token, then releases it", async () => {
    const sent: [string, string | undefined][] = [];
    let released = 0;
    const answer = await withApproval(
      async (id, token) => {
        sent.push([id, token]);
        if (!token) throw forbidden();
        return "applied";
      },
      async (message) => (message.includes("supervisor") ? { accessToken: "sup", release: () => { released += 1; } } : null),
      (m) => `needs approval: ${m}`,
    );
    expect(answer).toBe("applied");
    expect(sent.map(([, token]) => token)).toEqual([undefined, "sup"]);
    expect(sent[0]?.[0]).not.toBe(sent[1]?.[0]);
    expect(released).toBe(1);
  });
  it("asks first when the member's scopes cannot send it, and a cancelled prompt sends nothing", async () => {
    const tokens: (string | undefined)[] = [];
    const none = await withApproval(async (_id, token) => { tokens.push(token); return 1; }, async () => null, (m) => m, "no scope");
    expect(none).toBeNull();
    expect(tokens).toEqual([]);
  });
  it("passes other refusals through, and releases the token when the resend fails", async () => {
    await expect(withApproval(async () => { throw new CommandError("bad", "BAD_USER_INPUT", "X", false); }, async () => null, (m) => m))
      .rejects.toThrow("bad");
    let released = false;
    await expect(withApproval(
      async (_id, token) => { throw token ? new CommandError("still no", "CONFLICT", "X", false) : forbidden(); },
      async () => ({ accessToken: "sup", release: () => { released = true; } }),
      (m) => m,
    )).rejects.toThrow("still no");
    expect(released).toBe(true);
  });
});
