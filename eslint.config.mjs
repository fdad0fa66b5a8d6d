// Lint: the type-aware rules that catch real bugs (a promise nobody awaits, a promise where a
// callback expects a value, `any` leaking through a call or a member access, an assertion the
// types already prove). Formatting is Prettier's job (`npm run format`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const tests = [
  'test/**/*.ts',
  '**/*.spec.ts',
  '**/*-spec.ts',
  '**/spec-support.ts',
  '**/*.fixtures.ts',
  '**/test-fixtures.ts',
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'test/artifacts/**', 'bench/results/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An `async` method without `await` is how a Nest handler promises its answer; it hides no bug.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The browser pages' ES modules (apps/gateway/web), type-checked as JavaScript with their JSDoc
    // types by tsconfig.browser.json: the same type-aware rules, over the DOM's globals (TypeScript's
    // `dom` lib), so a name the browser does not have is the type-check's error rather than `no-undef`'s.
    files: ['apps/gateway/web/**/*.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { project: './tsconfig.browser.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read untyped JSON answers and assert on them; the assertion is the type check there.
    // Promises and `any` written as a type are still errors.
    files: tests,
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
