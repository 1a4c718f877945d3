// Reading and writing nscheck-trace/1 documents (docs/trace-format.md). A trace is data that
// people pass around, so it is read as hostile input:
// - only a regular file is read, and at most LIMITS.fileBytes of it (a FIFO, /dev/zero or a
//   directory is refused before any read);
// - the JSON nesting depth is checked on the text before it is parsed; steps, strings and lists
//   have limits too (LIMITS, docs/trace-format.md "Limits");
// - every name is looked up with own-property checks or in Maps, so "constructor" or
//   "__proto__" is just an unknown name;
// - an error is one line naming the file, the step and the argument, quoting at most a short
//   prefix of the offending value.
// A document that is not valid JSON, has another format, names an unknown op or gives a wrongly
// typed argument is rejected before anything runs.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ERRNOS } from '../spec/rules';
import { MAX_START_PID_LEVEL, type Start } from '../spec/initial';
import { KERNEL_LIMITS, type Limits } from '../spec/semantics';
import { parseStep, quoteValue, type ParsedStep } from '../spec/ops';

export const TRACE_FORMAT = 'nscheck-trace/1';

/** Input limits, checked before any work. */
export const LIMITS = {
  /** bytes of a trace file */
  fileBytes: 64 * 1024 * 1024,
  /** nesting depth of the JSON document (a trace needs 5) */
  jsonDepth: 32,
  /** steps of a trace */
  steps: 1_000_000,
  /** characters of any string (titles, targets, hostnames, maps) */
  stringLength: 4096,
  /** elements of any list (flag lists) */
  listLength: 64,
} as const;

export type Verdict = 'holds' | { readonly violates: string };

export interface TraceStep extends ParsedStep {
  readonly expect?: string;
}

export interface Trace {
  readonly title?: string;
  readonly variant: string;
  readonly expect?: Verdict;
  readonly source?: string;
  /** where P starts (default: the initial namespaces) */
  readonly start?: Start;
  /** the kernel's limits as the search that found the trace scaled them (small-scope constants) */
  readonly limits?: Partial<Limits>;
  readonly steps: readonly TraceStep[];
}

export class InputError extends Error {}

const RESULT_RE = /^(ok|same|different|ModelError|[a-z_]+=.{0,4096}|[a-z]+:\[\d+\])$/s;
const ERRNO_SET: ReadonlySet<string> = new Set(ERRNOS);

function isResult(v: unknown): v is string {
  return typeof v === 'string' && v.length <= LIMITS.stringLength && (ERRNO_SET.has(v) || RESULT_RE.test(v));
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Reject over-long strings and lists anywhere in a value, iteratively (no deep recursion). */
function checkSizes(doc: unknown, fail: (msg: string) => never): void {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.length > LIMITS.stringLength) fail(`a string of ${v.length} characters (at most ${LIMITS.stringLength}): ${quoteValue(v)}`);
    } else if (Array.isArray(v)) {
      if (v.length > LIMITS.listLength) fail(`a list of ${v.length} elements (at most ${LIMITS.listLength})`);
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) {
        if (k.length > LIMITS.stringLength) fail(`a key of ${k.length} characters (at most ${LIMITS.stringLength})`);
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
}

