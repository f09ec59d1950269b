// Lint: typescript-eslint's recommended rules, plus the project's one architectural rule:
// machines are pure (no node:* modules, no adapters, no database).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'docs/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'net', 'path', 'os', 'child_process'], message: 'machines are pure: do I/O in adapters/' },
          { group: ['**/adapters/**', 'better-sqlite3', 'dcmjs-dimse', 'serialport'], message: 'machines get adapters through machine.provide()' },
        ],
      }],
    },
  },
);
