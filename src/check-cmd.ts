// nscheck check: random exploration with every property checked after every step.

import { mkdirSync } from 'node:fs';
import { writeFileAtomic as writeAtomic } from '../reports/write';

/** Write a file under a temporary name and rename it: nothing half-written. */
export { writeAtomic };
import { join } from 'node:path';
import { check, emptyCoverage, type CheckResult, type Coverage } from '../model/check';
import { replay, resultSuffix } from '../model/replay';
import { traceToJson } from '../model/trace';
import { md, mdCode } from '../reports/escape';
import { writeReports } from '../reports';
import { junitXml } from '../reports/junit';
import { resolveVariant } from '../model/variants';
import { RULES, RULE_NAMES } from '../spec/rules';
import { ruleInForce } from '../spec/semantics';
import { parse, UsageError, type Out } from './cli';

const HELP = `usage: nscheck check [--variant NAME|FILE] [--runs N] [--max-steps N] [--seed N] [--time SECONDS]
                     [--out DIR] [--coverage] [--json] [--junit FILE] [--summary FILE]

Explores random syscall sequences under a variant (default linux-6.18), checks every invariant
after every step, and shrinks a violation to a 1-minimal trace, saved to DIR (default
reports/out) as a trace file that "nscheck replay" reproduces, with an HTML report of the
kernel objects (DIR/<variant>-<invariant>/index.html). --junit and --summary write a JUnit test
case and a Markdown summary for CI.
Exit 0 no violation, 1 violation, 2 usage error, 3 internal error.`;

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} needs a whole number ≥ ${min}, not "${v}"`);
  return Number(v);
}


export async function checkCommand(argv: string[], io: Out): Promise<number> {
  const { values } = parse(argv, {
    variant: { type: 'string' }, runs: { type: 'string' }, 'max-steps': { type: 'string' }, seed: { type: 'string' },
    time: { type: 'string' }, out: { type: 'string' }, coverage: { type: 'boolean' }, json: { type: 'boolean' },
    junit: { type: 'string' }, summary: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  const runs = int('runs', values.runs, 1000, 1);
  const maxSteps = int('max-steps', values['max-steps'], 40, 1);
  const seed = int('seed', values.seed, 1, 0);
  const timeMs = values.time === undefined ? undefined : int('time', values.time, 0, 1) * 1000;
  const { def, sem } = resolveVariant(values.variant ?? 'linux-6.18');
  const coverage = emptyCoverage();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const started = Date.now();
  let lastProgress = started;
  let result: CheckResult;
  try {
    result = await check({
      sem, runs, maxSteps, seed, coverage, now: Date.now, ignore: def.knownFindings ?? [],
      ...(timeMs !== undefined ? { timeMs } : {}),
      shouldStop: () => interrupted,
      onProgress: (done, steps) => {
        if (Date.now() - lastProgress > 2000) {
          lastProgress = Date.now();
          io.err(`nscheck: ${done}/${runs} runs, ${steps} steps, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const cx = result.counterexample;
  let saved: string | undefined;
  let report: string | undefined;
  let lines: string[] = [];
  if (cx) {
    const dir = values.out ?? join('reports', 'out');
    mkdirSync(dir, { recursive: true });
    const base = `${sem.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${cx.property}`;
    saved = join(dir, `${base}.trace.json`);
    const trace = { ...cx.trace, source: `nscheck check --variant ${values.variant ?? 'linux-6.18'} --seed ${seed} --max-steps ${maxSteps}` };
    writeAtomic(saved, traceToJson(trace));
    report = join(dir, base, 'index.html');
    const replayed = replay(trace, sem);
    lines = replayed.steps.map((s) => `${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}`);
    await writeReports([{ file: saved, trace, result: replayed, variantDoc: def.doc, seed }], { reportDir: join(dir, base) });
  }
  const caseName = `${sem.name}: every invariant after every step (seed ${seed})`;
  const failure = cx ? { message: `${cx.property}: ${cx.failure.violation.message}`, text: lines.join('\n') } : undefined;
  if (values.junit !== undefined) {
    writeAtomic(values.junit, junitXml('nscheck check', [failure ? { classname: 'nscheck.check', name: caseName, failure } : { classname: 'nscheck.check', name: caseName }]));
  }
  if (values.summary !== undefined) {
    const lines = [`## nscheck check`, '', `variant **${md(sem.name)}**, seed ${seed}, ${result.runs} run(s), ${result.steps} step(s): ${cx ? `❌ **${md(cx.property)}** broken` : '✅ no violation'}`];
    if (cx && failure) lines.push('', md(cx.failure.violation.message), '', mdCode(failure.text), '', `trace: ${md(saved ?? '')}, report: ${md(report ?? '')}`);
    writeAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (values.json) {
    io.out(JSON.stringify({
      variant: sem.name, doc: def.doc, seed, runs: result.runs, steps: result.steps, stopped: result.stopped,
      counterexample: cx ? { property: cx.property, violation: cx.failure.violation, shrunkLength: cx.shrunkLength, foundLength: cx.foundLength, file: saved, trace: JSON.parse(traceToJson(cx.trace)) } : null,
      ...(values.coverage ? { coverage: coverageJson(coverage, sem.kernel) } : {}),
    }, null, 2) + '\n');
  } else {
    io.out(`nscheck check: variant ${sem.name}, seed ${seed}, ${result.runs} run(s), ${result.steps} step(s)${result.stopped === 'interrupted' ? ' (interrupted)' : result.stopped === 'time' ? ' (time budget reached)' : ''}\n`);
    if (cx) {
      io.out(`VIOLATION: ${cx.property}\n  ${cx.failure.violation.message}\n`);
      if (cx.failure.violation.expected !== undefined) io.out(`  expected ${cx.failure.violation.expected}, actual ${cx.failure.violation.actual}\n`);
      io.out(`shrunk from ${cx.foundLength} to ${cx.shrunkLength} step(s):\n`);
      for (const l of lines) io.out(`  ${l}\n`);
      io.out(`saved: ${saved}\nreport: ${report}\nreplay: nscheck replay ${saved}\n`);
    } else {
      io.out('no violation\n');
    }
    if (values.coverage) io.out(coverageText(coverage, sem.kernel));
  }
  return cx ? 1 : 0;
}

function coverageJson(c: Coverage, kernel: number) {
  const inForce = RULE_NAMES.filter((r) => ruleInForce(r, kernel));
  return { results: c.results, rules: c.rules, rulesNotReached: inForce.filter((r) => !(r in c.rules)) };
}

function coverageText(c: Coverage, kernel: number): string {
  const lines = ['coverage (operation × result):'];
  for (const op of Object.keys(c.results).sort()) {
    const byResult = c.results[op]!;
    lines.push(`  ${op.padEnd(12)} ${Object.keys(byResult).sort().map((r) => `${r}:${byResult[r]}`).join('  ')}`);
  }
  const inForce = RULE_NAMES.filter((r) => ruleInForce(r, kernel));
  const reached = inForce.filter((r) => r in c.rules);
  lines.push(`rules reached: ${reached.length} of ${inForce.length}`);
  const missed = inForce.filter((r) => !(r in c.rules));
  if (missed.length) lines.push(`  not reached: ${missed.map((r) => `${r} (${RULES[r].errno})`).join(', ')}`);
  return lines.join('\n') + '\n';
}
