// Debian's Chromium driven by playwright-core (no browser download, no Xvfb).
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/node/webviewPage';

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: process.env.CONCURRENCY_LAB_HEADED !== '1',
    args: CHROMIUM_ARGS,
    // The runner handles signals itself: it must stop code-server and Redis too, not only the browser.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

export const VIEWPORT = { width: 1440, height: 900 };
