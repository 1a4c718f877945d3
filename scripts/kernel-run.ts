/**
 * kernel-run: replay nscheck-trace/1 files on the live kernel and compare with each step's expect.
 *
 *   node -r ts-node/register/transpile-only scripts/kernel-run.ts FILE.trace.json...
 *     [--timeout MS]   per-step timeout (default 5000)
 *     [--quiet]        print only mismatching steps and the per-file verdict
 *
 * Prints one line per step, `index task op args => result`, marked `ok` when it equals the step's
 * `expect` (or `--` when the step has none) and `MISMATCH (expected X)` otherwise.
 * Exit status: 0 all match, 1 any mismatch or timeout, 2 bad input or kernel not usable.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { kernelAvailable, runTraceOnKernel, TraceInputError } from '../model/executor/kernel';

interface RawStep {
  task: string;
  op: string;
  args?: Record<string, unknown>;
  expect?: unknown;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { timeout: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    });
  } catch (e) {
    console.error(`kernel-run: ${(e as Error).message}`);
    return 2;
  }
  const files = parsed.positionals;
  if (files.length === 0) {
    console.error('usage: kernel-run [--timeout MS] [--quiet] FILE.trace.json...');
    return 2;
  }
  const timeout = parsed.values.timeout !== undefined ? Number(parsed.values.timeout) : 5000;
  const quiet = parsed.values.quiet === true;
  const avail = kernelAvailable();
  if (!avail.ok) {
    console.error(`kernel-run: kernel executor not usable: ${avail.reason}`);
    return 2;
  }
  let bad = 0;
  let inputErrors = 0;
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      console.log(`${file}: INPUT ERROR ${(e as Error).message}`);
      inputErrors++;
      continue;
    }
    const d = doc as { format?: unknown; steps?: unknown; title?: unknown };
    if (d.format !== 'nscheck-trace/1' || !Array.isArray(d.steps)) {
      console.log(`${file}: INPUT ERROR not an nscheck-trace/1 document`);
      inputErrors++;
      continue;
    }
    const steps = d.steps as RawStep[];
    let run;
    try {
      run = await runTraceOnKernel({ steps }, { stepTimeoutMs: timeout });
    } catch (e) {
      if (e instanceof TraceInputError) {
        console.log(`${file}: INPUT ERROR ${e.message}`);
        inputErrors++;
        continue;
      }
      throw e;
    }
    const lines: string[] = [];
    let mismatches = 0;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const r = run.results.find((x) => x.index === i);
      const got = r ? r.result : 'NOT_RUN';
      const args = s.args ? JSON.stringify(s.args) : '';
      let mark: string;
      if (s.expect === undefined) mark = '--';
      else if (s.expect === got) mark = 'ok';
      else {
        mark = `MISMATCH (expected ${String(s.expect)})`;
        mismatches++;
      }
      if (!quiet || mark.startsWith('MISMATCH')) lines.push(`  ${i} ${s.task} ${s.op} ${args} => ${got}  ${mark}`);
    }
    if (run.results.some((r) => r.result === 'TIMEOUT')) mismatches = Math.max(mismatches, 1);
    console.log(`${file}: ${mismatches === 0 ? 'PASS' : `FAIL (${mismatches} mismatching steps)`}`);
    for (const l of lines) console.log(l);
    if (mismatches > 0) bad++;
  }
  console.log(`${files.length - bad - inputErrors} passed, ${bad} failed${inputErrors ? `, ${inputErrors} input errors` : ''}`);
  if (inputErrors > 0 && bad === 0) return 2;
  return bad > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`kernel-run: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
