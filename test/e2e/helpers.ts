// Shared helpers for browser scenarios: the VS Code 1.100 workbench (code-server) seen through
// playwright-core. Selectors live here only, so that a scenario reads like what a user does.
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** Default waits. Scenarios assert behaviour; these only bound how long a step may take. */
export const STEP_TIMEOUT_MS = 20_000;

export const CONTAINER_ID = 'concurrencyLab';
export const CONTAINER_TITLE = 'Concurrency Lab';
export const STATUS_ITEM_ID = 'concurrency-lab.concurrency-lab.concurrencyLab.status';

export type TextMatch = string | RegExp;

/** Escapes a string for use inside a RegExp. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** An exact-text RegExp (whole string, after trimming). */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench is drawn and its extension host answered (the status bar has items). */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.activitybar').waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  // ── activity bar and views ──────────────────────────────────────────────────────────────

  activityBarItem(title: string = CONTAINER_TITLE): Locator {
    return this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`);
  }

  /** The sidebar pane of a view container contributed by an extension. */
  viewContainer(containerId: string = CONTAINER_ID): Locator {
    return this.page.locator(`[id="workbench.view.extension.${containerId}"]`);
  }

  /** Opens a view container from the activity bar (no-op when it is already showing). */
  async openViewContainer(title: string = CONTAINER_TITLE, containerId: string = CONTAINER_ID): Promise<Locator> {
    const container = this.viewContainer(containerId);
    if (!(await container.isVisible())) {
      await this.activityBarItem(title).click();
    }
    await container.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    return container;
  }

  /** Drags the sash between sidebar and editor so that tree descriptions are readable in screenshots. */
  async resizeSidebar(width: number): Promise<void> {
    const box = await this.page.locator('[id="workbench.parts.sidebar"]').boundingBox();
    if (!box || Math.abs(box.width - width) < 4) return;
    const x = box.x + box.width - 1;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 5 });
    await this.page.mouse.up();
    // Park the pointer where it highlights nothing (a hovered sash is drawn blue).
    await this.page.mouse.move(box.x + width + 300, y + 200);
  }

  /** An action button in the sidebar's title bar (a single-view container shows its view's actions there). */
  viewTitleAction(label: TextMatch): Locator {
    return this.page
      .locator('[id="workbench.parts.sidebar"] .title-actions')
      .getByRole('button', { name: label, exact: typeof label === 'string' });
  }

  async clickViewTitleAction(label: TextMatch): Promise<void> {
    const action = this.viewTitleAction(label);
    await action.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await action.click();
  }

  /** Welcome content a view shows while it has no rows (viewsWelcome). */
  welcomeContent(containerId: string = CONTAINER_ID): Locator {
    return this.viewContainer(containerId).locator('.welcome-view-content');
  }

  // ── trees ───────────────────────────────────────────────────────────────────────────────

  treeRows(containerId: string = CONTAINER_ID): Locator {
    return this.viewContainer(containerId).locator('.monaco-list-row');
  }

  /** Tree rows whose label (not description) matches. */
  treeRow(label: TextMatch, containerId: string = CONTAINER_ID): Locator {
    return this.treeRows(containerId).filter({ has: this.page.locator('.label-name', { hasText: label }) });
  }

  /** Tree rows whose description (the grey text after the label) matches. */
  treeRowWithDescription(description: TextMatch, containerId: string = CONTAINER_ID): Locator {
    return this.treeRows(containerId).filter({ has: this.page.locator('.label-description', { hasText: description }) });
  }

  async treeRowTexts(containerId: string = CONTAINER_ID): Promise<{ label: string; description: string; icon: string }[]> {
    return this.treeRows(containerId).evaluateAll((rows) =>
      rows.map((row) => ({
        label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
        icon: Array.from(row.querySelector('.custom-view-tree-node-item-icon')?.classList ?? []).filter((c) => c.startsWith('codicon-')).join(' '),
      })),
    );
  }

  // ── command palette and quick input ─────────────────────────────────────────────────────

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** The visible rows of the open quick pick (the widget keeps hidden lists around). */
  quickPickRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ visible: true });
  }

  /** Runs a command by typing its title into the command palette, as a user does. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox();
    await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await input.fill(`>${title}`);
    // The row's label is "Category: Title"; take the exact one, not a longer title that contains it.
    const row = this.quickPickRows().filter({ has: this.page.locator('.label-name', { hasText: exactly(title) }) });
    await row.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await row.first().click();
    // Done when the palette closed, or when the command replaced it with its own quick pick / input box.
    await this.until(`the command palette ran "${title}"`, async () => !(await input.isVisible()) || (await input.inputValue()) !== `>${title}`);
  }

  /** Picks an item of an open quick pick by its label. */
  async pickQuickItem(label: TextMatch): Promise<void> {
    const row = this.quickPickRows().filter({ has: this.page.locator('.label-name', { hasText: label }) });
    await row.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await row.first().click();
  }

  // ── notifications ───────────────────────────────────────────────────────────────────────

  notifications(): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item');
  }

  notification(text: TextMatch): Locator {
    return this.notifications().filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) });
  }

  async notificationTexts(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** Clicks a button of a notification. */
  async clickNotificationButton(text: TextMatch, button: TextMatch): Promise<void> {
    await this.notification(text).locator('.monaco-button', { hasText: button }).first().click();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  /** Texts of open dialogs and notification toasts: what a user would read when something went wrong. */
  async visibleMessages(): Promise<string[]> {
    const dialogs = await this.page.locator('.monaco-dialog-box').allInnerTexts().catch(() => []);
    const toasts = await this.notificationTexts().catch(() => []);
    return [...dialogs, ...toasts].map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  // ── status bar ──────────────────────────────────────────────────────────────────────────

  /** A status bar item by its id (`<publisher>.<name>.<item id>`), or by the text it shows. */
  statusBarItem(idOrText: TextMatch = STATUS_ITEM_ID): Locator {
    if (typeof idOrText === 'string' && !/\s/.test(idOrText) && idOrText.includes('.')) {
      return this.page.locator(`.statusbar-item[id="${idOrText}"]`);
    }
    return this.page.locator('.statusbar-item').filter({ hasText: idOrText });
  }

  // ── webviews and editors ────────────────────────────────────────────────────────────────

  /** The content frame of the active webview (panel, editor or view). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** The content frame of the webview whose title attribute matches (when several are open). */
  webviewTitled(title: string): FrameLocator {
    return this.page.frameLocator(`iframe.webview.ready[title="${title}"]`).frameLocator('iframe#active-frame');
  }

  editorTab(label: TextMatch): Locator {
    return this.page.locator('.tabs-container .tab').filter({ has: this.page.locator('.label-name', { hasText: label }) });
  }

  /** Waits until the predicate holds; for conditions no locator expresses (e.g. "row text changed"). */
  async until(what: string, predicate: () => Promise<boolean>, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await predicate().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
      await this.page.waitForTimeout(100);
    }
  }
}
