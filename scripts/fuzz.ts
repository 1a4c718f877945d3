// npm run fuzz -- [--runs N] [--seed S] [--timeout MS]: the long fuzz run. Hostile and malformed
// trace documents (test/helpers/hostile.ts) go through `nscheck replay` in a worker thread, one
// at a time, each with a time limit; prints counts by outcome. A case that takes longer than the
// limit is a hang: the worker is killed and a fresh one carries on. Exit 1 on any crash or hang.

import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fuzzCase, type FuzzCase } from '../test/helpers/hostile';
import { runCase, type Judged } from '../test/helpers/run-case';

interface Job { n: number; c: FuzzCase }

if (!isMainThread) {
  const dir = (workerData as { dir: string }).dir;
  parentPort!.on('message', (job: Job) => {
    runCase(job.c, dir, job.n).then(
      (r) => parentPort!.postMessage({ n: job.n, r }),
      (e: unknown) => parentPort!.postMessage({ n: job.n, r: { outcome: 'crash', code: -1, err: String((e as Error)?.stack ?? e) } satisfies Judged }),
    );
  });
} else {
  void mainThread();
}

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

async function mainThread(): Promise<void> {
  const runs = flag('runs', 2000);
  const seed = flag('seed', 1);
  const timeout = flag('timeout', 10000);
  const dir = mkdtempSync(join(tmpdir(), 'nscheck-fuzz-'));
  const cases = fc.sample(fuzzCase, { numRuns: runs, seed });
  const counts: Record<string, number> = { ok: 0, mismatch: 0, rejected: 0, noisy: 0, crash: 0, hang: 0 };
  const bad: string[] = [];
  let worker: Worker | undefined;
  const spawn = (): Worker => new Worker(__filename, { workerData: { dir }, execArgv: ['-r', 'ts-node/register/transpile-only'] });
  const t0 = Date.now();
  for (let n = 0; n < cases.length; n++) {
    worker ??= spawn();
    const w = worker;
    const c = cases[n]!;
    const r = await new Promise<Judged | 'hang'>((done) => {
      const timer = setTimeout(() => done('hang'), timeout);
      w.once('message', (m: { r: Judged }) => {
        clearTimeout(timer);
        done(m.r);
      });
      w.postMessage({ n, c } satisfies Job);
    });
    const outcome = r === 'hang' ? 'hang' : r.outcome;
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome === 'crash' || outcome === 'hang' || outcome === 'noisy') {
      const f = join(dir, `bad-${n}.trace.json`);
      writeFileSync(f, c.text);
      bad.push(`${outcome} (${c.label}): kept as ${f}${r === 'hang' ? '' : `: ${r.err.split('\n').slice(0, 3).join(' | ')}`}`);
    }
    if (r === 'hang') {
      void w.terminate();
      worker = undefined;
    }
    if ((n + 1) % 500 === 0) process.stderr.write(`fuzz: ${n + 1}/${runs} ${JSON.stringify(counts)}\n`);
  }
  await worker?.terminate();
  console.log(`fuzz: ${runs} documents (seed ${seed}, limit ${timeout} ms each) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log('outcome    count   meaning');
  const meaning: Record<string, string> = {
    ok: 'replayed, every expectation met (exit 0)', mismatch: 'replayed, an expectation not met (exit 1)', rejected: 'refused with one line (exit 2)',
    noisy: 'exit 2 but more than one line', crash: 'exit 3, a stack trace or an exception', hang: `no answer within ${timeout} ms`,
  };
  for (const [k, v] of Object.entries(counts)) console.log(`${k.padEnd(10)} ${String(v).padStart(6)}   ${meaning[k]}`);
  for (const b of bad) console.log(`  ${b}`);
  if (bad.length === 0) rmSync(dir, { recursive: true, force: true });
  process.exitCode = counts.crash! + counts.hang! + counts.noisy! > 0 ? 1 : 0;
}
