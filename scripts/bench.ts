// npm run bench [-- --json] [-- --quick] [-- --only SECTION,...]: every performance figure of nscheck, each a median of
// several runs with its spread (min–max), printed next to its target. Figures are measured,
// never asserted: tests do not time anything.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { diffExhaustive } from '../model/diff/product';
import { exhaustive, type ExhaustiveProgress } from '../model/search/exhaustive';
import { fullSwarm, resolveIntent, xorshift } from '../model/search/generate';
import { randomSearch, randomSemantics } from '../model/search/random';
import { loadScope, searchSemantics } from '../model/search/scope';
import { readTrace } from '../model/trace';
import { controlPath, resolveVariant } from '../model/variants';
import { initialState } from '../spec/initial';
import { runStep, type ParsedStep } from '../spec/ops';
import { builtinVariant, defaultSemantics } from '../spec/variants';
import { LINUX_6_18 } from '../spec/variants/history';
import { MUTANTS } from '../spec/variants/mutants';

const JSON_OUT = process.argv.includes('--json');
const QUICK = process.argv.includes('--quick');
const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'nscheck.js');

interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number | string;
  readonly unit: string;
  readonly spread?: [number, number] | undefined;
  readonly target?: string | undefined;
  readonly met?: boolean | undefined;
  readonly note?: string | undefined;
}
const figures: Figure[] = [];
function fig(f: Figure): void {
  figures.push(f);
  if (!JSON_OUT) {
    const v = typeof f.value === 'number' ? fmt(f.value) : f.value;
    const spread = f.spread ? ` (${fmt(f.spread[0])}–${fmt(f.spread[1])})` : '';
    const target = f.target ? `   target ${f.target}: ${f.met ? 'met' : 'NOT met'}` : '';
    process.stdout.write(`  ${f.name.padEnd(58)} ${`${v} ${f.unit}`.padEnd(24)}${spread}${target}${f.note ? `   ${f.note}` : ''}\n`);
  }
}
function section(title: string): string {
  if (!JSON_OUT) process.stdout.write(`\n${title}\n`);
  return title;
}
const fmt = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en') : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
async function timed<T>(f: () => Promise<T> | T): Promise<{ ms: number; r: T }> {
  const t = now();
  const r = await f();
  return { ms: now() - t, r };
}

function startup(): void {
  const s = section('start-up (median of 9 runs)');
  const dir = mkdtempSync(path.join(tmpdir(), 'nscheck-bench-'));
  const trace = path.join(dir, 't.trace.json');
  writeFileSync(trace, JSON.stringify({ format: 'nscheck-trace/1', steps: [
    { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET'] }, expect: 'ok' },
    { task: 'A', op: 'open_ns', args: { pid: 'self', type: 'net', fd: 'n' }, expect: 'ok' },
    { task: 'A', op: 'getpid', expect: 'pid=3' },
  ] }));
  const run = (args: string[]) => {
    const xs: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = now();
      execFileSync(process.execPath, args, { stdio: 'ignore' });
      xs.push(now() - t);
    }
    return xs;
  };
  const base = run(['-e', '0']);
  const help = run([BIN, '--help']);
  const replay = run([BIN, 'replay', trace]);
  rmSync(dir, { recursive: true, force: true });
  fig({ section: s, name: 'node -e 0', value: median(base), unit: 'ms', spread: spread(base) });
  fig({ section: s, name: 'nscheck --help', value: median(help), unit: 'ms', spread: spread(help), target: `≤ 3× node (${fmt(3 * median(base))} ms)`, met: median(help) <= 3 * median(base) });
  fig({ section: s, name: 'nscheck replay of a 3-step trace', value: median(replay), unit: 'ms', spread: spread(replay), target: `≤ 5× node (${fmt(5 * median(base))} ms)`, met: median(replay) <= 5 * median(base) });
}

/** 100 random valid traces of up to 200 steps from the wide scope (every op). */
function makeTraces(): ParsedStep[][] {
  const sem = defaultSemantics();
  const next = xorshift(42);
  const swarm = fullSwarm(loadScope('wide'));
  const traces: ParsedStep[][] = [];
  for (let t = 0; t < 100; t++) {
    const s = initialState(sem);
    const steps: ParsedStep[] = [];
    for (let i = 0; i < 200; i++) {
      const step = resolveIntent(s, swarm, { n: [next() & 0xffff, next() & 0xffff, next() & 0xffff] });
      if (!step) break;
      runStep(sem, s, step);
      steps.push(step);
    }
    traces.push(steps);
  }
  return traces;
}

