// npm run bench: model throughput, memory per state, checker throughput, time to find each mutant.
// Figures are printed, never asserted.

import { fullSwarm, resolveIntent, xorshift } from '../model/search/generate';
import { randomSearch } from '../model/search/random';
import { loadScope } from '../model/search/scope';
import { initialState } from '../spec/initial';
import { runStep, type ParsedStep } from '../spec/ops';
import { semanticsOf } from '../spec/variants/define';
import { defaultSemantics } from '../spec/variants';
import { MUTANTS } from '../spec/variants/mutants';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const SCOPE = loadScope('wide');
/** Long random valid traces: 20,000 resolved steps, restarting from P every 200 steps. */
function makeTraces(): ParsedStep[][] {
  const sem = defaultSemantics();
  const traces: ParsedStep[][] = [];
  const next = xorshift(42);
  const swarm = fullSwarm(SCOPE);
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
  const t0 = process.hrtime.bigint();
  for (const steps of traces) {
    const s = initialState(sem);
    for (const step of steps) {
      runStep(sem, s, step);
      n++;
    }
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main() {
  const traces = makeTraces();
  rawRate(traces); // warm-up
  const rates = [1, 2, 3, 4, 5].map(() => rawRate(traces));
  const raw = median(rates);
  console.log(`model: ${Math.round(raw).toLocaleString('en')} steps/s replaying 100 random valid traces of 200 steps (median of 5)`);

  const sem = defaultSemantics();
  const sizes: number[] = [];
  for (const steps of traces.slice(0, 20)) {
    const s = initialState(sem);
    for (const step of steps.slice(0, 50)) runStep(sem, s, step);
    sizes.push(JSON.stringify(s, (_k, v: unknown) => (v instanceof Map ? [...v] : v)).length);
  }
  console.log(`memory: a state after 50 random steps serialises to ${(median(sizes) / 1024).toFixed(1)} KiB (median of 20); successive states share unchanged tables`);

  const checkRates: number[] = [];
  for (const seed of [1, 2, 3]) {
    const t0 = Date.now();
    const r = await randomSearch({ sem, scope: SCOPE, runs: 1000, maxSteps: 40, seed, ignore: ['FsRootInOwnMntNs'] });
    checkRates.push(r.steps / ((Date.now() - t0) / 1000));
  }
  const cr = median(checkRates);
  console.log(`checker: ${Math.round(cr).toLocaleString('en')} steps/s with every property after every step (median of 3 × 1000 runs); ${(cr / raw * 100).toFixed(0)}% of raw stepping`);

  console.log('mutants: median time to find over 5 seeds (target mode, up to 5000 runs), shrunk length');
  for (const def of MUTANTS) {
    const target = def.expect !== undefined && def.expect !== 'holds' ? def.expect.violates : undefined;
    const times: number[] = [];
    const lens: number[] = [];
    let misses = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const t0 = Date.now();
      const r = await randomSearch({ sem: semanticsOf(def), scope: SCOPE, runs: 5000, maxSteps: 40, seed, ...(target ? { target } : {}) });
      times.push(Date.now() - t0);
      if (r.counterexample) lens.push(r.counterexample.shrunkLength);
      else misses++;
    }
    const note = misses === 5 && def.control ? '   beyond random search: caught by its control trace' : misses ? `   not found in ${misses} of 5 seeds` : '';
    console.log(`  ${def.name.padEnd(5)} ${String(median(times)).padStart(6)} ms   shrunk ${lens.length ? median(lens) : '-'}${note}`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { benchConform } = require('../model/conform-random') as { benchConform: () => Promise<{ kernelTracesPerSec: number; modelTracesPerSec: number }> };
    const r = await benchConform();
    console.log(`conform: kernel executor ${r.kernelTracesPerSec.toFixed(1)} traces/s, model ${Math.round(r.modelTracesPerSec)} traces/s on the kernel corpus (model ${Math.round(r.modelTracesPerSec / r.kernelTracesPerSec)}× faster)`);
  } catch (e) {
    console.log(`conform: (the kernel executor cannot run here: ${String((e as Error).message ?? e).split('\n')[0]})`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../reports/bench') as { benchReport?: () => Promise<{ ms: number; bytes: number }> };
    if (mod.benchReport) {
      const r = await mod.benchReport();
      console.log(`report: full HTML report of a 30-step counterexample in ${r.ms} ms, ${(r.bytes / 1024).toFixed(0)} KiB`);
    }
  } catch {
    console.log('report: (reports/bench.ts not available)');
  }
}

void main();
