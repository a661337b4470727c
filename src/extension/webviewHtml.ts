// The one HTML shell of every webview page (timeline, walkthrough, lab results): a CSP that allows
// nothing but our own stylesheets, fonts and images and one nonce'd script. Pages build their own
// DOM, so no job or lesson text ever passes through this template.
// No `vscode` import: the Chromium tests and the benchmark render the same HTML.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  /** Stylesheets in order (codicons first where the page uses them). */
  readonly styleUris: readonly string[];
  /** The UI language (`vscode.env.language`). */
  readonly lang: string;
  readonly title: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `style-src ${cspSource}`, `font-src ${cspSource}`, `img-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const a = escapeHtml;
  const styles = o.styleUris.map((uri) => `<link rel="stylesheet" href="${a(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="${a(o.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${a(o.title)}</title>
</head>
<body>
<script nonce="${a(o.nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>
`;
}
