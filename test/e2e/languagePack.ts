// A display language for the browser scenarios without downloading a language pack.
//
// What makes code-server 4.100.3 (VS Code 1.100.3) run a window, and so the extension host's
// `vscode.env.language`, in Japanese (read in its server code: webClientServer.ts,
// remoteLanguagePacks.ts, base/node/nls.ts, platform/languagePacks/node/languagePacks.ts):
//   1. the page's locale: `--locale`, else `locale` in <user-data-dir>/User/argv.json, else the
//      `vscode.nls.locale` cookie, else Accept-Language (a missing argv.json counts as "en");
//   2. <user-data-dir>/languagepacks.json must name a pack for that locale whose `vscode`
//      translations file exists. Only then does the server build nls.messages.js for the page,
//      which sets the workbench's language; otherwise the window silently falls back to English.
//      The browser then starts the extension host with that language (its `vscode.env.language`),
//      and the server localizes extension manifests (package.nls.<lang>.json) with it.
// The translations themselves may be empty: every VS Code string the pack does not translate
// stays English. So a stub pack that contributes `localizations` for the locale is enough. (It
// must not name our extension in its translations: its package.nls.<locale>.json would then be
// ignored.)
//
// One thing no pack fixes offline: the web workbench looks up the translations of BUILT-IN
// extensions in the gallery (WebLanguagePacksService), not in the installed pack, so the extension
// host logs "[error] No bundle location found for extension vscode.git" (and so on) for each
// built-in extension it activates. The runner expects exactly those in a non-English window
// (LOCALE_HOST_ERRORS in browserSuite.ts).
//
// `code-server --install-extension` installs the pack but does not write languagepacks.json
// (the CLI process never creates VS Code's language pack service; coder/code-server#3372,
// microsoft/vscode#237663). A pack installed from the running workbench would; here
// registerLanguagePacks() writes the file the same way VS Code's LanguagePacksCache does.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Profile } from './codeServer';

/** Display languages a scenario can ask for (the extension ships these besides English). */
export type Locale = 'ja';

const LANGUAGES: Record<Locale, { languageName: string; localizedLanguageName: string }> = {
  ja: { languageName: 'Japanese', localizedLanguageName: '日本語' },
};

export const LANGUAGE_PACK_PUBLISHER = 'concurrency-lab-tests';

/** Writes a stub language pack for `locale` as a .vsix into `dir` and returns its path. */
export function writeLanguagePackVsix(dir: string, locale: Locale): string {
  const names = LANGUAGES[locale];
  const manifest = {
    name: `stub-language-pack-${locale}`,
    displayName: `${names.languageName} stub language pack (workbench tests)`,
    description: 'Makes the workbench run in this display language; translates nothing of VS Code itself.',
    publisher: LANGUAGE_PACK_PUBLISHER,
    version: '1.0.0',
    engines: { vscode: '^1.90.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [
        {
          languageId: locale,
          languageName: names.languageName,
          localizedLanguageName: names.localizedLanguageName,
          translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
        },
      ],
    },
  };
  mkdirSync(dir, { recursive: true });
  const vsix = join(dir, `stub-language-pack-${locale}.vsix`);
  writeFileSync(
    vsix,
    storedZip([
      ['extension/package.json', JSON.stringify(manifest, null, 2)],
      // VS Code's own strings, { contents: { <module id>: { <key>: <text> } } }: none translated.
      ['extension/translations/main.i18n.json', JSON.stringify({ version: '1.0.0', contents: {} })],
    ]),
  );
  return vsix;
}

interface InstalledExtension {
  identifier: { id: string; uuid?: string };
  version: string;
  relativeLocation?: string;
  location?: { path?: string; fsPath?: string };
}

interface Localization {
  languageId?: unknown;
  languageName?: unknown;
  localizedLanguageName?: unknown;
  translations?: { id?: unknown; path?: unknown }[];
}

/**
 * Writes <user-data-dir>/languagepacks.json from the extensions installed in the profile, as
 * VS Code's LanguagePacksCache.update() does after an install from the workbench. Returns the
 * languages it found.
 */
export function registerLanguagePacks(profile: Profile): string[] {
  const listFile = join(profile.extensionsDir, 'extensions.json');
  const installed = JSON.parse(readFileSync(listFile, 'utf8')) as InstalledExtension[];
  const packs: Record<string, { hash: string; label: string | undefined; extensions: { extensionIdentifier: { id: string; uuid?: string }; version: string }[]; translations: Record<string, string> }> = {};
  for (const extension of installed) {
    const location = extension.relativeLocation
      ? join(profile.extensionsDir, extension.relativeLocation)
      : (extension.location?.fsPath ?? extension.location?.path);
    if (!location || !existsSync(join(location, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(location, 'package.json'), 'utf8')) as { contributes?: { localizations?: Localization[] } };
    for (const l of manifest.contributes?.localizations ?? []) {
      if (typeof l.languageId !== 'string' || !Array.isArray(l.translations) || !l.translations.length) continue;
      const pack = (packs[l.languageId] ??= {
        hash: '',
        label: typeof l.localizedLanguageName === 'string' ? l.localizedLanguageName : typeof l.languageName === 'string' ? l.languageName : undefined,
        extensions: [],
        translations: {},
      });
      pack.extensions.push({ extensionIdentifier: extension.identifier, version: extension.version });
      for (const t of l.translations) {
        if (typeof t.id === 'string' && typeof t.path === 'string') pack.translations[t.id] = isAbsolute(t.path) ? t.path : join(location, t.path);
      }
    }
  }
  for (const pack of Object.values(packs)) {
    const md5 = createHash('md5');
    for (const e of pack.extensions) md5.update(e.extensionIdentifier.uuid || e.extensionIdentifier.id).update(e.version);
    pack.hash = md5.digest('hex');
  }
  writeFileSync(join(profile.userDataDir, 'languagepacks.json'), JSON.stringify(packs));
  return Object.keys(packs);
}

// ── a minimal .zip writer (entries stored uncompressed; a .vsix is a zip) ─────────────────────

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function storedZip(files: [name: string, content: string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  // 1980-01-01 00:00 in DOS format: a fixed date keeps the file reproducible.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const [name, content] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
