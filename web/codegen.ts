// Types for every operation in src/, generated from the committed supergraph: a schema
// change that breaks an operation fails `npm run build` (codegen validates the documents,
// then tsc checks the code that uses their types).
//
// It also writes src/gql/persisted-documents.json (sha256 id -> document, __typename added
// as the normalised cache needs it): `npm run build` copies it to static/ as the app's
// trusted-document manifest, which `pos gateway --app` and `pos run` load, and the client
// sends each operation by that id (src/client/persisted.ts).
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";
import type { CodegenConfig } from "@graphql-codegen/cli";

declare const process: { env: Record<string, string | undefined> };

const config: CodegenConfig = {
  schema: process.env.POS_SUPERGRAPH ?? "../schema/supergraph.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      documentTransforms: [addTypenameSelectionDocumentTransform],
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
