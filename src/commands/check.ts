// nscheck check: random exploration with every property checked after every step.

import { coverageReport, coverageText as rulesText } from '../../model/search/coverage';
import { emptyCoverage, randomSearch, randomSemantics, type Coverage, type RandomResult } from '../../model/search/random';
import { loadScope } from '../../model/search/scope';
import { replay } from '../../model/replay';
import { readTrace, traceToJson } from '../../model/trace';
import { controlPath, loadVariant, type LoadedVariant } from '../../model/variants';
import { md, mdCode } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { writeFileAtomic } from '../../reports/write';
import { UsageError, type CommandSpec, type Parsed } from '../args';
import { parseShard, runExhaustive } from './check-exhaustive';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { duration, paint, Progress, type Out } from '../term';
import { saveCounterexample, type Saved } from './counterexample';
import { checkOutputs, expectedOf } from './common';

export const DEFAULT_OUT = 'nscheck-out';

const spec: CommandSpec = {
  name: 'check',
  summary: `Searches for a violation of the properties under a variant (default linux-6.18).
Random (the default): random syscall sequences drawn from the scope, every invariant after every step; a violation
is shrunk to a minimal trace. Exhaustive (--exhaustive --depth K): every trace of at most K steps the scope
allows, breadth-first, so a violation is found at its smallest depth; no violation is the statement that every
such trace keeps every property. A counterexample is saved as a trace with an HTML report of the kernel objects.`,
  options: {
    variant: { type: 'string', arg: 'NAME|FILE', default: 'linux-6.18', help: 'the semantics: a built-in variant or a variant file (.ts, .js, .mjs)' },
    exhaustive: { type: 'bool', help: 'explore every trace up to --depth (bounded model checking)' },
    depth: { type: 'int', arg: 'K', default: 3, min: 0, max: 50, help: 'exhaustive: the longest traces explored' },
    scope: { type: 'string', arg: 'NAME|FILE', help: 'the action space: a preset (small, default) or a scope file (docs/scope.md); default: default' },
    workers: { type: 'int', arg: 'N', min: 1, max: 64, help: 'exhaustive: worker threads (default: the cores)' },
    shard: { type: 'string', arg: 'i/n', help: 'exhaustive: explore only shard i of n (for a CI matrix; combine with nscheck merge)' },
    'max-errors': { type: 'int', arg: 'N', default: 1, min: 1, max: 1000, help: 'exhaustive: go on until N properties have a shortest counterexample' },
    'no-symmetry': { type: 'bool', help: 'exhaustive: do not merge states that differ only by a renaming' },
    runs: { type: 'int', arg: 'N', default: 10000, min: 1, max: 1e9, help: 'random: runs' },
    'max-steps': { type: 'int', arg: 'N', default: 40, min: 1, max: 100000, help: 'random: steps per run at most' },
    seed: { type: 'int', arg: 'N', default: 1, min: 0, max: 0xffffffff, help: 'random: the seed (the same seed gives the same result)' },
    'no-swarm': { type: 'bool', help: 'random: every run uses every op and flag set of the scope (default: each run its own subset, swarm testing)' },
    time: { type: 'int', arg: 'SECONDS', min: 1, max: 1e7, help: 'random: stop starting runs after this long' },
    out: { type: 'string', arg: 'DIR', default: DEFAULT_OUT, help: 'where a counterexample is saved (DIR/<variant>-<property>.trace.json and a report folder)' },
    itf: { type: 'string', arg: 'FILE', help: 'also write the counterexample as an ITF trace (Apalache/Quint), see docs/itf.md' },
    coverage: { type: 'bool', help: 'print which results and rules the search reached' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML for CI (one test case)' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown summary for a CI job page' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: `A variant that expects a violation (a mutant, or a file with expect: {violates: X}) is searched for X: it passes
when X breaks, or, if search misses, when its control trace breaks X.
Exit 0 the variant behaves as it expects (default: no violation), 1 it does not, 2 usage or bad input,
3 internal error, 130 interrupted (what was found so far is reported).`,
};

const RANDOM_ONLY = ['runs', 'max-steps', 'seed', 'time', 'no-swarm'];
const EXHAUSTIVE_ONLY = ['depth', 'workers', 'shard', 'max-errors', 'no-symmetry'];

async function run({ values, given }: Parsed, io: Out): Promise<number> {
  // options of the other mode are mistakes, not silently ignored
  const wrong = (values.exhaustive ? RANDOM_ONLY : EXHAUSTIVE_ONLY).find((o) => given.has(o));
  if (wrong) throw new UsageError(`--${wrong} ${values.exhaustive ? 'is for random search (without --exhaustive)' : 'needs --exhaustive'}`);
  if (values.exhaustive) {
    if (typeof values.shard === 'string') parseShard(values.shard);
    checkOutputs(values, ['out'], ['itf', 'junit', 'summary']);
    return runExhaustive(values, await loadVariant(values.variant as string), io);
  }
  const runs = values.runs as number;
  const maxSteps = values['max-steps'] as number;
  const seed = values.seed as number;
  const out = values.out as string;
  checkOutputs(values, ['out'], ['itf', 'junit', 'summary']);
  const scopeArg = (values.scope as string | undefined) ?? 'default';
  const scope = loadScope(scopeArg);
  const v: LoadedVariant = await loadVariant(values.variant as string);
  const { sem, semWithLimits } = randomSemantics(v.def, scope);
  const expected = expectedOf(v);
  const coverage = emptyCoverage();
  const progress = new Progress(io);
  const started = Date.now();
  const result: RandomResult = await randomSearch({
    sem, semWithLimits, scope, runs, maxSteps, seed, coverage, now: Date.now, ignore: v.def.knownFindings ?? [], noSwarm: values['no-swarm'] === true,
    ...(expected !== 'holds' ? { target: expected } : {}),
    ...(values.time !== undefined ? { timeMs: (values.time as number) * 1000 } : {}),
    shouldStop: () => interruption.requested,
    onProgress: (done, steps) => progress.update((ms) => `${done}/${runs} runs, ${steps.toLocaleString('en')} steps, ${Progress.rate(done, runs, ms, 'runs')}`),
  });
  progress.done();
  const elapsed = Date.now() - started;
  const cx = result.counterexample;
  const interrupted = result.stopped === 'interrupted';
  const head = `nscheck check: variant ${sem.name}, scope ${scope.name}, seed ${seed}, ${result.runs} run(s), ${result.steps.toLocaleString('en')} step(s) in ${duration(elapsed)}${interrupted ? ' (interrupted)' : result.stopped === 'time' ? ' (time budget reached)' : ''}\n`;
  let saved: Saved | undefined;
  if (cx) {
    saved = await saveCounterexample(io, { property: cx.property, violation: cx.failure.violation, trace: { ...cx.trace, source: `nscheck check --variant ${v.arg} --scope ${scopeArg} --seed ${seed} --max-steps ${maxSteps}${values['no-swarm'] ? ' --no-swarm' : ''}` } }, v, {
      dir: out, seed, text: !values.json, header: head,
      ...(typeof values.itf === 'string' ? { itf: values.itf } : {}),
    });
    if (!values.json) io.out(`found after ${cx.runsToFind} run(s) (${cx.stepsToFind.toLocaleString('en')} steps) in ${duration(cx.msToFind)}; shrunk from ${cx.foundLength} to ${cx.shrunkLength} step(s), the shortest of ${cx.finds} find(s) in ${cx.extraRuns} more run(s)\n`);
  } else if (!values.json) {
    io.out(head);
    io.out(interrupted ? `${paint('yellow', 'interrupted')}: no violation in the runs done\n` : `${paint(expected === 'holds' ? 'green' : 'yellow', 'no violation')}\n`);
  }
  // a variant that expects a violation search did not find: its control trace is the backstop
  let control: { file: string; broke: string | null } | undefined;
  const controlFile = controlPath(v);
  if (!cx && !interrupted && expected !== 'holds' && controlFile !== undefined) {
    const r = replay(readTrace(controlFile), v.sem, { keepFrom: Infinity });
    control = { file: controlFile, broke: r.broken?.property ?? null };
    if (!values.json) io.out(`control trace ${controlFile}: ${control.broke ? `violates ${control.broke}` : 'holds'}\n`);
  }
  const got = cx?.property ?? control?.broke ?? null;
  const asExpected = expected === 'holds' ? !cx : got === expected;
  if (!values.json && !interrupted) {
    io.out(expected === 'holds'
      ? ''
      : asExpected ? `${paint('green', 'as expected')}: ${sem.name} violates ${expected}\n` : `${paint('red', 'not as expected')}: ${sem.name} should violate ${expected}, ${got ? `but ${got} broke` : 'but nothing broke'}\n`);
  }
  const caseName = `${sem.name}: ${expected === 'holds' ? 'every invariant after every step' : `violates ${expected}`} (seed ${seed})`;
  const verdict = cx ? `${cx.property}: ${cx.failure.violation.message}` : interrupted ? 'interrupted' : control ? `control trace: ${control.broke ?? 'holds'}` : 'no violation';
  if (typeof values.junit === 'string') {
    const c = { classname: 'nscheck.check', name: caseName, time: elapsed / 1000 };
    writeFileAtomic(values.junit, junitXml('nscheck check', [
      interrupted ? { ...c, error: { message: `interrupted after ${result.runs} of ${runs} runs` } }
        : asExpected ? c : { ...c, failure: { message: `expected ${expected}: ${verdict}`, text: (saved?.lines ?? []).join('\n') } },
    ]));
  }
  if (typeof values.summary === 'string') {
    const status = interrupted && !cx ? '⚠️ interrupted' : `${asExpected ? '✅' : '❌'} ${cx ? `**${md(cx.property)}** broken` : 'no violation'}${expected !== 'holds' ? ` (expected: violates ${md(expected)})` : ''}`;
    const lines = ['## nscheck check', '', `variant **${md(sem.name)}**, seed ${seed}, ${result.runs} run(s), ${result.steps} step(s) in ${duration(elapsed)}: ${status}`];
    if (cx && saved) lines.push('', md(cx.failure.violation.message), '', mdCode(saved.lines.join('\n')), '', `trace: ${md(saved.file ?? '(not saved)')}, report: ${md(saved.report ?? '(not saved)')}`);
    writeFileAtomic(values.summary, lines.join('\n') + '\n');
  }
  if (values.json) {
    io.out(JSON.stringify({
      mode: 'random', variant: sem.name, scope: scope.name, swarm: values['no-swarm'] !== true, doc: v.def.doc, seed, runs: result.runs, steps: result.steps, stopped: result.stopped, ms: elapsed,
      expected, asExpected, muted: v.def.knownFindings ?? [], control: control ?? null,
      counterexample: cx ? {
        property: cx.property, violation: cx.failure.violation, shrunkLength: cx.shrunkLength, foundLength: cx.foundLength,
        runsToFind: cx.runsToFind, stepsToFind: cx.stepsToFind, msToFind: cx.msToFind, finds: cx.finds, extraRuns: cx.extraRuns, file: saved?.file ?? null, report: saved?.report ?? null, itf: saved?.itf ?? null,
        trace: JSON.parse(traceToJson(cx.trace)) as unknown,
      } : null,
      ...(values.coverage ? { coverage: { results: coverage.results, ...coverageReport(coverage.rules, sem.kernel, scope, undefined) } } : {}),
    }, null, 2) + '\n');
  } else if (values.coverage) io.out(coverageText(coverage) + rulesText(coverageReport(coverage.rules, sem.kernel, scope, undefined)));
  if (interrupted && !cx) return EXIT_INTERRUPTED;
  return asExpected ? 0 : 1;
}

export const command = { spec, run };

function coverageText(c: Coverage): string {
  const lines = ['coverage (operation × result):'];
  for (const op of Object.keys(c.results).sort()) {
    const byResult = c.results[op]!;
    lines.push(`  ${op.padEnd(12)} ${Object.keys(byResult).sort().map((r) => `${r}:${byResult[r]}`).join('  ')}`);
  }
  return lines.join('\n') + '\n';
}