function rawRate(traces: ParsedStep[][]): number {
  const sem = defaultSemantics();
  let n = 0;
  const t0 = now();
  for (const steps of traces) {
    const s = initialState(sem);
    for (const step of steps) {
      runStep(sem, s, step);
      n++;
    }
  }
  return n / ((now() - t0) / 1000);
}

async function stepping(): Promise<number> {
  const s = section('stepping and random search');
  const traces = makeTraces();
  rawRate(traces);
  const raws = Array.from({ length: 7 }, () => rawRate(traces));
  const raw = median(raws);
  fig({ section: s, name: 'raw stepping (random valid traces, wide scope)', value: raw, unit: 'steps/s', spread: spread(raws), target: '≥ 1,000,000', met: raw >= 1e6 });
  const scope = loadScope('default');
  const rates: number[] = [];
  for (const seed of [1, 2, 3]) {
    const { ms, r } = await timed(() => randomSearch({ ...randomSemantics(LINUX_6_18, scope), scope, runs: QUICK ? 1000 : 4000, maxSteps: 40, seed, ignore: LINUX_6_18.knownFindings ?? [] }));
    rates.push(r.steps / (ms / 1000));
  }
  const cr = median(rates);
  fig({ section: s, name: 'random search, every property after every step', value: cr, unit: 'steps/s', spread: spread(rates) });
  fig({ section: s, name: 'random search as a share of raw stepping', value: (100 * cr) / raw, unit: '%', target: '≥ 50%', met: cr >= raw / 2 });
  const sem = defaultSemantics();
  const sizes = traces.slice(0, 20).map((steps) => {
    const st = initialState(sem);
    for (const step of steps.slice(0, 50)) runStep(sem, st, step);
    return JSON.stringify(st, (_k, v: unknown) => (v instanceof Map ? [...v] : v)).length;
  });
  fig({ section: s, name: 'a state after 50 random steps, serialised', value: median(sizes) / 1024, unit: 'KiB', spread: spread(sizes.map((x) => x / 1024)) });
  return raw;
}

async function exhaustiveFigures(): Promise<void> {
  const s = section('bounded-exhaustive search');
  const def = LINUX_6_18;
  const runFor = async (scopeName: string, depth: number, workers: number, capMs: number, onProgress?: (p: ExhaustiveProgress) => void) => {
    const scope = loadScope(scopeName);
    const t0 = now();
    const r = await exhaustive({ def, variantArg: def.name, scope, depth, workers, shouldStop: () => now() - t0 > capMs, ...(onProgress ? { onProgress } : {}) });
    return r;
  };
  const cap = QUICK ? 15000 : 40000;
  for (const depth of [3, 4]) {
    // a capped run ends inside a level: count what the progress reports saw (states found so far)
    let last: ExhaustiveProgress | undefined;
    const r = await runFor('default', depth, 1, cap, (p) => (last = p));
    const distinct = r.stopped === 'interrupted' && last ? last.distinct : r.distinct;
    const gen = r.stopped === 'interrupted' && last ? last.generated : r.generated;
    const secs = (r.stopped === 'interrupted' && last ? last.elapsedMs : r.ms) / 1000;
    fig({ section: s, name: `default scope, depth ${depth}, one core${r.stopped === 'interrupted' ? ` (first ${fmt(secs)} s)` : ''}`, value: distinct / secs, unit: 'distinct/s', target: '≥ 100,000', met: distinct / secs >= 1e5, note: `${distinct.toLocaleString('en')} distinct, ${gen.toLocaleString('en')} transitions (${fmt(gen / secs)}/s), ${r.bytesPerState.toFixed(1)} B/state in the fingerprint set` });
  }
  // memory: heap per distinct state while the search holds its states (small depth 4, one core):
  // at the last progress report: the heap above the start, per distinct state so far
  (global as { gc?: () => void }).gc?.();
  const h0 = process.memoryUsage().heapUsed;
  let perState = 0;
  const small = await runFor('small', 4, 1, 600000, (p) => {
    perState = (process.memoryUsage().heapUsed - h0) / Math.max(1, p.distinct);
  });
  fig({ section: s, name: 'small scope, depth 4, one core', value: small.distinct / (small.ms / 1000), unit: 'distinct/s', note: `${small.distinct.toLocaleString('en')} distinct in ${fmt(small.ms / 1000)} s; fingerprint set ${small.bytesPerState.toFixed(1)} B/state (target ≤ 16: ${small.bytesPerState <= 16 ? 'met' : 'NOT met'}); collision probability ${small.collisionProbability.toExponential(1)}` });
  fig({ section: s, name: 'heap per distinct state during the search (small, depth 4)', value: perState, unit: 'B/state', note: 'at the last progress report, (heap used − heap at the start) / distinct so far: the fingerprint set, the BFS tree and the frontier, plus garbage not yet collected (an upper bound)' });
  if (cpus().length >= 2) {
    const two = await runFor('small', 4, 2, 600000);
    fig({ section: s, name: 'speed-up with 2 workers (small, depth 4)', value: small.ms / two.ms, unit: '×', target: '≥ 1.7×', met: small.ms / two.ms >= 1.7, note: `${fmt(two.ms / 1000)} s against ${fmt(small.ms / 1000)} s; same distinct count: ${two.distinct === small.distinct}` });
  }
}

