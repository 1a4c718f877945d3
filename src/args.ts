// Command-line parsing shared by every command: each command declares its options (type,
// default, range, one line of help) and positionals once, and gets strict parsing, validated
// numbers, did-you-mean for mistyped names, and its --help text generated from the same table.

export class UsageError extends Error {}

export type OptionSpec =
  | { readonly type: 'bool'; readonly help: string; readonly short?: string }
  | { readonly type: 'string'; readonly help: string; readonly arg: string; readonly default?: string; readonly short?: string; readonly choices?: readonly string[]; readonly repeat?: boolean }
  | { readonly type: 'int'; readonly help: string; readonly arg: string; readonly default?: number; readonly min?: number; readonly max?: number; readonly short?: string };

export interface CommandSpec {
  readonly name: string;
  /** `TRACE...`, `A B`: how the positionals look in the usage line */
  readonly positionals?: { readonly name: string; readonly min: number; readonly max: number };
  /** one or two sentences: what the command does */
  readonly summary: string;
  /** more text after the options (exit statuses, notes) */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
}

export type Values = Record<string, string | number | boolean | string[] | undefined>;

export interface Parsed {
  readonly values: Values;
  readonly positionals: string[];
  /** the options the command line gave (the rest have their defaults) */
  readonly given: ReadonlySet<string>;
}

/** Levenshtein distance, for did-you-mean. */
export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** ` (did you mean "x"?)` for the closest candidate within a small distance, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}

/** A value quoted for an error line: JSON-quoted and cut to a short prefix. */
export function quote(v: string, max = 40): string {
  const s = v.length > max ? `${v.slice(0, max)}…` : v;
  return JSON.stringify(s);
}

function parseNumber(name: string, spec: Extract<OptionSpec, { type: 'int' }>, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} needs a whole number, not ${quote(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name}: ${quote(raw)} is too large`);
  if (spec.min !== undefined && n < spec.min) throw new UsageError(`--${name} must be at least ${spec.min}, not ${n}`);
  if (spec.max !== undefined && n > spec.max) throw new UsageError(`--${name} must be at most ${spec.max}, not ${n}`);
  return n;
}

/** Parse argv for one command. Unknown options, stray positionals and bad numbers are UsageErrors. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const values: Values = {};
  const positionals: string[] = [];
  const given = new Set<string>();
  const names = Object.keys(spec.options);
  const byShort = new Map<string, string>();
  for (const [n, o] of Object.entries(spec.options)) if (o.short) byShort.set(o.short, n);
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositionals || a === '-' || !a.startsWith('-')) {
      positionals.push(a);
      continue;
    }
    if (a === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) inline = a.slice(eq + 1);
    } else {
      const short = a.slice(1);
      const long = byShort.get(short);
      if (long === undefined) throw new UsageError(`${spec.name}: unknown option ${quote(a)}${didYouMean(short, [...byShort.keys()])}`);
      name = long;
    }
    if (!Object.prototype.hasOwnProperty.call(spec.options, name)) {
      throw new UsageError(`${spec.name}: unknown option ${quote(`--${name}`)}${didYouMean(name, names).replace(/"([^"]+)"/, '"--$1"')}`);
    }
    const o = spec.options[name]!;
    given.add(name);
    if (o.type === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${o.arg})`);
    if (o.type === 'int') values[name] = parseNumber(name, o, raw);
    else {
      if (raw === '') throw new UsageError(`--${name} needs a non-empty ${o.arg}`);
      if (o.choices && !o.choices.includes(raw)) throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, not ${quote(raw)}${didYouMean(raw, o.choices)}`);
      if (o.repeat) values[name] = [...((values[name] as string[] | undefined) ?? []), raw];
      else if (values[name] !== undefined) throw new UsageError(`--${name} given twice`);
      else values[name] = raw;
    }
  }
  for (const [n, o] of Object.entries(spec.options)) {
    if (values[n] === undefined && o.type !== 'bool' && o.default !== undefined) values[n] = o.default;
  }
  if (values.help) return { values, positionals, given };
  const p = spec.positionals ?? { name: '', min: 0, max: 0 };
  if (positionals.length > p.max) {
    const stray = positionals[p.max]!;
    throw new UsageError(p.max === 0
      ? `${spec.name} takes no arguments, got ${quote(stray)}${didYouMean(stray, KNOWN_COMMANDS)}`
      : `${spec.name} takes at most ${p.max} argument(s) (${p.name}), got ${quote(stray)} too`);
  }
  if (positionals.length < p.min) throw new UsageError(`${spec.name} needs ${p.name}`);
  return { values, positionals, given };
}

/** Set by the command table (src/cli.ts) so that a stray word can be matched against command names. */
export const KNOWN_COMMANDS: string[] = [];

/** The --help text of a command, from its table. */
export function helpText(spec: CommandSpec): string {
  const usage = `usage: nscheck ${spec.name}${spec.positionals ? ` ${spec.positionals.name}` : ''} [options]`;
  const rows = Object.entries(spec.options).map(([n, o]) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${n}${o.type === 'bool' ? '' : ` ${o.arg}`}`;
    const dflt = o.type !== 'bool' && o.default !== undefined ? ` (default ${o.default})` : '';
    return [left, `${o.help}${dflt}`] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)) + 2);
  const opts = rows.map(([l, r]) => (l.length + 2 > width ? `  ${l}\n  ${' '.repeat(width)}${r}` : `  ${l.padEnd(width)}${r}`));
  return [usage, '', spec.summary, '', 'options:', ...opts, ...(spec.details ? ['', spec.details] : [])].join('\n') + '\n';
}
