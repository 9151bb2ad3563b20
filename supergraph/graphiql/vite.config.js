// Builds a self-contained GraphiQL page into static/. Assets are addressed under
// /graphiql/ (the gateway serves STATIC_DIR there), including Monaco's web workers.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/graphiql/",
  build: {
    outDir: "static",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    rolldownOptions: {
      // React libraries' "use client" directives mean nothing in a plain bundle.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  worker: { format: "es" },
});
