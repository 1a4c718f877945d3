// Writing to the terminal: every line a command prints passes through `visible`, so text that
// came from a trace (a hostname, a target, a title) cannot move the cursor, recolour the
// terminal or reorder the line (bidi controls): such characters are shown as \uXXXX. Colour is
// added afterwards by the writer, from markers that `paint` puts around our own words, on a
// terminal only and as NO_COLOR / FORCE_COLOR say.

import { visible } from '../reports/escape';

export { visible };

const MARK_OPEN = '\u0001';
const MARK_CLOSE = '\u0002';

const STYLES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2, cyan: 36 } as const;
export type Style = keyof typeof STYLES;

/** Our own word in a style; shown in colour only when the writer is allowed to. */
export function paint(style: Style, s: string): string {
  return `${MARK_OPEN}${style}${MARK_CLOSE}${s}${MARK_OPEN}${MARK_CLOSE}`;
}

/** Colour on a terminal, unless NO_COLOR is set (non-empty); FORCE_COLOR forces it (0 turns it off). */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

/** Make text safe, then turn paint markers into ANSI colours or drop them. */
export function render(text: string, colour: boolean): string {
  // markers that came from data are made visible first, so only ours remain
  const parts = text.split(/(\u0001[a-z]*\u0002)/);
  let out = '';
  for (const p of parts) {
    const m = /^\u0001([a-z]*)\u0002$/.exec(p);
    if (!m) {
      out += visible(p);
      continue;
    }
    if (!colour) continue;
    const style = m[1] as Style | '';
    out += style === '' ? '\u001b[0m' : `\u001b[${STYLES[style] ?? 0}m`;
  }
  return out;
}

export interface Out {
  out(s: string): void;
  err(s: string): void;
  /** a progress line rewritten in place (terminals only); absent: progress goes to err as lines */
  status?(line: string): void;
}

/** The process's stdout and stderr, each rendered for what it is connected to. */
export function stdio(): Out {
  const outColour = colourWanted(process.stdout);
  const errColour = colourWanted(process.stderr);
  return {
    out: (s) => {
      process.stdout.write(render(s, outColour));
    },
    err: (s) => {
      process.stderr.write(render(s, errColour));
    },
    ...(process.stderr.isTTY ? { status: (line: string) => void process.stderr.write(`\r\u001b[K${render(line, errColour)}`) } : {}),
  };
}

/** Any other writer (tests, the library): text made safe, without colour. */
export function plain(io: Out): Out {
  return {
    out: (s) => io.out(render(s, false)),
    err: (s) => io.err(render(s, false)),
    ...(io.status ? { status: (line: string) => io.status!(render(line, false)) } : {}),
  };
}

/** Seconds as "1.2 s", "3 min 4 s", "2 h 5 min". */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/**
 * Progress on stderr, at most once every `everyMs`: `what` done of `total` with the rate and the
 * time left at that rate. On a terminal the line is rewritten in place.
 */
export class Progress {
  private readonly start = Date.now();
  private last = this.start;
  private shown = false;

  constructor(private readonly io: Out, private readonly everyMs = 2000) {}

  update(line: (elapsedMs: number) => string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    const text = `nscheck: ${line(now - this.start)}`;
    if (this.io.status) {
      this.io.status(text);
      this.shown = true;
    } else this.io.err(`${text}\n`);
  }

  /** Rate and time left: `1,234 runs/s, ETA 12.0 s`. */
  static rate(done: number, total: number | undefined, elapsedMs: number, unit: string): string {
    const perSec = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const eta = total !== undefined && perSec > 0 ? `, ETA ${duration(((total - done) / perSec) * 1000)}` : '';
    return `${Math.round(perSec).toLocaleString('en')} ${unit}/s${eta}`;
  }

  /** End the progress line (a terminal line is cleared). */
  done(): void {
    if (this.shown) this.io.err('\n');
    this.shown = false;
  }
}
