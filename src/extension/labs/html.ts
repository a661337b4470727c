// The lab result page's HTML: a CSP that allows only our stylesheets, fonts and one nonce'd script.
// The page builds its own DOM from the snapshot, so no result text passes through this template.
import { randomBytes } from 'node:crypto';

export interface LabHtmlOptions {
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly codiconsUri: string;
  readonly lang: string;
  readonly title: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function renderLabHtml(o: LabHtmlOptions): string {
  const a = escapeHtml;
  const csp = ["default-src 'none'", `style-src ${o.cspSource}`, `font-src ${o.cspSource}`, `script-src 'nonce-${o.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="${a(o.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(o.codiconsUri)}">
<link rel="stylesheet" href="${a(o.styleUri)}">
<title>${a(o.title)}</title>
</head>
<body>
<main id="root"></main>
<script nonce="${a(o.nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>
`;
}
