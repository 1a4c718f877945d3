// nscheck conform TRACE... | nscheck conform --random N [--seed S] [--max-steps M] [--out DIR]
//
// Differential conformance of the model against the running kernel (model/conform.ts).

import { join } from 'node:path';
import { conformTrace, documentedReason, documentedSignatures, loadDifferences, type ConformResult, type Disagreement } from '../../model/conform';
import { conformRandom, type RandomFinding } from '../../model/conform-random';
import { kernelAvailable, planTrace, TraceInputError } from '../../model/executor/kernel';
import { InputError, readTrace, traceToJson, type Trace } from '../../model/trace';
import { loadVariant, traceVariant } from '../../model/variants';
import { writeFileAtomic } from '../../reports/write';
import type { Semantics } from '../../spec/semantics';
import { UsageError, type CommandSpec, type Parsed } from '../args';
import type { Out } from '../term';
import { checkOutputs } from './common';

const spec: CommandSpec = {
  name: 'conform',
  positionals: { name: 'TRACE...', min: 0, max: 100000 },
  summary: `Runs each trace on the model and on the running kernel (the native executor, in a sandbox: private mount, uts,
ipc, net and pid namespaces) and compares them step by step. Inode numbers (readlink_ns) are compared as
identities: model and kernel namespaces must map one to one. The namespaces of each task are read through nsfs
file handles after every fork, unshare and setns, and at the end their liveness on the kernel is compared with
the model's (a namespace the model freed is asked about again for up to 2 s: the kernel puts some late).
--random N generates N traces with the checker's generator, runs each on both sides, shrinks every disagreement
to a minimal trace (re-running both sides for each candidate) and saves it, with every step's expect the
kernel's result.`,
  options: {
    random: { type: 'int', arg: 'N', min: 1, max: 1e9, help: 'run N random traces instead of trace files' },
    seed: { type: 'int', arg: 'N', default: 1, min: 0, max: 0xffffffff, help: 'seed of --random' },
    'max-steps': { type: 'int', arg: 'N', default: 30, min: 1, max: 10000, help: 'steps per random trace at most' },
    out: { type: 'string', arg: 'DIR', default: 'nscheck-out/conform', help: 'where --random saves shrunk disagreements' },
    variant: { type: 'string', arg: 'NAME|FILE', help: 'the model side\'s variant (default: each trace\'s own, or linux-6.18)' },
    timeout: { type: 'int', arg: 'MS', min: 100, max: 600000, help: 'per-step timeout on the kernel (default 5000; 3000 with --random)' },
    'no-shrink': { type: 'bool', help: 'do not shrink --random disagreements' },
    'no-liveness': { type: 'bool', help: 'do not compare liveness (trace files)' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Needs root with CAP_SYS_ADMIN and a C compiler.\nExit 0 all agree, 1 a disagreement (or a step timed out), 2 usage, bad input or no usable kernel.',
};

function disagreementLines(d: Disagreement): string[] {
  const where = d.kind === 'liveness' ? 'end' : `step ${d.index}`;
  const lines = [`  ${where}  [${d.kind}] ${d.call}`, `      model:  ${d.model}${d.rule ? `  [${d.rule}]` : ''}`, `      kernel: ${d.kernel}`];
  if (d.detail) lines.push(`      ${d.detail}`);
  return lines;
}

function jsonOfResult(file: string | undefined, r: ConformResult | Omit<ConformResult, 'variant'>, documented?: string) {
  return {
    ...(file !== undefined ? { file } : {}),
    ...('title' in r && r.title !== undefined ? { title: r.title } : {}),
    agree: r.agree,
    ...(documented !== undefined ? { documented } : {}),
    timedOut: r.timedOut,
    disagreements: r.disagreements.map(({ signature, ...d }) => ({ ...d, signature })),
    steps: r.steps.map((s) => ({ index: s.index, task: s.task, call: s.call, model: s.model, kernel: s.kernel ?? null, agree: s.agree })),
    liveness: r.liveness,
    modelMs: Math.round(r.modelMs * 1000) / 1000,
    kernelMs: Math.round(r.kernelMs),
  };
}

async function run({ values, positionals, given }: Parsed, io: Out): Promise<number> {
  const timeoutMs = (values.timeout as number | undefined) ?? (values.random !== undefined ? 3000 : 5000);
  if (values.random !== undefined) {
    if (positionals.length) throw new UsageError('conform --random takes no trace files');
    if (values['no-liveness']) throw new UsageError('--no-liveness is for trace files');
    return randomCommand(values, timeoutMs, io);
  }
  for (const k of ['no-shrink'] as const) if (values[k]) throw new UsageError(`--${k} needs --random`);
  for (const k of ['seed', 'max-steps', 'out'] as const) if (given.has(k)) throw new UsageError(`--${k} needs --random`);
  if (positionals.length === 0) throw new UsageError('conform needs trace files or --random N');
  // validate everything (model and executor view) before running anything
  const cli = typeof values.variant === 'string' ? await loadVariant(values.variant) : undefined;
  const traces: { file: string; trace: Trace; sem: Semantics }[] = [];
  for (const file of positionals) {
    const trace = readTrace(file);
    try {
      planTrace({ steps: trace.steps.map((s) => ({ task: s.task, op: s.op.name, args: { ...s.raw } })) });
    } catch (e) {
      if (e instanceof TraceInputError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
    traces.push({ file, trace, sem: (await traceVariant(trace.variant, cli, file)).sem });
  }
  const differences = loadDifferencesOrInput();
  const avail = kernelAvailable();
  if (!avail.ok) {
    io.err(`nscheck: conform: the kernel executor cannot run: ${avail.reason}\n`);
    return 2;
  }
  const runs: { file: string; result: ConformResult; documented: string | undefined }[] = [];
  for (const { file, trace, sem } of traces) {
    const result = await conformTrace(trace, sem, { stepTimeoutMs: timeoutMs, namespaces: !values['no-liveness'] });
    runs.push({ file, result, documented: documentedReason(differences, file) });
    if (!values.json) io.out(textOf(file, result, documentedReason(differences, file)));
  }
  const flaky = runs.filter((r) => !r.result.agree && r.result.notReproducible !== undefined);
  const failing = runs.filter((r) => !r.result.agree && r.documented === undefined && r.result.notReproducible === undefined);
  const documented = runs.filter((r) => !r.result.agree && r.documented !== undefined);
  const agreeing = runs.filter((r) => r.result.agree);
  const timedOut = runs.filter((r) => r.result.timedOut);
  if (values.json) {
    io.out(JSON.stringify({
      traces: runs.map((r) => jsonOfResult(r.file, r.result, r.documented)),
      summary: { traces: runs.length, agree: agreeing.length, disagree: failing.length, notReproducible: flaky.length, documented: documented.length, timedOut: timedOut.length },
    }, null, 2) + '\n');
  } else {
    io.out(`${runs.length} trace(s): ${agreeing.length} agree, ${failing.length} disagree${flaky.length ? `, ${flaky.length} not reproducible` : ''}${documented.length ? `, ${documented.length} documented difference(s)` : ''}${timedOut.length ? `, ${timedOut.length} timed out` : ''}\n`);
  }
  return failing.length || flaky.length ? 1 : 0;
}

function loadDifferencesOrInput(): Map<string, string> {
  try {
    return loadDifferences();
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

function textOf(file: string, r: ConformResult, documented: string | undefined): string {
  const live = r.liveness.skipped !== undefined
    ? `liveness not compared: ${r.liveness.skipped}`
    : `${r.liveness.compared} namespaces' liveness compared (${r.liveness.alive} alive, ${r.liveness.freed} freed)`;
  if (r.agree) return `${file}: agree (${r.steps.length} steps; ${live})\n`;
  const head = documented !== undefined
    ? `${file}: documented difference (${documented})`
    : r.notReproducible ? `${file}: NOT REPRODUCIBLE: the disagreement below did not come back when the kernel side ran again`
    : `${file}: DISAGREE${r.timedOut ? ' (timed out)' : ''}`;
  const second = r.notReproducible ? [`  second run: ${r.notReproducible.second.length ? r.notReproducible.second.map((d) => `${d.kind} at step ${d.index}`).join(', ') : 'agrees'}`] : [];
  return [head, ...r.disagreements.flatMap(disagreementLines), ...second, ''].join('\n');
}

// ------------------------------------------------------------------ --random

function slug(s: string): string {
  return s.replace(/\[…\]/g, '').replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function randomCommand(values: Parsed['values'], timeoutMs: number, io: Out): Promise<number> {
  const runs = values.random as number;
  const seed = values.seed as number;
  const maxSteps = values['max-steps'] as number;
  const { sem } = await loadVariant((values.variant as string | undefined) ?? 'linux-6.18');
  const dir = values.out as string;
  checkOutputs(values, ['out'], []);
  const avail = kernelAvailable();
  if (!avail.ok) {
    io.err(`nscheck: conform: the kernel executor cannot run: ${avail.reason}\n`);
    return 2;
  }
  const documented = await documentedSignatures(loadDifferencesOrInput(), { stepTimeoutMs: timeoutMs });
  const started = Date.now();
  let last = started;
  const result = await conformRandom({
    sem, runs, seed, maxSteps, stepTimeoutMs: timeoutMs, shrink: !values['no-shrink'], documented,
    onTrace: (k) => {
      if (Date.now() - last > 2000) {
        last = Date.now();
        io.err(`nscheck: conform: ${k + 1}/${runs} traces, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
    },
  });
  const saved = new Map<RandomFinding, string>();
  for (const f of result.findings) {
    if (f.duplicateOf !== undefined || f.documented !== undefined || f.notReproducible) continue;
    const file = join(dir, `conform-${sem.name.replace(/[^A-Za-z0-9._-]/g, '_')}-seed${seed}-t${f.traceIndex}-${slug(f.signature)}.trace.json`);
    writeFileAtomic(file, traceToJson(f.trace));
    saved.set(f, file);
  }
  if (values.json) {
    io.out(JSON.stringify({
      variant: sem.name, seed, maxSteps, runs: result.runs, steps: result.steps, agreeing: result.agreeing, disagreeing: result.disagreeing, documented: result.documented, notReproducible: result.notReproducible,
      timedOut: result.timedOut, ms: result.ms,
      findings: result.findings.map((f) => ({
        traceIndex: f.traceIndex, signature: f.signature, originalLength: f.originalLength, shrunkLength: f.steps.length,
        ...(f.notReproducible ? { notReproducible: true } : f.documented !== undefined ? { documented: f.documented } : f.duplicateOf !== undefined ? { duplicateOf: f.duplicateOf } : { file: saved.get(f) }),
        disagreement: f.disagreement, trace: JSON.parse(traceToJson(f.trace)) as unknown,
      })),
    }, null, 2) + '\n');
  } else {
    io.out(`nscheck conform: variant ${sem.name}, seed ${seed}, ${result.runs} random trace(s) of up to ${maxSteps} steps (${result.steps} steps) in ${(result.ms / 1000).toFixed(1)} s\n`);
    io.out(`  agreeing: ${result.agreeing}\n  disagreeing: ${result.disagreeing}${result.documented || result.notReproducible ? ` (${result.notReproducible} not reproducible, ${result.documented} documented, ${result.disagreeing - result.documented - result.notReproducible} new)` : ''}\n`);
    if (result.timedOut.length) {
      io.out(`  timed out: ${result.timedOut.length}\n`);
      for (const t of result.timedOut) io.out(`    trace ${t.traceIndex} step ${t.step}: ${t.call}\n`);
    }
    for (const f of result.findings) {
      if (f.notReproducible) {
        io.out(`trace ${f.traceIndex}: ${f.signature}: not reproducible (a second run of the kernel side did not show it); not shrunk, not saved\n`);
        continue;
      }
      if (f.documented !== undefined) {
        io.out(`trace ${f.traceIndex}: ${f.signature} (documented: ${f.documented})\n`);
        continue;
      }
      if (f.duplicateOf !== undefined) {
        io.out(`trace ${f.traceIndex}: ${f.signature} (same as trace ${f.duplicateOf})\n`);
        continue;
      }
      io.out(`trace ${f.traceIndex}: ${f.signature}, shrunk from ${f.originalLength} to ${f.steps.length} step(s):\n`);
      f.trace.steps.forEach((s, i) => io.out(`  ${String(i).padStart(3)}  ${s.task}: ${s.op.name}(${JSON.stringify(s.raw).slice(1, -1)}) = ${s.expect ?? '(not run)'}\n`));
      io.out(disagreementLines(f.disagreement).join('\n') + '\n');
      io.out(`  saved: ${saved.get(f)}\n`);
    }
  }
  return result.disagreeing > result.documented || result.timedOut.length ? 1 : 0;
}

export const command = { spec, run };
