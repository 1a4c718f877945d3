// nscheck variants [--check] [--json]: the built-in variants, and the matrix of checking each.

import { check } from '../model/check';
import { replay } from '../model/replay';
import { readTrace } from '../model/trace';
import { semanticsOf } from '../spec/variants/define';
import { BUILTIN_VARIANTS } from '../spec/variants';
import { md } from '../reports/escape';
import { junitXml } from '../reports/junit';
import { writeFileAtomic } from '../reports/write';
import { parse, UsageError, type Out } from './cli';

const HELP = `usage: nscheck variants [--check] [--runs N] [--seed N] [--json] [--junit FILE] [--summary FILE]

Lists the built-in variants: kernel-history profiles (which must hold every invariant) and
mutants re-creating historical bugs (each must be caught by the invariant it names).
--check runs the checker on each and prints a matrix; exit 0 only when every profile holds
and every mutant is caught by its expected invariant. --junit writes one test case per variant,
--summary a Markdown table for a CI job page.`;

export interface MatrixRow {
  readonly variant: string;
  readonly expected: string;
  readonly verdict: string;
  readonly invariant: string | null;
  readonly shrunkLength: number | null;
  readonly ms: number;
  readonly pass: boolean;
}

export async function variantsMatrix(runs: number, seed: number, maxSteps = 40): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const def of BUILTIN_VARIANTS) {
    const sem = semanticsOf(def);
    const expected = def.expect === undefined || def.expect === 'holds' ? 'holds' : def.expect.violates;
    const t0 = Date.now();
    const r = await check({ sem, runs, maxSteps, seed, now: Date.now, ignore: def.knownFindings ?? [], ...(expected !== 'holds' ? { target: expected } : {}) });
    const ms = Date.now() - t0;
    const cx = r.counterexample;
    if (!cx && expected !== 'holds' && def.control) {
      // search missed within its budget: the mutant's explicit negative control must break it
      const trace = readTrace(def.control);
      const res = replay(trace, sem);
      const got = res.broken?.property ?? null;
      rows.push({ variant: def.name, expected, verdict: got ? `violates ${got} (control trace)` : 'holds', invariant: got, shrunkLength: got ? res.broken!.step + 1 : null, ms: Date.now() - t0, pass: got === expected });
      continue;
    }
    rows.push({
      variant: def.name, expected, verdict: cx ? `violates ${cx.property}` : 'holds', invariant: cx?.property ?? null,
      shrunkLength: cx?.shrunkLength ?? null, ms, pass: expected === 'holds' ? !cx : cx?.property === expected,
    });
  }
  return rows;
}

export async function variantsCommand(argv: string[], io: Out): Promise<number> {
  const { values } = parse(argv, {
    check: { type: 'boolean' }, json: { type: 'boolean' }, runs: { type: 'string' }, seed: { type: 'string' },
    junit: { type: 'string' }, summary: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  if (!values.check) {
    if (values.json) io.out(JSON.stringify(BUILTIN_VARIANTS.map((v) => ({ name: v.name, doc: v.doc, expect: v.expect ?? 'holds', source: v.source ?? null })), null, 2) + '\n');
    else for (const v of BUILTIN_VARIANTS) io.out(`${v.name.padEnd(11)} ${(v.expect === undefined || v.expect === 'holds' ? 'holds' : `→ ${v.expect.violates}`).padEnd(34)} ${v.doc}\n`);
    return 0;
  }
  const count = (name: string, v: string | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, not "${v}"`);
    return Number(v);
  };
  const runs = count('runs', values.runs, 2000);
  const seed = count('seed', values.seed, 1);
  const rows = await variantsMatrix(runs, seed);
  if (values.junit !== undefined) {
    writeFileAtomic(values.junit, junitXml('nscheck variants', rows.map((r) => {
      const c = { classname: 'nscheck.variants', name: `${r.variant}: expected ${r.expected}`, time: r.ms / 1000 };
      return r.pass ? c : { ...c, failure: { message: `expected ${r.expected}, got ${r.verdict}`, text: `${r.variant}: ${r.verdict} (seed ${seed}, ${runs} runs)` } };
    })));
  }
  if (values.summary !== undefined) {
    const lines = ['## nscheck variants', '', `${rows.filter((r) => r.pass).length} of ${rows.length} variants as expected (seed ${seed}, up to ${runs} runs each).`, '',
      '| | variant | expected | verdict | shrunk | time |', '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.pass ? '✅' : '❌'} | ${md(r.variant)} | ${md(r.expected)} | ${md(r.verdict)} | ${r.shrunkLength ?? '–'} | ${r.ms} ms |`)];
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (values.json) io.out(JSON.stringify({ runs, seed, rows }, null, 2) + '\n');
  else {
    io.out(`${'variant'.padEnd(11)} ${'expected'.padEnd(30)} ${'verdict'.padEnd(40)} ${'len'.padStart(3)} ${'time'.padStart(7)}  \n`);
    for (const r of rows) {
      io.out(`${r.variant.padEnd(11)} ${r.expected.padEnd(30)} ${r.verdict.padEnd(40)} ${String(r.shrunkLength ?? '-').padStart(3)} ${(r.ms + 'ms').padStart(7)}  ${r.pass ? 'ok' : 'FAIL'}\n`);
    }
    io.out(`${rows.filter((r) => r.pass).length} of ${rows.length} variants as expected\n`);
  }
  return rows.every((r) => r.pass) ? 0 : 1;
}
