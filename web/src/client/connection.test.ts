import { describe, expect, it } from "vitest";
import { onReconnect, setConnectionState } from "./connection";

describe("connection state", () => {
  it("announces a reconnect only after being offline", () => {
    let reconnects = 0;
    const stop = onReconnect(() => reconnects++);
    setConnectionState("online");
    expect(reconnects).toBe(0);
    setConnectionState("offline");
    setConnectionState("connecting");
    setConnectionState("online");
    expect(reconnects).toBe(1);
    setConnectionState("online");
    expect(reconnects).toBe(1);
    stop();
  });
});
