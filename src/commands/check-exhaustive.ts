// nscheck check --exhaustive: every trace of at most K steps in a scope (model/search/).

import { exhaustive, type ExhaustiveResult } from '../../model/search/exhaustive';
import { coverageReport, coverageText } from '../../model/search/coverage';
import { loadScope } from '../../model/search/scope';
import { traceToJson } from '../../model/trace';
import type { LoadedVariant } from '../../model/variants';
import { md, mdCode } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { writeFileAtomic } from '../../reports/write';
import { UsageError, type Parsed } from '../args';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { duration, paint, Progress, type Out } from '../term';
import { expectedOf } from './common';
import { saveCounterexample, type Saved } from './counterexample';

/** `i/n`: shard i (from 0) of n. */
export function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(v);
  if (!m) throw new UsageError(`--shard needs i/n (shard i of n, from 0), not ${JSON.stringify(v.slice(0, 20))}`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new UsageError(`--shard ${v}: i must be below n`);
  return { index, count };
}

/** The statement of a run, as TLC gives one. */
export function statement(r: ExhaustiveResult): string {
  const where = `depth ${r.depthDone === r.depth || r.stopped === 'done' ? r.depth : `${r.depthDone} (of ${r.depth})`}, scope ${r.scope}, variant ${r.variant}`;
  const shard = r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : '';
  return `${r.distinct.toLocaleString('en')} distinct states, ${r.generated.toLocaleString('en')} transitions, ${where}${shard}`;
}

export function exhaustiveJson(r: ExhaustiveResult, extra: object = {}): object {
  return {
    mode: 'exhaustive', variant: r.variant, scope: r.scope, depth: r.depth, depthDone: r.depthDone, stopped: r.stopped,
    distinct: r.distinct, generated: r.generated, levels: r.levels, workers: r.workers, symmetry: r.symmetry,
    ...(r.shard ? { shard: r.shard } : {}), ms: r.ms, bytesPerState: Math.round(r.bytesPerState * 10) / 10, collisionProbability: r.collisionProbability,
    counterexamples: r.counterexamples.map((c) => ({ property: c.property, depth: c.depth, violation: c.failure.violation, trace: JSON.parse(traceToJson(c.trace)) as unknown })),
    ...extra,
  };
}

export async function runExhaustive(values: Parsed['values'], v: LoadedVariant, io: Out): Promise<number> {
  const scope = loadScope((values.scope as string | undefined) ?? 'default');
  const depth = values.depth as number;
  const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
  const expected = expectedOf(v);
  const progress = new Progress(io, 2000);
  const r = await exhaustive({
    def: v.def, variantArg: v.file ?? v.arg, scope, depth,
    ...(values.workers !== undefined ? { workers: values.workers as number } : {}),
    ...(shard ? { shard } : {}),
    maxErrors: values['max-errors'] as number,
    symmetry: !values['no-symmetry'],
    shouldStop: () => interruption.requested,
    onProgress: (p) => progress.update(() => `depth ${p.depth + 1}/${depth}, ${p.distinct.toLocaleString('en')} distinct, ${p.generated.toLocaleString('en')} generated, queue ${p.queue.toLocaleString('en')}, ${Math.round(p.distinct / Math.max(0.001, p.elapsedMs / 1000)).toLocaleString('en')} states/s, ${duration(p.elapsedMs)}`),
  });
  progress.done();
  const interrupted = r.stopped === 'interrupted';
  const text = !values.json;
  const saved: Saved[] = [];
  if (text) io.out(`nscheck check --exhaustive: ${statement(r)}, in ${duration(r.ms)} (${r.workers} worker${r.workers > 1 ? 's' : ''})\n`);
  for (const c of r.counterexamples) {
    saved.push(await saveCounterexample(io, { property: c.property, violation: c.failure.violation, trace: c.trace }, v, {
      dir: values.out as string, text, header: text ? `shortest counterexample, ${c.depth} step(s):\n` : '',
      ...(typeof values.itf === 'string' && saved.length === 0 ? { itf: values.itf } : {}),
    }));
  }
  const broken = r.counterexamples.map((c) => c.property);
  const asExpected = expected === 'holds' ? broken.length === 0 : broken.includes(expected);
  if (text) {
    if (interrupted) io.out(`${paint('yellow', 'interrupted')}: depths 0 to ${r.depthDone} were explored completely\n`);
    else if (broken.length === 0) io.out(`${paint(expected === 'holds' ? 'green' : 'red', 'no violation')}: every trace of at most ${r.depth} steps in scope ${r.scope} keeps every property (${statement(r)})\n`);
    if (expected !== 'holds' && !interrupted) io.out(asExpected ? `${paint('green', 'as expected')}: ${r.variant} violates ${expected} at depth ${r.counterexamples.find((c) => c.property === expected)!.depth}\n` : `${paint('red', 'not as expected')}: ${r.variant} should violate ${expected}\n`);
    io.out(`${r.generated ? (r.generated / Math.max(1, r.distinct)).toFixed(2) : '0'} transitions per distinct state; ${r.bytesPerState.toFixed(1)} bytes per state in the fingerprint set; collision probability ${r.collisionProbability.toExponential(1)}\n`);
    if (values.coverage) io.out(coverageText(coverageReport(r.rules, v.sem.kernel, scope, r.depth)));
  } else {
    io.out(JSON.stringify(exhaustiveJson(r, {
      doc: v.def.doc, expected, asExpected, muted: (v.def.knownFindings ?? []).map((f) => (typeof f === 'string' ? f : f.property)),
      files: saved.map((s) => s.file ?? null),
      ...(values.coverage ? { coverage: coverageReport(r.rules, v.sem.kernel, scope, r.depth) } : {}),
    }), null, 2) + '\n');
  }
  const caseName = `${r.variant}: every trace of at most ${r.depth} steps in scope ${r.scope}${r.shard ? ` (shard ${r.shard.index}/${r.shard.count})` : ''}`;
  if (typeof values.junit === 'string') {
    const c = { classname: 'nscheck.check.exhaustive', name: caseName, time: r.ms / 1000 };
    const first = r.counterexamples[0];
    writeFileAtomic(values.junit, junitXml('nscheck check --exhaustive', [
      interrupted ? { ...c, error: { message: `interrupted: depths 0 to ${r.depthDone} explored` } }
        : asExpected ? c : { ...c, failure: { message: first ? `${first.property}: ${first.failure.violation.message}` : `expected ${expected}, no violation`, text: (saved[0]?.lines ?? []).join('\n') } },
    ]));
  }
  if (typeof values.summary === 'string') {
    const lines = ['## nscheck check --exhaustive', '', `${interrupted ? '⚠️ interrupted' : asExpected ? '✅' : '❌'} ${md(statement(r))}, in ${duration(r.ms)}`];
    for (let i = 0; i < r.counterexamples.length; i++) {
      const c = r.counterexamples[i]!;
      lines.push('', `**${md(c.property)}** at depth ${c.depth}: ${md(c.failure.violation.message)}`, '', mdCode((saved[i]?.lines ?? []).join('\n')));
    }
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (interrupted) return EXIT_INTERRUPTED;
  return asExpected ? 0 : 1;
}
