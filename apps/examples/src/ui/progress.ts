// A progress bar for stderr: redrawn in place on a terminal (at most 10 times a second), one plain
// line every `every` steps otherwise, so logs and CI output stay readable.

export interface ProgressOptions {
  /** Steps in all (batches). */
  total: number;
  /** Text before the bar, e.g. "epoch 1/2". */
  label: string;
  /** Items per step, for the throughput (images per batch). */
  itemsPerStep?: number;
  /** Unit of the throughput (default "img"). */
  unit?: string;
  /** Without a terminal: print a line every this many steps (default: about every 10%). */
  every?: number;
  /** Draw in place (default: the stream is a TTY). */
  tty?: boolean;
  /** Width of the bar in characters (default 28). */
  width?: number;
  /** Milliseconds now (default performance.now); tests pass a fake clock. */
  clock?: () => number;
}

interface Stream {
  write(text: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** "1:05", "12:00:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export class ProgressBar {
  readonly #stream: Stream;
  readonly #opts: Required<Omit<ProgressOptions, 'tty' | 'clock'>>;
  readonly #tty: boolean;
  readonly #clock: () => number;
  readonly #started: number;
  #lastDraw = 0;
  #done = 0;
  #fields = '';
  #closed = false;

  constructor(stream: Stream, options: ProgressOptions) {
    this.#stream = stream;
    this.#tty = options.tty ?? stream.isTTY === true;
    this.#clock = options.clock ?? (() => performance.now());
    this.#started = this.#clock();
    this.#opts = {
      total: Math.max(1, options.total),
      label: options.label,
      itemsPerStep: options.itemsPerStep ?? 1,
      unit: options.unit ?? 'img',
      every: options.every ?? Math.max(1, Math.round(options.total / 10)),
      width: options.width ?? 28,
    };
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (this.#clock() - this.#started) / 1000;
  }

  /** Records that `done` steps are complete; `fields` are shown after the bar ("loss 0.41"). */
  update(done: number, fields: Record<string, string> = {}): void {
    this.#done = Math.min(done, this.#opts.total);
    this.#fields = Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    const now = this.#clock();
    if (this.#tty) {
      if (now - this.#lastDraw >= 100 || this.#done === this.#opts.total) {
        this.#lastDraw = now;
        this.#stream.write(`\r${this.#fit(this.line())}\x1b[K`);
      }
    } else if (this.#done % this.#opts.every === 0 || this.#done === this.#opts.total) {
      this.#stream.write(`${this.line()}\n`);
    }
  }

  /** The current state as one line of text, with a bar of `width` characters. */
  line(width = this.#opts.width): string {
    const { total, label, itemsPerStep, unit } = this.#opts;
    const frac = this.#done / total;
    const filled = Math.round(frac * width);
    const bar = width > 0 ? ` ${'█'.repeat(filled)}${'░'.repeat(width - filled)}` : '';
    const secs = this.elapsed;
    const rate = secs > 0 ? (this.#done * itemsPerStep) / secs : 0;
    const eta = this.#done > 0 ? (secs / this.#done) * (total - this.#done) : Number.NaN;
    const parts = [
      `${label}${bar} ${String(this.#done).padStart(String(total).length)}/${total} ${String(Math.floor(frac * 100)).padStart(3)}%`,
      this.#fields,
      `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} ${unit}/s`,
      this.#done === total ? `took ${formatDuration(secs)}` : `ETA ${formatDuration(eta)}`,
    ];
    return parts.filter((p) => p !== '').join('  ');
  }

  /** Ends the bar: a final line, and a newline on a terminal. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tty) this.#stream.write(`\r${this.#fit(this.line())}\x1b[K\n`);
    else if (this.#done % this.#opts.every !== 0 && this.#done !== this.#opts.total) this.#stream.write(`${this.line()}\n`);
  }

  /** The line for a terminal `columns` wide: a shorter bar (or none) first, then a cut. */
  #fit(text: string): string {
    const cols = (this.#stream.columns ?? 120) - 1;
    if (text.length <= cols) return text;
    const shorter = this.line(Math.max(0, this.#opts.width - (text.length - cols)));
    return shorter.length <= cols ? shorter : shorter.slice(0, cols);
  }
}
