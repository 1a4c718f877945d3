// Reading and writing nscheck-trace/1 documents (shared/trace-format.md). A document that is not
// valid JSON, has another format, names an unknown op or gives a wrongly typed argument is
// rejected before anything runs, with the step index and the reason.

import { readFileSync } from 'node:fs';
import { ERRNOS } from '../spec/rules';
import { parseStep, type ParsedStep } from '../spec/ops';

export const TRACE_FORMAT = 'nscheck-trace/1';

export type Verdict = 'holds' | { readonly violates: string };

export interface TraceStep extends ParsedStep {
  readonly expect?: string;
}

export interface Trace {
  readonly title?: string;
  readonly variant: string;
  readonly expect?: Verdict;
  readonly source?: string;
  readonly steps: readonly TraceStep[];
}

export class InputError extends Error {}

const RESULT_RE = /^(ok|same|different|[a-z_]+=.*|[a-z]+:\[\d+\])$/;

function isResult(v: unknown): v is string {
  return typeof v === 'string' && ((ERRNOS as readonly string[]).includes(v) || RESULT_RE.test(v));
}

/** Validate a parsed JSON document; `where` prefixes every error (a file name). */
export function parseTrace(doc: unknown, where: string): Trace {
  const fail = (msg: string): never => {
    throw new InputError(`${where}: ${msg}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== TRACE_FORMAT) fail(`"format" must be "${TRACE_FORMAT}"`);
  if (d.title !== undefined && typeof d.title !== 'string') fail('"title" must be a string');
  if (d.source !== undefined && typeof d.source !== 'string') fail('"source" must be a string');
  if (d.variant !== undefined && typeof d.variant !== 'string') fail('"variant" must be a string');
  let expect: Verdict | undefined;
  if (d.expect !== undefined) {
    const e = d.expect as Record<string, unknown>;
    if (d.expect === 'holds') expect = 'holds';
    else if (typeof e === 'object' && e !== null && typeof e.violates === 'string' && Object.keys(e).length === 1) expect = { violates: e.violates };
    else fail('"expect" must be "holds" or {"violates": "InvariantName"}');
  }
  if (!Array.isArray(d.steps)) fail('"steps" must be a list');
  const steps = (d.steps as unknown[]).map((raw, i): TraceStep => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`step ${i}: not an object`);
    const s = raw as Record<string, unknown>;
    for (const k of Object.keys(s)) if (!['task', 'op', 'args', 'expect'].includes(k)) fail(`step ${i}: unknown field "${k}"`);
    const parsed = parseStep(s.task, s.op, s.args);
    if (typeof parsed === 'string') return fail(`step ${i}: ${parsed}`);
    if (s.expect !== undefined && !isResult(s.expect)) fail(`step ${i}: "expect" must be ok, an errno name (EINVAL) or key=value`);
    return s.expect === undefined ? parsed : { ...parsed, expect: s.expect as string };
  });
  const t: { -readonly [K in keyof Trace]: Trace[K] } = { variant: (d.variant as string | undefined) ?? 'linux-6.18', steps };
  if (typeof d.title === 'string') t.title = d.title;
  if (typeof d.source === 'string') t.source = d.source;
  if (expect !== undefined) t.expect = expect;
  return t;
}

export function readTrace(file: string): Trace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseTrace(doc, file);
}

/** The trace as a JSON document, keys in the format's order, one step per line. */
export function traceToJson(t: Trace, results?: readonly string[]): string {
  const head: Record<string, unknown> = { format: TRACE_FORMAT };
  if (t.title !== undefined) head.title = t.title;
  head.variant = t.variant;
  if (t.expect !== undefined) head.expect = t.expect;
  if (t.source !== undefined) head.source = t.source;
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
