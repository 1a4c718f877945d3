// nscheck variants [--check]: the built-in variants, and the matrix of checking each.

import { randomSearch, randomSemantics } from '../../model/search/random';
import { loadScope, type Scope } from '../../model/search/scope';
import { replay } from '../../model/replay';
import { readTrace } from '../../model/trace';
import { controlPath, resolveVariant, type LoadedVariant } from '../../model/variants';
import { md } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { writeFileAtomic } from '../../reports/write';
import { BUILTIN_VARIANTS } from '../../spec/variants';
import { HOOK_DOCS, HOOK_NAMES } from '../../spec/hooks';
import { RULES, type RuleInfo } from '../../spec/rules';
import { EFFECTS } from '../../spec/semantics';
import type { CommandSpec, Parsed } from '../args';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { paint, Progress, type Out } from '../term';
import { checkOutputs, expectedOf } from './common';

const spec: CommandSpec = {
  name: 'variants',
  summary: 'Lists the built-in variants: kernel-history profiles (which must hold every invariant) and mutants that re-create\nhistorical bugs (each must be caught by the invariant it names). --check runs the checker on each and prints a\nmatrix: variant, expected, verdict, shrunk length, time to find.',
  options: {
    check: { type: 'bool', help: 'run the checker on every variant' },
    rules: { type: 'bool', help: 'list what a variant can change instead: every rule (disable, errno) with its errno and kernel function' },
    effects: { type: 'bool', help: 'list the named behaviours (effects) with their default and kernel function' },
    hooks: { type: 'bool', help: 'list the hooks with the kernel function each stands for (docs/variants.md)' },
    runs: { type: 'int', arg: 'N', default: 10000, min: 1, max: 1e9, help: 'random runs per variant' },
    'max-steps': { type: 'int', arg: 'N', default: 40, min: 1, max: 100000, help: 'steps per run at most' },
    seed: { type: 'int', arg: 'N', default: 1, min: 0, max: 0xffffffff, help: 'seed' },
    scope: { type: 'string', arg: 'NAME|FILE', default: 'default', help: 'the action space runs draw from (a preset or a scope file)' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML, one test case per variant (with --check)' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown table for a CI job page (with --check)' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Exit 0 when every profile holds and every mutant is caught by its expected invariant (with --check), 1 otherwise,\n130 interrupted.',
};

export interface MatrixRow {
  readonly variant: string;
  readonly expected: string;
  readonly verdict: string;
  readonly invariant: string | null;
  readonly shrunkLength: number | null;
  /** runs until the violation was found (null: not found by search) */
  readonly runsToFind: number | null;
  /** time until the violation was found, or the whole time when none was */
  readonly ms: number;
  readonly pass: boolean;
}

/** Check one variant: search, and fall back to its control trace when search misses. */
export async function checkVariant(v: LoadedVariant, scope: Scope, runs: number, seed: number, maxSteps: number): Promise<MatrixRow> {
  const expected = expectedOf(v);
  const t0 = Date.now();
  const r = await randomSearch({
    ...randomSemantics(v.def, scope), scope, runs, maxSteps, seed, now: Date.now, ignore: v.def.knownFindings ?? [],
    shouldStop: () => interruption.requested, ...(expected !== 'holds' ? { target: expected } : {}),
  });
  const cx = r.counterexample;
  const control = controlPath(v);
  if (!cx && expected !== 'holds' && control) {
    // search missed within its budget: the mutant's explicit negative control must break it
    const res = replay(readTrace(control), v.sem, { keepFrom: Infinity });
    const got = res.broken?.property ?? null;
    return { variant: v.def.name, expected, verdict: got ? `violates ${got} (control trace)` : 'holds', invariant: got, shrunkLength: got ? res.broken!.step + 1 : null, runsToFind: null, ms: Date.now() - t0, pass: got === expected };
  }
  return {
    variant: v.def.name, expected, verdict: cx ? `violates ${cx.property}` : 'holds', invariant: cx?.property ?? null,
    shrunkLength: cx?.shrunkLength ?? null, runsToFind: cx?.runsToFind ?? null, ms: cx ? cx.msToFind : Date.now() - t0,
    pass: expected === 'holds' ? !cx : cx?.property === expected,
  };
}

/** The names a variant file can use: rules, effects or hooks, as text or JSON. */
function listNames(values: Parsed['values'], io: Out): void {
  const rows: { name: string; kernel: string; doc: string; errno?: string; default?: boolean; since?: number; until?: number }[] = [];
  if (values.rules) {
    for (const [name, r] of Object.entries(RULES) as [string, RuleInfo][]) {
      rows.push({ name, errno: r.errno, kernel: r.kernel, doc: r.doc, ...(r.since !== undefined ? { since: r.since } : {}), ...(r.until !== undefined ? { until: r.until } : {}) });
    }
  } else if (values.effects) {
    for (const [name, e] of Object.entries(EFFECTS)) rows.push({ name, default: e.default, kernel: e.kernel, doc: e.doc });
  } else {
    for (const name of HOOK_NAMES) rows.push({ name, kernel: HOOK_DOCS[name], doc: '' });
  }
  if (values.json) {
    io.out(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  for (const r of rows) {
    const extra = r.errno !== undefined ? `${r.errno.padEnd(11)}` : r.default !== undefined ? `${String(r.default).padEnd(6)}` : '';
    const era = r.since !== undefined || r.until !== undefined ? ` [${r.since !== undefined ? `since ${r.since}` : ''}${r.since !== undefined && r.until !== undefined ? ', ' : ''}${r.until !== undefined ? `until ${r.until}` : ''}]` : '';
    io.out(`${r.name.padEnd(width)}${extra}${r.kernel}${era}${r.doc ? `\n${' '.repeat(width)}${r.doc}` : ''}\n`);
  }
}

async function run({ values }: Parsed, io: Out): Promise<number> {
  if (values.rules || values.effects || values.hooks) {
    listNames(values, io);
    return 0;
  }
  if (!values.check) {
    if (values.json) io.out(JSON.stringify(BUILTIN_VARIANTS.map((v) => ({ name: v.name, doc: v.doc, expect: v.expect ?? 'holds', knownFindings: v.knownFindings ?? [], source: v.source ?? null })), null, 2) + '\n');
    else for (const v of BUILTIN_VARIANTS) io.out(`${v.name.padEnd(Math.max(...BUILTIN_VARIANTS.map((b) => b.name.length)))} ${(v.expect === undefined || v.expect === 'holds' ? 'holds' : `→ ${v.expect.violates}`).padEnd(34)} ${v.doc}\n`);
    return 0;
  }
  checkOutputs(values, [], ['junit', 'summary']);
  const runs = values.runs as number;
  const seed = values.seed as number;
  const maxSteps = values['max-steps'] as number;
  const scope = loadScope(values.scope as string);
  const rows: MatrixRow[] = [];
  const progress = new Progress(io, 1000);
  let interrupted = false;
  for (const def of BUILTIN_VARIANTS) {
    if (interruption.requested) {
      interrupted = true;
      break;
    }
    progress.update((ms) => `variant ${rows.length + 1}/${BUILTIN_VARIANTS.length} (${def.name}), ${Progress.rate(rows.length, BUILTIN_VARIANTS.length, ms, 'variants')}`, true);
    rows.push(await checkVariant(resolveVariant(def.name), scope, runs, seed, maxSteps));
  }
  progress.done();
  if (typeof values.junit === 'string') {
    writeFileAtomic(values.junit, junitXml('nscheck variants', rows.map((r) => {
      const c = { classname: 'nscheck.variants', name: `${r.variant}: expected ${r.expected}`, time: r.ms / 1000 };
      return r.pass ? c : { ...c, failure: { message: `expected ${r.expected}, got ${r.verdict}`, text: `${r.variant}: ${r.verdict} (seed ${seed}, ${runs} runs)` } };
    })));
  }
  const passed = rows.filter((r) => r.pass).length;
  if (typeof values.summary === 'string') {
    const lines = ['## nscheck variants', '', `${passed} of ${BUILTIN_VARIANTS.length} variants as expected (seed ${seed}, up to ${runs} runs each)${interrupted ? ', interrupted' : ''}.`, '',
      '| | variant | expected | verdict | shrunk | runs to find | time |', '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.pass ? '✅' : '❌'} | ${md(r.variant)} | ${md(r.expected)} | ${md(r.verdict)} | ${r.shrunkLength ?? '–'} | ${r.runsToFind ?? '–'} | ${r.ms} ms |`)];
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (values.json) io.out(JSON.stringify({ runs, seed, maxSteps, interrupted, rows }, null, 2) + '\n');
  else {
    const w = Math.max(11, ...rows.map((r) => r.variant.length));
    io.out(`${'variant'.padEnd(w)} ${'expected'.padEnd(30)} ${'verdict'.padEnd(44)} ${'len'.padStart(3)} ${'runs'.padStart(5)} ${'time'.padStart(8)}\n`);
    for (const r of rows) {
      io.out(`${r.variant.padEnd(w)} ${r.expected.padEnd(30)} ${r.verdict.padEnd(44)} ${String(r.shrunkLength ?? '-').padStart(3)} ${String(r.runsToFind ?? '-').padStart(5)} ${(r.ms + 'ms').padStart(8)}  ${r.pass ? paint('green', 'ok') : paint('red', 'FAIL')}\n`);
    }
    io.out(`${passed} of ${BUILTIN_VARIANTS.length} variants as expected${interrupted ? ' (interrupted)' : ''}\n`);
  }
  if (interrupted) return EXIT_INTERRUPTED;
  return rows.every((r) => r.pass) && rows.length === BUILTIN_VARIANTS.length ? 0 : 1;
}

export const command = { spec, run };
