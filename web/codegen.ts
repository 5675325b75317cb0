import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the API's SDL snapshot and the documents the app uses:
// an API change that breaks a document breaks `npm run build`.
const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["../schema/operations/*.graphql"],
  generates: {
    "src/gql/": {
      preset: "client",
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { JSON: "unknown" } },
      presetConfig: { fragmentMasking: false },
    },
  },
  ignoreNoDocuments: false,
};
export default config;
