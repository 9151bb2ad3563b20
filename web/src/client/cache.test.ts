import { readFileSync } from "node:fs";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { STALE_AFTER } from "./cache";

declare const __dirname: string;

const schema = buildSchema(readFileSync(`${__dirname}/../../../schema/supergraph.graphql`, "utf8"));
const fields = (type: GraphQLObjectType | null | undefined) => Object.keys(type?.getFields() ?? {});

describe("cache invalidation table", () => {
  it("names real mutations and real query fields (a rename fails here, not silently)", () => {
    const mutations = fields(schema.getMutationType());
    const queries = fields(schema.getQueryType());
    for (const [mutation, stale] of Object.entries(STALE_AFTER)) {
      expect(mutations).toContain(mutation);
      for (const field of stale) expect(queries).toContain(field);
    }
  });
});
