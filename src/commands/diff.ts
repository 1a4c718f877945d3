// nscheck diff A B: the shortest traces that tell two variants apart, grouped into classes of
// behaviour change (model/diff/).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExpectedClasses, sideBySide, witnessTrace, type DiffClass } from '../../model/diff/classes';
import { diffExhaustive } from '../../model/diff/product';
import { diffRandom } from '../../model/diff/random';
import { replay } from '../../model/replay';
import { loadScope } from '../../model/search/scope';
import { searchSemantics } from '../../model/search/scope';
import { traceToJson } from '../../model/trace';
import { loadVariant, type LoadedVariant } from '../../model/variants';
import { diffHtml, diffMarkdown, type DiffClassReport } from '../../reports/diff';
import { md } from '../../reports/escape';
import { junitXml } from '../../reports/junit';
import { writeFileAtomic } from '../../reports/write';
import { mkdirs as ensureDir } from '../../model/files';
import { describeStep } from '../../spec/ops';
import { initialState } from '../../spec/initial';
import { runStep } from '../../spec/ops';
import { UsageError, type CommandSpec, type Parsed } from '../args';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { duration, paint, Progress, type Out } from '../term';
import { checkOutputs } from './common';
import { fileBase } from './counterexample';

const spec: CommandSpec = {
  name: 'diff',
  positionals: { name: 'A B', min: 2, max: 2 },
  summary: `Finds the shortest traces on which two variants (profiles, mutants, variant files) give different results, and
groups them into classes: the op, the rule that decided the step in A and in B, and the result in A → B. Exhaustive
by default: breadth first over pairs of states, the same action on both sides, every trace of at most --depth steps
in --scope; --random N for longer traces. A witness agrees on every step but its last.`,
  options: {
    depth: { type: 'int', arg: 'K', default: 2, min: 0, max: 30, help: 'the longest traces compared (exhaustive)' },
    scope: { type: 'string', arg: 'NAME|FILE', default: 'default', help: 'the action space (a preset or a scope file, docs/scope.md)' },
    random: { type: 'int', arg: 'N', min: 1, max: 1e9, help: 'run N random traces instead, shrinking each difference to a 1-minimal trace' },
    seed: { type: 'int', arg: 'N', default: 1, min: 0, max: 0xffffffff, help: 'random: the seed' },
    'max-steps': { type: 'int', arg: 'N', default: 30, min: 1, max: 10000, help: 'random: steps per trace at most' },
    'max-classes': { type: 'int', arg: 'N', min: 1, max: 100000, help: 'stop once N classes are known' },
    'compare-state': { type: 'bool', help: 'also a difference: which namespaces each task is in, which fds name which, how many namespaces are alive' },
    'expect-classes': { type: 'string', arg: 'FILE', help: 'a reviewed list of class keys (JSON or one per line): exit 0 only when exactly these are found' },
    out: { type: 'string', arg: 'DIR', default: 'nscheck-out/diff', help: 'where the witness traces are saved (one pair per class)' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    report: { type: 'string', arg: 'DIR', help: 'an HTML report: DIR/index.html' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML (one test case per class, or one passing case)' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown summary for a CI job page' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: `Exit 0 no difference (or exactly the --expect-classes), 1 differences (or other classes than expected), 2 usage or
bad input, 130 interrupted.`,
};

const EXHAUSTIVE_ONLY = ['depth'];
const RANDOM_ONLY = ['seed', 'max-steps'];

async function run({ values, positionals, given }: Parsed, io: Out): Promise<number> {
  const random = values.random as number | undefined;
  const wrong = (random !== undefined ? EXHAUSTIVE_ONLY : RANDOM_ONLY).find((o) => given.has(o));
  if (wrong) throw new UsageError(`--${wrong} ${random !== undefined ? 'is for exhaustive diff (without --random)' : 'needs --random'}`);
  const scope = loadScope(values.scope as string);
  const [argA, argB] = positionals as [string, string];
  const va = await loadVariant(argA);
  const vb = await loadVariant(argB);
  let expected: string[] | undefined;
  if (typeof values['expect-classes'] === 'string') {
    const f = values['expect-classes'];
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new UsageError(`--expect-classes ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      expected = parseExpectedClasses(text, f);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  checkOutputs(values, ['out', 'report'], ['junit', 'summary']);
  // both sides run with the scope's constants for the limits they do not set themselves
  const a = searchSemantics(va.def, scope);
  const b = searchSemantics(vb.def, scope);
  const progress = new Progress(io, 1000);
  const t0 = Date.now();
  const maxClasses = values['max-classes'] as number | undefined;
  const compareState = values['compare-state'] === true;
  let classes: DiffClass[];
  let interrupted: boolean;
  let statement: string;
  let extra: Record<string, unknown>;
  const names = `${va.def.name} and ${vb.def.name}`;
  if (random !== undefined) {
    const r = await diffRandom({
      a, b, scope, runs: random, maxSteps: values['max-steps'] as number, seed: values.seed as number, compareState,
      ...(maxClasses !== undefined ? { maxClasses } : {}),
      shouldStop: () => interruption.requested,
      onProgress: (done, n) => progress.update((ms) => `${done}/${random} traces, ${n} class(es), ${Progress.rate(done, random, ms, 'traces')}`),
    });
    classes = r.classes;
    interrupted = r.stopped === 'interrupted';
    statement = classes.length === 0
      ? `${names} agree on ${r.runs} random trace(s) (seed ${String(values.seed)}, scope ${scope.name})`
      : `${names} differ: ${classes.length} class(es) in ${r.runs} random trace(s) (seed ${String(values.seed)}, scope ${scope.name})`;
    extra = { mode: 'random', runs: r.runs, steps: r.steps, seed: values.seed, stopped: r.stopped };
  } else {
    const depth = values.depth as number;
    const r = await diffExhaustive({
      a, b, scope, depth, compareState, ...(maxClasses !== undefined ? { maxClasses } : {}),
      shouldStop: () => interruption.requested,
      onProgress: (p) => progress.update(() => `depth ${p.depth + 1}/${depth}, ${p.pairs.toLocaleString('en')} pairs, ${p.classes} class(es), ${Math.round(p.pairs / Math.max(0.001, p.elapsedMs / 1000)).toLocaleString('en')} pairs/s, ${duration(p.elapsedMs)}`),
    });
    classes = r.classes;
    interrupted = r.stopped === 'interrupted';
    const where = `every trace of at most ${r.stopped === 'done' ? depth : r.depthDone} step(s) in scope ${scope.name}`;
    statement = classes.length === 0
      ? `${names} agree on ${where}${compareState ? ', results and observable state' : ''} (${r.pairs.toLocaleString('en')} pairs of states, ${r.generated.toLocaleString('en')} transitions)`
      : `${names} differ: ${classes.length} class(es) of first differences within ${where}${r.stopped === 'max-classes' ? ` (stopped at --max-classes ${maxClasses})` : ''}`;
    extra = { mode: 'exhaustive', depth, depthDone: r.depthDone, pairs: r.pairs, generated: r.generated, stopped: r.stopped };
  }
  progress.done();
  const ms = Date.now() - t0;

  // the witnesses: listings, trace files, replays for the report
  const reports: DiffClassReport[] = [];
  const outDir = values.out as string;
  const base = `${fileBase(va.def.name, '')}vs-${fileBase(vb.def.name, '').slice(0, -1)}`;
  let saveError: string | undefined;
  for (let i = 0; i < classes.length; i++) {
    const cls = classes[i]!;
    const w = cls.witness;
    const world = initialState(a);
    const calls: string[] = [];
    for (const s of w.steps) {
      calls.push(describeStep(world, s));
      try {
        runStep(a, world, s);
      } catch {
        // a step that throws on side A: the listing still shows the call
      }
    }
    const lines = sideBySide(w, va.def.name, vb.def.name, (k) => calls[k]!);
    const ta = witnessTrace(w, 'A', va.def.name, vb.def.name, cls);
    const tb = witnessTrace(w, 'B', vb.def.name, va.def.name, cls);
    const keep = { keepFrom: w.steps.length - 1 };
    const ra = replay(ta, a, keep);
    const rb = replay(tb, b, keep);
    const verdictA = ra.verdict, verdictB = rb.verdict;
    const fa = { ...ta, expect: verdictA }, fb = { ...tb, expect: verdictB };
    let fileA: string | undefined, fileB: string | undefined;
    if (saveError === undefined) {
      try {
        const dir = join(outDir, base);
        ensureDir(dir);
        fileA = join(dir, `${String(i + 1).padStart(2, '0')}-${cls.op}.A.trace.json`);
        fileB = join(dir, `${String(i + 1).padStart(2, '0')}-${cls.op}.B.trace.json`);
        writeFileAtomic(fileA, traceToJson(fa));
        writeFileAtomic(fileB, traceToJson(fb));
      } catch (e) {
        saveError = (e as Error).message.split('\n')[0] ?? 'error';
        io.err(`nscheck: could not save the witnesses: ${saveError}\n`);
        fileA = fileB = undefined;
      }
    }
    reports.push({ cls, lines, replayA: ra, replayB: rb, ...(fileA ? { fileA } : {}), ...(fileB ? { fileB } : {}) });
  }

  const found = classes.map((c) => c.key);
  const unexpected = expected ? found.filter((k) => !expected!.includes(k)) : [];
  const lost = expected ? expected.filter((k) => !found.includes(k)) : [];
  const asExpected = expected ? unexpected.length === 0 && lost.length === 0 : classes.length === 0;

  if (!values.json) {
    io.out(`nscheck diff: ${va.def.name} vs ${vb.def.name}, in ${duration(ms)}\n`);
    reports.forEach((r, i) => {
      io.out(`\n${paint('bold', `${i + 1}. ${r.cls.key}`)}  (${r.cls.count} witness(es), shortest ${r.cls.witness.steps.length} step(s))\n`);
      for (const l of r.lines) io.out(`${l}\n`);
      if (r.fileA) io.out(`  traces: ${r.fileA} ${r.fileB}\n`);
    });
    io.out(`\n${classes.length === 0 ? paint('green', 'no difference') : paint(expected && asExpected ? 'green' : 'red', 'differ')}: ${statement}\n`);
    if (expected) {
      if (asExpected) io.out(`${paint('green', 'as expected')}: exactly the ${expected.length} reviewed class(es)\n`);
      for (const k of unexpected) io.out(`${paint('red', 'new class')}: ${k}\n`);
      for (const k of lost) io.out(`${paint('red', 'lost class')}: ${k}\n`);
    }
    if (interrupted) io.out(`${paint('yellow', 'interrupted')}: what was found so far is above\n`);
  } else {
    io.out(JSON.stringify({
      a: va.def.name, b: vb.def.name, scope: scope.name, compareState, ...extra, ms, statement, asExpected,
      ...(expected ? { expectedClasses: expected, unexpected, lost } : {}),
      classes: reports.map((r) => ({
        key: r.cls.key, op: r.cls.op, ruleA: r.cls.ruleA, ruleB: r.cls.ruleB, resultA: r.cls.resultA, resultB: r.cls.resultB,
        witnesses: r.cls.count, length: r.cls.witness.steps.length, fileA: r.fileA ?? null, fileB: r.fileB ?? null,
        steps: r.cls.witness.steps.map((s, k) => ({ task: s.task, op: s.op.name, args: s.raw, a: r.cls.witness.resultsA[k], b: r.cls.witness.resultsB[k] })),
        ...(r.cls.witness.stateOnly ? { stateOnly: r.cls.witness.stateOnly } : {}),
      })),
    }, null, 2) + '\n');
  }
  const input = { nameA: va.def.name, nameB: vb.def.name, docA: va.def.doc, docB: vb.def.doc, statement, classes: reports };
  if (typeof values.report === 'string') {
    ensureDir(values.report);
    writeFileAtomic(join(values.report, 'index.html'), await diffHtml(input));
    if (!values.json) io.out(`report: ${join(values.report, 'index.html')}\n`);
  }
  if (typeof values.summary === 'string') writeFileAtomic(values.summary, diffMarkdown(input));
  if (typeof values.junit === 'string') {
    const cases = classes.length === 0 || expected
      ? [{ classname: 'nscheck.diff', name: `${va.def.name} vs ${vb.def.name}`, time: ms / 1000, ...(asExpected ? {} : { failure: { message: `classes differ from the reviewed list: ${[...unexpected.map((k) => `new ${k}`), ...lost.map((k) => `lost ${k}`)].join('; ')}`, text: '' } }) }]
      : reports.map((r) => ({ classname: 'nscheck.diff', name: r.cls.key, time: 0, failure: { message: `${va.def.name} and ${vb.def.name} differ`, text: r.lines.join('\n') } }));
    writeFileAtomic(values.junit, junitXml(`nscheck diff ${md(va.def.name)} ${md(vb.def.name)}`, cases));
  }
  if (interrupted) return EXIT_INTERRUPTED;
  return asExpected ? 0 : 1;
}

export const command = { spec, run };

export type { LoadedVariant };
