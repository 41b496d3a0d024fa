import { defineConfig } from "vitest/config";

// Preact's JSX runtime without a plugin; everything is bundled, nothing is
// loaded from a CDN at run time.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    target: "safari15",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "jsdom",
  },
});
