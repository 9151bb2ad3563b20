// Types for every operation in src/, generated from the committed supergraph: a schema
// change that breaks an operation fails `npm run build` (codegen validates the documents,
// then tsc checks the code that uses their types).
import type { CodegenConfig } from "@graphql-codegen/cli";

declare const process: { env: Record<string, string | undefined> };

const config: CodegenConfig = {
  schema: process.env.POS_SUPERGRAPH ?? "../schema/supergraph.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        scalars: { Date: "string", DateTime: "string", ID: "string" },
      },
    },
  },
};

export default config;
