import tseslint from "typescript-eslint";
import importX, { createNodeResolver } from "eslint-plugin-import-x";

// The walls between the parts (README, "Architecture"): a zone's files may not import from `from`.
// Type-only imports count too. `loadtest/` and `test/` may import the product; nothing else imports them.
const compositionRoot = ["./main.ts", "./services.ts", "./moleculer.config.ts", "./node.ts"];
const everythingBut = (...kept) =>
  [
    "./actors",
    "./catalog",
    "./gateway",
    "./indexer",
    "./platform",
    "./loadtest",
    "./test",
    ...compositionRoot,
  ].filter((part) => !kept.includes(part));
export const walls = [
  {
    target: "./domain",
    from: everythingBut(),
    message: "domain/ is pure: it imports nothing but domain/.",
  },
  {
    target: "./actors",
    from: ["./gateway"],
    message: "actors/ never imports gateway/ (shared request types live in domain/).",
  },
  { target: "./indexer", from: ["./actors"], message: "indexer/ never imports actors/." },
  {
    target: ["./actors", "./catalog", "./domain", "./gateway", "./indexer", "./platform", ...compositionRoot],
    from: ["./loadtest", "./test"],
    message: "The product never imports loadtest/ or test/.",
  },
  { target: "./platform", from: compositionRoot, message: "platform/ never imports the composition root." },
];

// Files exempt from the size limits: each entry is a debt, and the list may only shrink
// (test/unit/lint/walls.test.ts fails when an entry is no longer needed).
export const sizeAllowlist = {
  /** Over 400 lines. */
  files: ["catalog/demo-data.ts", "loadtest/bench-fanout.ts", "loadtest/rush/rush.ts"],
  /** With a function over 70 lines. */
  functions: [
    "catalog/demo-data.ts",
    "loadtest/bench-fanout.ts",
    "loadtest/bench-search.ts",
    "loadtest/rush/rush.ts",
    "loadtest/rush/shopper.ts",
  ],
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "loadtest/results/**",
      "test-artifacts/**",
      "gateway/web/dist/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js"] })] },
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones: walls }],
    },
  },
  {
    // domain/ does no I/O and uses no framework: packages are off limits (crypto for random ids only).
    files: ["domain/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [{ regex: "^(?!\\.|node:crypto$)", message: "domain/ imports no package: it is pure." }],
        },
      ],
    },
  },
  {
    // Size limits of product code; `sizeAllowlist` above lists the exceptions.
    files: ["**/*.ts"],
    ignores: ["test/**", ...sizeAllowlist.files],
    rules: { "max-lines": ["error", { max: 400 }] },
  },
  {
    files: ["**/*.ts"],
    ignores: ["test/**", ...sizeAllowlist.functions],
    rules: { "max-lines-per-function": ["error", { max: 70 }] },
  },
);
