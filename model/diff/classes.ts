// Differences between two variants, grouped into classes. A witness is a trace on which both
// variants agree at every step but the last; its class is the op of that step, the rule that
// decided it in each variant, and the two results (values reduced to their shape, so one class
// holds every pid number or hostname that differs the same way).

import type { ParsedStep } from '../../spec/ops';
import type { Trace, TraceStep } from '../trace';

export interface Side {
  /** the observable result (observe.ts) */
  readonly result: string;
  /** the raw result text, as a trace's expect writes it */
  readonly raw: string;
  /** the rule that refused the call, or "ok" */
  readonly rule: string;
}

export interface Witness {
  /** the agreeing prefix and the diverging step */
  readonly steps: readonly ParsedStep[];
  /** each side's raw result for every step (the last differs) */
  readonly resultsA: readonly string[];
  readonly resultsB: readonly string[];
  readonly a: Side;
  readonly b: Side;
  /** the difference was in the state only (--compare-state), not in the result */
  readonly stateOnly?: { readonly a: string; readonly b: string };
}

export interface DiffClass {
  readonly key: string;
  readonly op: string;
  readonly ruleA: string;
  readonly ruleB: string;
  readonly resultA: string;
  readonly resultB: string;
  /** distinct witnesses found (edges of distinct pairs of states) */
  count: number;
  /** the shortest witness (the first found, breadth first) */
  readonly witness: Witness;
}

/** A result's shape: errnos and words as they are, a value as `key=…` when both sides have one. */
function shape(r: string, other: string): string {
  const eq = r.indexOf('=');
  if (eq < 0) return r;
  const key = r.slice(0, eq);
  return other.startsWith(`${key}=`) ? `${key}=${r.slice(eq + 1)}` : `${key}=…`;
}

export function classKey(op: string, a: Side, b: Side, stateOnly: boolean): { key: string; resultA: string; resultB: string } {
  if (stateOnly) return { key: `${op} | ${a.rule} | ${b.rule} | ${a.result} → ${b.result} (state)`, resultA: a.result, resultB: b.result };
  // two values of the same key that differ: the class is the key, the values are examples
  const ea = a.result.indexOf('='), eb = b.result.indexOf('=');
  const sameKey = ea > 0 && eb > 0 && a.result.slice(0, ea) === b.result.slice(0, eb);
  const ra = sameKey ? `${a.result.slice(0, ea)}=…` : shape(a.result, b.result);
  const rb = sameKey ? `${b.result.slice(0, eb)}=…` : shape(b.result, a.result);
  // readlink identities differ in which namespace, not in the text of the entry
  const link = /^[a-z_]+:\[/.test(a.result) && /^[a-z_]+:\[/.test(b.result);
  const ka = link ? 'a namespace' : ra, kb = link ? 'another namespace' : rb;
  return { key: `${op} | ${a.rule} | ${b.rule} | ${ka} → ${kb}`, resultA: ka, resultB: kb };
}

/** A witness as the trace one variant replays: every step with that variant's result. */
export function witnessTrace(w: Witness, side: 'A' | 'B', variant: string, other: string, cls: DiffClass, extra: Partial<Trace> = {}): Trace {
  const results = side === 'A' ? w.resultsA : w.resultsB;
  const steps: TraceStep[] = w.steps.map((s, i) => ({ ...s, expect: results[i]! }));
  return {
    title: `${variant} vs ${other}: ${cls.key}`,
    variant,
    source: `nscheck diff: the shortest trace on which ${variant} and ${other} differ in this class`,
    expect: 'holds',
    steps,
    ...extra,
  };
}

/** A side-by-side listing: the common prefix, then the diverging step with both results and rules. */
export function sideBySide(w: Witness, nameA: string, nameB: string, describe: (i: number) => string): string[] {
  const lines: string[] = [];
  const n = w.steps.length;
  for (let i = 0; i < n - 1; i++) lines.push(`  ${String(i).padStart(3)}  ${describe(i)} = ${w.resultsA[i]}`);
  const last = describe(n - 1);
  lines.push(`  ${String(n - 1).padStart(3)}  ${last}`);
  const width = Math.max(nameA.length, nameB.length);
  lines.push(`         ${nameA.padEnd(width)}: ${w.resultsA[n - 1]}${w.a.rule !== 'ok' ? `  [${w.a.rule}]` : ''}`);
  lines.push(`         ${nameB.padEnd(width)}: ${w.resultsB[n - 1]}${w.b.rule !== 'ok' ? `  [${w.b.rule}]` : ''}`);
  if (w.stateOnly) {
    lines.push(`         the results agree; what processes can observe differs:`);
    lines.push(`         ${nameA.padEnd(width)}: ${w.stateOnly.a}`);
    lines.push(`         ${nameB.padEnd(width)}: ${w.stateOnly.b}`);
  }
  return lines;
}

/** Read a reviewed class list (--expect-classes): JSON {"classes": [key, ...]} or [key, ...], or one key per line. */
export function parseExpectedClasses(text: string, where: string): string[] {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message.slice(0, 80)})`);
    }
    const list = Array.isArray(doc) ? doc : (doc as { classes?: unknown }).classes;
    if (!Array.isArray(list)) throw new Error(`${where}: expected a list of class keys, or {"classes": [...]}`);
    return list.map((x, i) => {
      const k = typeof x === 'string' ? x : typeof x === 'object' && x !== null && typeof (x as { key?: unknown }).key === 'string' ? (x as { key: string }).key : undefined;
      if (k === undefined) throw new Error(`${where}: class ${i} is not a key string`);
      return k;
    });
  }
  return t.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
}
