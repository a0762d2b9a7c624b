import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  // Formatting is Prettier's (npm test runs prettier --check); ESLint keeps to correctness.
  prettier,
  {
    rules: {
      // `{ file: _file, ...rest }` drops a field on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // The only images are the static SVG logo from public/: next/image would add nothing to it.
      "@next/next/no-img-element": "off",
    },
  },
  {
    // Tests, the bench and scripts are not React: useTempDataDir is a test helper, not a hook.
    files: ["test/**", "e2e/**", "bench/**", "scripts/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  globalIgnores([
    ".next/**",
    "generated/**",
    "node_modules/**",
    "test-results/**",
    ".mariner*/**",
    "public/**",
    "next-env.d.ts",
  ]),
]);
