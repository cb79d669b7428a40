// ESLint for the client: the recommended JavaScript and typescript-eslint rules, the
// latter with type information. Formatting is Prettier's business, not ESLint's.

import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  // Build output, and the types generated from crates/protocol by its `typescript` test.
  { ignores: ["dist/", "coverage/", "src/generated/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.browser,
    },
    rules: {
      // The async event handlers here catch their own errors, and the DOM ignores what a
      // listener returns; promises left floating elsewhere are still reported.
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, properties: false } },
      ],
    },
  },
  {
    // The browser tests and this file run under Node.js.
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
