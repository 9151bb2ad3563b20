import { describe, expect, it } from "vitest";
import { formatDocument } from "urql";
import { documentIdOf } from "./persisted";
import { TillStores as Probe } from "../till/operations";

describe("operations by their trusted-document id", () => {
  it("every generated document carries its sha256 id, also in the cache's formatted copy", () => {
    const id = documentIdOf({ query: Probe });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(documentIdOf({ query: formatDocument(Probe) })).toBe(id);
  });
});
