// Debian's Chromium (driven by playwright-core) and a local server that plays a webview's origin:
// one place for the browser flags and the page server used by the webview page tests, the
// end-to-end runner and `npm run bench`.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** No GPU, no sandbox (root), and none of the background connections this offline machine refuses. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchHeadlessChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * Serves a webview page the way VS Code would: its HTML (from `html()`, asked per request so each
 * load may take a fresh nonce) at `/`, the built bundles of `<root>/dist/webview` under `/webview/`
 * and the codicons under `/codicons/`. The origin stands in for `webview.cspSource`.
 */
export function serveWebviewPage(root: string, html: () => string): Promise<{ server: Server; origin: string }> {
  const mounts: Record<string, string> = {
    '/webview/': join(root, 'dist', 'webview'),
    // Where the build copies them (and the .vsix ships them); the package itself as a fallback.
    '/codicons/': existsSync(join(root, 'dist', 'codicons', 'codicon.css')) ? join(root, 'dist', 'codicons') : join(root, 'node_modules', '@vscode', 'codicons', 'dist'),
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': MIME['.html']! });
      res.end(html());
      return;
    }
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir + sep) || !existsSync(file)) break;
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}