/** Validate a parsed JSON document; `where` prefixes every error (a file name). */
export function parseTrace(doc: unknown, where: string): Trace {
  const fail = (msg: string): never => {
    throw new InputError(`${where}: ${msg}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('not a JSON object');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!['format', 'title', 'variant', 'expect', 'steps', 'source', 'start', 'limits'].includes(k)) fail(`unknown field ${quoteValue(k)}`);
  }
  if (d.format !== TRACE_FORMAT) fail(`"format" must be "${TRACE_FORMAT}"`);
  for (const k of ['title', 'source', 'variant'] as const) {
    const v = d[k];
    if (v !== undefined && typeof v !== 'string') fail(`"${k}" must be a string`);
    if (typeof v === 'string' && v.length > LIMITS.stringLength) fail(`"${k}" has ${v.length} characters (at most ${LIMITS.stringLength})`);
  }
  let expect: Verdict | undefined;
  if (d.expect !== undefined) {
    const e = d.expect;
    const violates = typeof e === 'object' && e !== null && !Array.isArray(e) && own(e, 'violates') && Object.keys(e).length === 1
      ? (e as Record<string, unknown>).violates : undefined;
    if (e === 'holds') expect = 'holds';
    else if (typeof violates === 'string' && violates.length <= 200) expect = { violates };
    else fail('"expect" must be "holds" or {"violates": "InvariantName"}');
  }
  let start: Start | undefined;
  if (d.start !== undefined) {
    const st = d.start;
    if (typeof st !== 'object' || st === null || Array.isArray(st) || Object.keys(st).some((k) => k !== 'pidLevel')) fail('"start" must be {"pidLevel": N}');
    const lvl = (st as Record<string, unknown>).pidLevel;
    if (lvl !== undefined && (typeof lvl !== 'number' || !Number.isInteger(lvl) || lvl < 0 || lvl > MAX_START_PID_LEVEL)) fail(`"start.pidLevel" must be an integer from 0 to ${MAX_START_PID_LEVEL}`);
    start = lvl === undefined ? {} : { pidLevel: lvl as number };
  }
  let limits: Partial<Limits> | undefined;
  if (d.limits !== undefined) {
    const l = d.limits;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) fail('"limits" must be an object');
    for (const [k, v] of Object.entries(l as object)) {
      if (!Object.prototype.hasOwnProperty.call(KERNEL_LIMITS, k)) fail(`"limits": no limit ${quoteValue(k)} (one of ${Object.keys(KERNEL_LIMITS).join(', ')})`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail(`"limits.${k}" must be a whole number`);
    }
    limits = l as Partial<Limits>;
  }
  if (!Array.isArray(d.steps)) fail('"steps" must be a list');
  const rawSteps = d.steps as unknown[];
  if (rawSteps.length > LIMITS.steps) fail(`${rawSteps.length} steps (at most ${LIMITS.steps})`);
  const steps: TraceStep[] = new Array<TraceStep>(rawSteps.length);
  for (let i = 0; i < rawSteps.length; i++) {
    const raw = rawSteps[i];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`step ${i}: not an object`);
    const s = raw as Record<string, unknown>;
    for (const k of Object.keys(s)) if (k !== 'task' && k !== 'op' && k !== 'args' && k !== 'expect') fail(`step ${i}: unknown field ${quoteValue(k)}`);
    if (s.args !== undefined) checkSizes(s.args, (m) => fail(`step ${i}: ${m}`));
    const parsed = parseStep(s.task, s.op, s.args);
    if (typeof parsed === 'string') fail(`step ${i}: ${parsed}`);
    if (s.expect !== undefined && !isResult(s.expect)) fail(`step ${i}: "expect" must be ok, an errno name (EINVAL) or key=value, not ${quoteValue(s.expect)}`);
    steps[i] = s.expect === undefined ? (parsed as ParsedStep) : { ...(parsed as ParsedStep), expect: s.expect as string };
  }
  const t: { -readonly [K in keyof Trace]: Trace[K] } = { variant: (d.variant as string | undefined) ?? 'linux-6.18', steps };
  if (typeof d.title === 'string') t.title = d.title;
  if (typeof d.source === 'string') t.source = d.source;
  if (expect !== undefined) t.expect = expect;
  if (start !== undefined) t.start = start;
  if (limits !== undefined) t.limits = limits;
  return t;
}

/**
 * The deepest nesting of arrays and objects in a JSON text, found without parsing (strings are
 * skipped), so a document nested 10^5 levels deep is refused before any recursion sees it.
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parse a trace document's text (what readTrace does after reading the file). */
export function parseTraceText(text: string, where: string): Trace {
  if (text.length > LIMITS.fileBytes) throw new InputError(`${where}: ${text.length} characters (at most ${LIMITS.fileBytes})`);
  const depth = jsonDepth(text, LIMITS.jsonDepth);
  if (depth > LIMITS.jsonDepth) throw new InputError(`${where}: JSON nested deeper than ${LIMITS.jsonDepth} levels`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new InputError(`${where}: not valid JSON (${msg.length > 120 ? `${msg.slice(0, 120)}…` : msg})`);
  }
  return parseTrace(doc, where);
}

/** Read a regular file of at most `limit` bytes as UTF-8; anything else is one InputError line. */
export function readLimited(file: string, limit: number, what = 'file'): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${file}: not a regular ${what}${st.isDirectory() ? ' (a directory)' : st.isFIFO() ? ' (a FIFO)' : st.isCharacterDevice() ? ' (a device)' : ''}`);
    if (st.size > limit) throw new InputError(`${file}: ${st.size} bytes, more than the ${limit} a ${what} may have`);
    // read at most limit + 1 bytes whatever the size said (a file can grow, /proc files lie)
    const buf = Buffer.alloc(Math.min(limit + 1, Math.max(st.size, 65536)));
    let n = 0;
    for (;;) {
      if (n === buf.length) break;
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > limit) throw new InputError(`${file}: more than the ${limit} bytes a ${what} may have`);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

export function readTrace(file: string): Trace {
  return parseTraceText(readLimited(file, LIMITS.fileBytes, 'trace file'), file);
}

/** The trace as a JSON document, keys in the format's order, one step per line. */
export function traceToJson(t: Trace, results?: readonly string[]): string {
  const head: Record<string, unknown> = { format: TRACE_FORMAT };
  if (t.title !== undefined) head.title = t.title;
  head.variant = t.variant;
  if (t.expect !== undefined) head.expect = t.expect;
  if (t.source !== undefined) head.source = t.source;
  if (t.start !== undefined) head.start = t.start;
  if (t.limits !== undefined) head.limits = t.limits;
  const lines = t.steps.map((s, i) => {
    const o: Record<string, unknown> = { task: s.task, op: s.op.name };
    if (Object.keys(s.raw).length) o.args = s.raw;
    const e = results?.[i] ?? s.expect;
    if (e !== undefined) o.expect = e;
    return '    ' + JSON.stringify(o);
  });
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${headText},\n  "steps": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
