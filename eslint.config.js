// Lint runs as part of `npm test`; type-aware rules catch floating promises, which in a
// server mean lost errors and unhandled rejections.
import js from '@eslint/js';
import nodePlugin from 'eslint-plugin-n';
import unicorn from 'eslint-plugin-unicorn';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.crashdesk', 'cdk8s.out', 'coverage', 'test/controlplane/bin'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape is what they assert; typing every body adds nothing.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // File names are kebab-case everywhere (STYLE.md).
  { plugins: { unicorn }, rules: { 'unicorn/filename-case': ['error', { case: 'kebabCase' }] } },
  {
    // The services read their settings in one place each, parsed and checked once (api/config.ts,
    // operator/config.ts); tests and the build tools (bench, images, manifests) are not services.
    files: ['api/**/*.{ts,tsx}', 'operator/**/*.ts'],
    ignores: ['api/config.ts', 'operator/config.ts', '**/*.test.ts'],
    plugins: { n: nodePlugin },
    rules: { 'n/no-process-env': 'error' },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // The console's one browser script (served as written, no bundler).
  { files: ['api/console/assets/*.js'], languageOptions: { globals: globals.browser, sourceType: 'script' } },
);
