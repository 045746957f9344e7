// Download progress for a bar or a status line: throttled (a fast local mirror delivers
// thousands of chunks a second; a UI wants a few updates), with a speed over the bytes of this
// session only, so a resumed download does not claim the part already on disk arrived instantly.

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  /** null until a speed is known. */
  secondsLeft: number | null;
}

export class ProgressReporter {
  private lastEmit = -Infinity;
  private readonly startedAt = Date.now();
  private startBytes: number | undefined;

  constructor(
    private readonly onProgress: ((p: DownloadProgress) => void) | undefined,
    private readonly intervalMs = 250,
  ) {}

  /** Reports when the interval has passed since the last report, or always when `final`. */
  update(receivedBytes: number, totalBytes: number, final = false): void {
    if (!this.onProgress) return;
    this.startBytes ??= receivedBytes;
    const now = Date.now();
    if (!final && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    const seconds = (now - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? (receivedBytes - this.startBytes) / seconds : 0;
    const left = Math.max(0, totalBytes - receivedBytes);
    this.onProgress({
      receivedBytes,
      totalBytes,
      bytesPerSecond,
      secondsLeft: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null,
    });
  }
}
