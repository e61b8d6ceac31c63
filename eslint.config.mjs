// Lint: the recommended JavaScript and TypeScript rules, plus the house rules that keep data safe.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  { files: ['*.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Logs go through the structured logger (no personal data); the CLI and bootstrap print to the console on purpose.
      'no-console': 'error',
    },
  },
  { files: ['src/main.ts', 'src/cli/**', 'bench/**', 'test/**', '**/*.spec.ts'], rules: { 'no-console': 'off' } },
  { files: ['test/**', '**/*.spec.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
