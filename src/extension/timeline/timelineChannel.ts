// The host's side of the timeline conversation, without `vscode` so that it can be tested alone:
// the page says `ready`, the host answers with a full snapshot, then sends one update per tick
// while the page is visible, and nothing at all while it is hidden. Every message from the page is
// checked against the shared protocol; anything else is logged and ignored.
import { check } from '../../shared/protocol';
import { TickBatcher, type TimelineStore, type Timers } from '../../shared/timelineModel';
import { WebviewMessage, type HostMessage, type TimelineStrings } from '../../shared/timelineProtocol';
import { errorMessage, preview } from '../../shared/log';

/** How often the host sends the page what changed: a few status batches' worth per message. */
export const TIMELINE_TICK_MS = 100;

export const Commands = {
  revealTask: 'concurrencyLab.revealTask',
  publishJob: 'concurrencyLab.publishJob',
  clearHistory: 'concurrencyLab.clearHistory',
} as const;

/** What the channel needs from the webview panel and from VS Code. */
export interface ChannelHost {
  /** Posts to the page; resolves false when the page could not take it. */
  post(message: HostMessage): PromiseLike<boolean>;
  /** Whether the panel is visible right now. */
  readonly visible: boolean;
  execute(command: string, ...args: unknown[]): PromiseLike<unknown>;
  strings(): TimelineStrings;
  readonly locale: string;
  readonly log: { warn(message: string): void; debug(message: string): void };
  now(): number;
}

export class TimelineChannel {
  private ready = false;
  private disposed = false;
  private readonly batcher: TickBatcher;
  /** What was sent, for the tests and the log. */
  readonly sent = { snapshots: 0, updates: 0 };

  constructor(
    private readonly store: TimelineStore,
    private readonly host: ChannelHost,
    tickMs = TIMELINE_TICK_MS,
    timers?: Timers,
  ) {
    this.batcher = new TickBatcher(() => this.flush(), tickMs, timers);
  }

  /** A message from the page, as it arrived (unchecked). */
  receive(raw: unknown): void {
    const result = check(WebviewMessage, raw);
    if (!result.ok) {
      this.host.log.warn(`timeline: ignored a message from the page (${result.reason}): ${preview(safeJson(raw))}`);
      return;
    }
    const message = result.value;
    switch (message.type) {
      case 'ready':
        this.sendSnapshot();
        return;
      case 'revealTask':
        this.run(Commands.revealTask, message.key);
        return;
      case 'publishJob':
        this.run(Commands.publishJob);
        return;
      case 'clearHistory':
        // The command clears the task model; the model's change clears the store and resyncs.
        this.run(Commands.clearHistory);
        return;
    }
  }

  /** The store took new events. */
  storeChanged(): void {
    if (this.ready && this.host.visible) this.batcher.poke();
  }

  /** The store was cleared: the page gets a fresh snapshot (it has rows that no longer exist). */
  storeReset(): void {
    if (this.ready && this.host.visible) this.sendSnapshot();
  }

  /** The panel was shown or hidden. A hidden page is sent nothing until it says `ready` again. */
  visibilityChanged(): void {
    if (this.host.visible) return;
    this.ready = false;
    this.batcher.cancel();
    this.store.setTracking(false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.batcher.dispose();
    this.store.setTracking(false);
  }

  private sendSnapshot(): void {
    if (this.disposed) return;
    this.batcher.cancel();
    // From here on the store remembers changes for this page; whatever it held before is in the snapshot.
    this.store.setTracking(true);
    this.ready = true;
    this.sent.snapshots++;
    this.post({ type: 'snapshot', now: this.host.now(), locale: this.host.locale, strings: this.host.strings(), ...this.store.snapshot() });
  }

  private flush(): void {
    if (!this.ready || !this.host.visible) {
      this.store.discardDelta();
      return;
    }
    const delta = this.store.takeDelta();
    if (!delta) return;
    this.sent.updates++;
    this.post({ type: 'update', now: this.host.now(), ...delta });
  }

  private post(message: HostMessage): void {
    Promise.resolve(this.host.post(message)).then(
      (delivered) => {
        if (!delivered) this.host.log.debug(`timeline: the page did not take a ${message.type} message`);
      },
      (error: unknown) => this.host.log.debug(`timeline: posting a ${message.type} message failed: ${errorMessage(error)}`),
    );
  }

  private run(command: string, ...args: unknown[]): void {
    Promise.resolve(this.host.execute(command, ...args)).then(undefined, (error: unknown) =>
      this.host.log.warn(`timeline: ${command} failed: ${errorMessage(error)}`),
    );
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