/** The length of the shortest trace known for a mutant: its control trace, or random search's shrunk counterexample. */
async function shortestKnown(def: (typeof MUTANTS)[number], target: string): Promise<number | undefined> {
  const ctl = controlPath(resolveVariant(def.name));
  const lens: number[] = [];
  if (ctl) lens.push(readTrace(ctl).steps.length);
  const scope = loadScope('default');
  const r = await randomSearch({ ...randomSemantics(def, scope), scope, runs: 10000, maxSteps: 40, seed: 1, target, ignore: def.knownFindings ?? [] });
  if (r.counterexample) lens.push(r.counterexample.shrunkLength);
  return lens.length ? Math.min(...lens) : undefined;
}

async function mutantsExhaustive(): Promise<void> {
  const s = section('built-in mutants under exhaustive search (first violation of the expected property: scope default up to depth 2, then small up to 5, then default up to 3; 60 s cap per search)');
  for (const def of MUTANTS) {
    const target = def.expect !== undefined && def.expect !== 'holds' ? def.expect.violates : '';
    const known = await shortestKnown(def, target);
    const t0 = now();
    const cap = QUICK ? 20000 : 60000;
    let cx: { depth: number } | undefined;
    const tried: string[] = [];
    for (const [scopeName, depth] of [['default', 2], ['small', 5], ['default', 3]] as const) {
      const scope = loadScope(scopeName);
      const t1 = now();
      const r = await exhaustive({ def, variantArg: def.name, scope, depth, workers: cpus().length, target, shouldStop: () => now() - t1 > cap });
      cx = r.counterexamples.find((c) => c.property === target);
      tried.push(cx ? `found in scope ${scopeName}` : `not within depth ${r.depthDone} of ${scopeName}${r.stopped === 'interrupted' ? ' (time cap)' : ''}`);
      if (cx) break;
    }
    fig({
      section: s, name: `${def.name} → ${target}`, value: cx ? cx.depth : '-', unit: cx ? 'steps' : '',
      target: known !== undefined ? `the shortest known (${known})` : undefined, met: cx !== undefined && known !== undefined && cx.depth <= known,
      note: `${tried.join('; ')}, ${fmt((now() - t0) / 1000)} s`,
    });
  }
}

async function diffFigures(): Promise<void> {
  const s = section('nscheck diff');
  const scope = loadScope('default');
  const sem = (n: string) => searchSemantics(builtinVariant(n)!, scope);
  const { ms, r } = await timed(() => diffExhaustive({ a: sem('linux-5.8'), b: sem('linux-6.18'), scope, depth: 2 }));
  fig({ section: s, name: 'pairs of states per second (linux-5.8 vs linux-6.18, default, depth 2)', value: r.generated / (ms / 1000), unit: 'transitions/s', note: `${r.pairs.toLocaleString('en')} pairs, ${r.classes.length} classes, ${fmt(ms / 1000)} s` });
  const silent: string[] = [];
  for (const def of MUTANTS) {
    const a = searchSemantics(def, scope);
    const t0 = now();
    let res = await diffExhaustive({ a, b: sem('linux-6.18'), scope, depth: 2, maxClasses: 1 });
    let where = 'default';
    if (res.classes.length === 0) {
      const small = loadScope('small');
      res = await diffExhaustive({ a: searchSemantics(def, small), b: searchSemantics(builtinVariant('linux-6.18')!, small), scope: small, depth: 3, maxClasses: 1 });
      where = 'small';
    }
    const c = res.classes[0];
    if (!c) silent.push(def.name);
    fig({ section: s, name: `${def.name}: first observable difference from linux-6.18`, value: c ? c.witness.steps.length : '-', unit: c ? 'steps' : '', note: c ? `${fmt((now() - t0) / 1000)} s (${where}): ${c.key}` : 'no result changes within depth 2 (default) or 3 (small): it only breaks an invariant' });
  }
  fig({ section: s, name: 'mutants that change no result (only an invariant breaks)', value: silent.length ? silent.join(', ') : 'none', unit: '' });
}

