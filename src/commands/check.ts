// nscheck check: random exploration with every property checked after every step.

import { check, emptyCoverage, type CheckResult, type Coverage } from '../../model/check';
import { traceToJson } from '../../model/trace';
import { loadVariant, type LoadedVariant } from '../../model/variants';
import { md, mdCode } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { checkOutputDir, checkOutputFile, writeFileAtomic } from '../../reports/write';
import { RULES, RULE_NAMES } from '../../spec/rules';
import { ruleInForce } from '../../spec/semantics';
import type { CommandSpec, Parsed } from '../args';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { duration, paint, Progress, type Out } from '../term';
import { saveCounterexample, type Saved } from './counterexample';

export const DEFAULT_OUT = 'nscheck-out';

const spec: CommandSpec = {
  name: 'check',
  summary: 'Explores random syscall sequences under a variant, checks every invariant after every step, and shrinks a\nviolation to a 1-minimal trace, saved with an HTML report of the kernel objects.',
  options: {
    variant: { type: 'string', arg: 'NAME|FILE', default: 'linux-6.18', help: 'the semantics: a built-in variant or a variant file (.ts, .js, .mjs)' },
    runs: { type: 'int', arg: 'N', default: 1000, min: 1, max: 1e9, help: 'random runs' },
    'max-steps': { type: 'int', arg: 'N', default: 40, min: 1, max: 100000, help: 'steps per run at most' },
    seed: { type: 'int', arg: 'N', default: 1, min: 0, max: 0xffffffff, help: 'seed: the same seed gives the same result' },
    time: { type: 'int', arg: 'SECONDS', min: 1, max: 1e7, help: 'stop starting runs after this long' },
    out: { type: 'string', arg: 'DIR', default: DEFAULT_OUT, help: 'where a counterexample is saved (DIR/<variant>-<property>.trace.json and a report folder)' },
    itf: { type: 'string', arg: 'FILE', help: 'also write the counterexample as an ITF trace (Apalache/Quint), see docs/itf.md' },
    coverage: { type: 'bool', help: 'print which results and rules the search reached' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML for CI (one test case)' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown summary for a CI job page' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Exit 0 no violation, 1 violation, 2 usage or bad input, 3 internal error, 130 interrupted (what was found so far is\nreported).',
};

/** Check every output path before the search: a typo must not cost a long run. */
export function checkOutputs(v: Parsed['values'], dirs: readonly string[], files: readonly string[]): void {
  for (const d of dirs) if (typeof v[d] === 'string') checkOutputDir(v[d] as string, `--${d}`);
  for (const f of files) if (typeof v[f] === 'string') checkOutputFile(v[f] as string, `--${f}`);
}

async function run({ values }: Parsed, io: Out): Promise<number> {
  const runs = values.runs as number;
  const maxSteps = values['max-steps'] as number;
  const seed = values.seed as number;
  const out = values.out as string;
  checkOutputs(values, ['out'], ['itf', 'junit', 'summary']);
  const v: LoadedVariant = await loadVariant(values.variant as string);
  const sem = v.sem;
  const coverage = emptyCoverage();
  const progress = new Progress(io);
  const started = Date.now();
  const result: CheckResult = await check({
    sem, runs, maxSteps, seed, coverage, now: Date.now, ignore: v.def.knownFindings ?? [],
    ...(values.time !== undefined ? { timeMs: (values.time as number) * 1000 } : {}),
    shouldStop: () => interruption.requested,
    onProgress: (done, steps) => progress.update((ms) => `${done}/${runs} runs, ${steps.toLocaleString('en')} steps, ${Progress.rate(done, runs, ms, 'runs')}`),
  });
  progress.done();
  const elapsed = Date.now() - started;
  const cx = result.counterexample;
  const interrupted = result.stopped === 'interrupted';
  const head = `nscheck check: variant ${sem.name}, seed ${seed}, ${result.runs} run(s), ${result.steps.toLocaleString('en')} step(s) in ${duration(elapsed)}${interrupted ? ' (interrupted)' : result.stopped === 'time' ? ' (time budget reached)' : ''}\n`;
  let saved: Saved | undefined;
  if (cx) {
    saved = await saveCounterexample(io, { property: cx.property, violation: cx.failure.violation, trace: { ...cx.trace, source: `nscheck check --variant ${v.arg} --seed ${seed} --max-steps ${maxSteps}` } }, v, {
      dir: out, seed, text: !values.json, header: head,
      ...(typeof values.itf === 'string' ? { itf: values.itf } : {}),
    });
    if (!values.json) io.out(`found after ${cx.runsToFind} run(s) in ${duration(cx.msToFind)}; shrunk from ${cx.foundLength} to ${cx.shrunkLength} step(s)\n`);
  } else if (!values.json) {
    io.out(head);
    io.out(interrupted ? `${paint('yellow', 'interrupted')}: no violation in the runs done\n` : `${paint('green', 'no violation')}\n`);
  }
  const caseName = `${sem.name}: every invariant after every step (seed ${seed})`;
  const verdict = cx ? `${cx.property}: ${cx.failure.violation.message}` : interrupted ? 'interrupted' : 'no violation';
  if (typeof values.junit === 'string') {
    const c = { classname: 'nscheck.check', name: caseName, time: elapsed / 1000 };
    writeFileAtomic(values.junit, junitXml('nscheck check', [
      cx ? { ...c, failure: { message: verdict, text: (saved?.lines ?? []).join('\n') } } : interrupted ? { ...c, error: { message: `interrupted after ${result.runs} of ${runs} runs` } } : c,
    ]));
  }
  if (typeof values.summary === 'string') {
    const status = cx ? `❌ **${md(cx.property)}** broken` : interrupted ? '⚠️ interrupted' : '✅ no violation';
    const lines = ['## nscheck check', '', `variant **${md(sem.name)}**, seed ${seed}, ${result.runs} run(s), ${result.steps} step(s) in ${duration(elapsed)}: ${status}`];
    if (cx && saved) lines.push('', md(cx.failure.violation.message), '', mdCode(saved.lines.join('\n')), '', `trace: ${md(saved.file ?? '(not saved)')}, report: ${md(saved.report ?? '(not saved)')}`);
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (values.json) {
    io.out(JSON.stringify({
      mode: 'random', variant: sem.name, doc: v.def.doc, seed, runs: result.runs, steps: result.steps, stopped: result.stopped, ms: elapsed,
      muted: v.def.knownFindings ?? [],
      counterexample: cx ? {
        property: cx.property, violation: cx.failure.violation, shrunkLength: cx.shrunkLength, foundLength: cx.foundLength,
        runsToFind: cx.runsToFind, msToFind: cx.msToFind, file: saved?.file ?? null, report: saved?.report ?? null, itf: saved?.itf ?? null,
        trace: JSON.parse(traceToJson(cx.trace)) as unknown,
      } : null,
      ...(values.coverage ? { coverage: coverageJson(coverage, sem.kernel) } : {}),
    }, null, 2) + '\n');
  } else if (values.coverage) io.out(coverageText(coverage, sem.kernel));
  if (cx) return 1;
  return interrupted ? EXIT_INTERRUPTED : 0;
}

export const command = { spec, run };

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
