// nscheck merge RESULT.json...: one verdict from the results of the shards of an exhaustive
// search (nscheck check --exhaustive --shard i/n --json > RESULT.json).

import { readLimited } from '../../model/trace';
import { InputError } from '../../model/trace';
import { md, mdCode } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { writeFileAtomic } from '../../reports/write';
import type { CommandSpec, Parsed } from '../args';
import { paint, type Out } from '../term';
import { checkOutputs } from './common';

const spec: CommandSpec = {
  name: 'merge',
  positionals: { name: 'RESULT.json...', min: 1, max: 4096 },
  summary: `Combines the JSON results of the shards of one exhaustive search (same variant, scope and depth) into one
verdict: the shortest counterexample over all shards, the counts summed (a state two shards both reached is
counted twice), and whether every shard 0..n-1 is there and complete.`,
  options: {
    json: { type: 'bool', help: 'one JSON document on stdout' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML (one test case)' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown summary for a CI job page' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Exit 0 no violation in any shard and every shard complete, 1 a violation (or a variant that should break a\nproperty and does not), 2 bad input, missing or incomplete shards.',
};

interface ShardResult {
  mode: string; variant: string; scope: string; depth: number; depthDone: number; stopped: string;
  distinct: number; generated: number; ms: number; shard?: { index: number; count: number };
  expected?: string; asExpected?: boolean;
  counterexamples: { property: string; depth: number; violation: { message: string }; trace: { steps: { task: string; op: string; args?: object; expect?: string }[] } }[];
}

function load(file: string): ShardResult {
  let doc: unknown;
  try {
    doc = JSON.parse(readLimited(file, 256 * 1024 * 1024, 'result file'));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: not valid JSON`);
  }
  const d = doc as Partial<ShardResult>;
  if (typeof d !== 'object' || d === null || d.mode !== 'exhaustive' || typeof d.variant !== 'string' || typeof d.depth !== 'number' || !Array.isArray(d.counterexamples)) {
    throw new InputError(`${file}: not the JSON result of nscheck check --exhaustive`);
  }
  return d as ShardResult;
}

async function run({ values, positionals }: Parsed, io: Out): Promise<number> {
  checkOutputs(values, [], ['junit', 'summary']);
  const results = positionals.map((f) => ({ file: f, r: load(f) }));
  const first = results[0]!.r;
  for (const { file, r } of results) {
    if (r.variant !== first.variant || r.scope !== first.scope || r.depth !== first.depth) throw new InputError(`${file}: a result of another search (${r.variant}, scope ${r.scope}, depth ${r.depth}; the first is ${first.variant}, scope ${first.scope}, depth ${first.depth})`);
  }
  const count = first.shard?.count ?? 1;
  const have = new Set(results.map(({ r }) => r.shard?.index ?? 0));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
  const incomplete = results.filter(({ r }) => r.stopped === 'interrupted').map(({ file }) => file);
  const cxs = results.flatMap(({ r }) => r.counterexamples.map((c) => ({ ...c, shard: r.shard?.index ?? 0 })))
    .sort((a, b) => a.depth - b.depth || a.property.localeCompare(b.property) || a.shard - b.shard);
  const byProperty = new Map<string, (typeof cxs)[number]>();
  for (const c of cxs) if (!byProperty.has(c.property)) byProperty.set(c.property, c);
  const distinct = results.reduce((s, { r }) => s + r.distinct, 0);
  const generated = results.reduce((s, { r }) => s + r.generated, 0);
  const expected = first.expected ?? 'holds';
  const broken = [...byProperty.keys()];
  const asExpected = expected === 'holds' ? broken.length === 0 : broken.includes(expected);
  const complete = missing.length === 0 && incomplete.length === 0;
  const statement = `${distinct.toLocaleString('en')} distinct states (summed over ${results.length} of ${count} shard(s)), ${generated.toLocaleString('en')} transitions, depth ${first.depth}, scope ${first.scope}, variant ${first.variant}`;
  if (values.json) {
    io.out(JSON.stringify({ mode: 'merge', variant: first.variant, scope: first.scope, depth: first.depth, shards: count, merged: results.length, missing, incomplete, complete, distinct, generated, expected, asExpected, counterexamples: [...byProperty.values()] }, null, 2) + '\n');
  } else {
    io.out(`nscheck merge: ${statement}\n`);
    if (missing.length) io.out(`${paint('yellow', 'missing')} shard(s): ${missing.join(', ')}\n`);
    if (incomplete.length) io.out(`${paint('yellow', 'interrupted')}: ${incomplete.join(', ')}\n`);
    for (const c of byProperty.values()) {
      io.out(`${paint('red', 'VIOLATION')}: ${c.property} at depth ${c.depth} (shard ${c.shard}): ${c.violation.message}\n`);
      c.trace.steps.forEach((s, i) => io.out(`  ${String(i).padStart(3)}  ${s.task}: ${s.op}(${JSON.stringify(s.args ?? {}).slice(1, -1)}) = ${s.expect ?? '?'}\n`));
    }
    if (complete && broken.length === 0) io.out(`${paint(expected === 'holds' ? 'green' : 'red', 'no violation')}: every trace of at most ${first.depth} steps in scope ${first.scope} keeps every property\n`);
  }
  const name = `${first.variant}: every trace of at most ${first.depth} steps in scope ${first.scope} (${count} shards)`;
  if (typeof values.junit === 'string') {
    const ms = results.reduce((s, { r }) => s + r.ms, 0);
    const c0 = [...byProperty.values()][0];
    const c = { classname: 'nscheck.merge', name, time: ms / 1000 };
    writeFileAtomic(values.junit, junitXml('nscheck merge', [
      !complete ? { ...c, error: { message: `incomplete: missing shards ${missing.join(', ') || 'none'}, interrupted ${incomplete.length}` } }
        : asExpected ? c : { ...c, failure: { message: c0 ? `${c0.property}: ${c0.violation.message}` : `expected ${expected}`, text: c0 ? c0.trace.steps.map((s) => `${s.task}: ${s.op} = ${s.expect ?? '?'}`).join('\n') : '' } },
    ]));
  }
  if (typeof values.summary === 'string') {
    const lines = ['## nscheck merge', '', `${!complete ? '⚠️ incomplete' : asExpected ? '✅' : '❌'} ${md(statement)}`];
    for (const c of byProperty.values()) lines.push('', `**${md(c.property)}** at depth ${c.depth} (shard ${c.shard}): ${md(c.violation.message)}`, '', mdCode(c.trace.steps.map((s, i) => `${i}  ${s.task}: ${s.op}(${JSON.stringify(s.args ?? {}).slice(1, -1)}) = ${s.expect ?? '?'}`).join('\n')));
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (!complete) return 2;
  return asExpected ? 0 : 1;
}

export const command = { spec, run };
