// Builds the app into static/ (git-ignored, shipped in the wheel as package data); the
// gateway serves it at / (web/serving.py). Vitest runs the unit tests beside the code.
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/",
  build: {
    outDir: "static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
