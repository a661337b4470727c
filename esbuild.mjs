// Builds every bundle: the extension host entry, the worker host (plain Node), the benchmark
// and the webview pages. `--production` minifies without source maps; `--watch` rebuilds.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { worker: 'src/worker/main.ts', bench: 'src/bench/bench.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The benchmark drives Chromium for the timeline's frame rate; playwright-core stays a dev
    // dependency loaded from node_modules (it cannot be bundled). The worker never imports it.
    external: ['playwright-core'],
  },
];

// Webview bundles live in src/webview/<name>/main.ts and are built to dist/webview/<name>.js.
import { readdirSync, existsSync } from 'node:fs';
if (existsSync('src/webview')) {
  const pages = readdirSync('src/webview', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/webview/${d.name}/main.ts`))
    .map((d) => d.name);
  if (pages.length) {
    builds.push({
      ...common,
      entryPoints: Object.fromEntries(pages.map((p) => [p, `src/webview/${p}/main.ts`])),
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    });
  }
}

// Start from an empty dist/ so that no stale file (an old source map, a renamed page) is packaged.
import { rmSync } from 'node:fs';
if (!watch) rmSync('dist', { recursive: true, force: true });

// Codicons for the webviews: copied next to the bundles so the .vsix needs no node_modules.
import { mkdirSync, copyFileSync } from 'node:fs';
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) {
  copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
