// ESLint with typescript-eslint. `vscode` may only be imported in src/extension/ (DESIGN.md layers).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layerRule = (message) => ["error", { paths: [{ name: "vscode", message }] }];

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", ".cache/**", "test-output/**", ".repotune/**", "**/*.min.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly", __dirname: "readonly", module: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", window: "readonly", document: "readonly" } },
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": layerRule("Only src/extension/ may import vscode (DESIGN.md)."),
    },
  },
  { files: ["src/extension/**", "test/e2e/suite/**"], rules: { "no-restricted-imports": "off" } },
  {
    files: ["src/core/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "core is pure TypeScript." }], patterns: [{ group: ["**/engine/**", "**/pipeline/**", "**/serve/**", "**/worker/**", "**/cli/**", "**/extension/**"], message: "core imports nothing above it (DESIGN.md layers)." }] }],
    },
  },
  {
    files: ["src/engine/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "engine never sees vscode." }], patterns: [{ group: ["**/pipeline/**", "**/serve/**", "**/worker/**", "**/cli/**", "**/extension/**"], message: "engine imports only core (DESIGN.md layers)." }] }] },
  },
  {
    files: ["src/serve/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "serve never sees vscode." }], patterns: [{ group: ["**/engine/**", "**/pipeline/**", "**/worker/**", "**/cli/**", "**/extension/**"], message: "serve imports only core (DESIGN.md layers)." }] }] },
  },
  {
    files: ["src/extension/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/engine/**", "**/pipeline/**", "**/serve/**"], message: "The extension host never loads tensors or native inference: talk to the worker processes (DESIGN.md)." }] }] },
  },
);