async function reportFigures(): Promise<void> {
  const s = section('reports');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { benchReport } = require('../reports/bench') as typeof import('../reports/bench');
  const r = await benchReport();
  fig({ section: s, name: 'HTML report of a 30-step counterexample', value: r.ms, unit: 'ms', target: '< 200 ms', met: r.ms < 200, note: `cold ${r.coldMs} ms, ${r.diagrams} diagram(s)` });
  fig({ section: s, name: 'its size', value: r.bytes / 1024, unit: 'KiB', target: '< 500 KiB', met: r.bytes < 500 * 1024 });
  const dir = mkdtempSync(path.join(tmpdir(), 'nscheck-bench-'));
  const corpus = path.join(ROOT, 'test', 'regressions', 'kernel');
  const files = readdirSync(corpus).filter((f) => f.endsWith('.trace.json')).map((f) => path.join(corpus, f));
  const t = now();
  try {
    execFileSync(process.execPath, [BIN, 'replay', ...files, '--report', path.join(dir, 'r')], { stdio: 'ignore' });
  } catch {
    // a trace of the corpus that does not replay still gets its report
  }
  const ms = now() - t;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else bytes += statSync(p).size;
    }
  };
  walk(path.join(dir, 'r'));
  rmSync(dir, { recursive: true, force: true });
  fig({ section: s, name: `replay --report over the kernel corpus (${files.length} traces)`, value: ms / 1000, unit: 's', target: '< 30 s', met: ms < 30000, note: `${(bytes / 1048576).toFixed(1)} MiB written` });
}

async function executorFigures(): Promise<void> {
  const s = section('the kernel executor');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { benchConform } = require('../model/conform-random') as typeof import('../model/conform-random');
    const r = await benchConform();
    if (r.kernelTracesPerSec === 0) throw new Error('not available');
    fig({ section: s, name: 'kernel corpus through the executor, one sandbox', value: r.kernelTracesPerSec, unit: 'traces/s' });
    fig({ section: s, name: `the same, ${r.sandboxes} sandboxes side by side (one per CPU)`, value: r.parallelTracesPerSec, unit: 'traces/s', target: '≥ 2× one sandbox', met: r.parallelTracesPerSec >= 2 * r.kernelTracesPerSec, note: `${(r.parallelTracesPerSec / r.kernelTracesPerSec).toFixed(2)}×` });
    fig({ section: s, name: 'the same traces through the model', value: r.modelTracesPerSec, unit: 'traces/s', note: `${Math.round(r.modelTracesPerSec / r.parallelTracesPerSec)}× the executor` });
  } catch (e) {
    fig({ section: s, name: 'kernel executor', value: 'not run', unit: '', note: String((e as Error).message ?? e).split('\n')[0] });
  }
}

async function main(): Promise<void> {
  if (!JSON_OUT) process.stdout.write(`nscheck bench on ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), node ${process.version}${QUICK ? ', --quick' : ''}\n`);
  // --only NAME[,NAME]: just these sections (startup, stepping, exhaustive, mutants, diff, reports, executor)
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? (process.argv[i + 1] ?? '').split(',') : undefined;
  const want = (name: string) => !only || only.includes(name);
  if (want('startup')) startup();
  if (want('stepping')) await stepping();
  if (want('exhaustive')) await exhaustiveFigures();
  if (want('mutants')) await mutantsExhaustive();
  if (want('diff')) await diffFigures();
  if (want('reports')) await reportFigures();
  if (want('executor')) await executorFigures();
  const missed = figures.filter((f) => f.target !== undefined && !f.met);
  if (JSON_OUT) process.stdout.write(JSON.stringify({ cpus: cpus().length, node: process.version, quick: QUICK, figures }, null, 2) + '\n');
  else process.stdout.write(`\n${figures.filter((f) => f.target !== undefined).length - missed.length} of ${figures.filter((f) => f.target !== undefined).length} targets met${missed.length ? `; not met: ${missed.map((f) => f.name).join('; ')}` : ''}\n`);
}

void main();
