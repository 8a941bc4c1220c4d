// Builds the console (web/) into dist/web, which `curfew serve` serves at `/`. Run by `npm install` (prepare) and
// `npm run build:web`. Preact's JSX runtime through Vite's own transform: no Babel, no plugin.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle; no inline scripts, so the console's Content-Security-Policy can forbid them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
