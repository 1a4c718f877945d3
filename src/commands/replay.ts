// nscheck replay TRACE...: run traces through the model, one resolved line per step, and check
// every step's expect and each trace's verdict.

import { join } from 'node:path';
import { replay, resultSuffix, verdictText, type ReplayResult } from '../../model/replay';
import { readTrace, type Trace } from '../../model/trace';
import { loadVariant, traceVariant, type LoadedVariant } from '../../model/variants';
import { writeReports, type ReportRun } from '../../reports';
import { MAX_STEP_DIAGRAMS } from '../../reports/html';
import { itfDocument } from '../../reports/itf';
import { replayJson } from '../../reports/json';
import { writeFileAtomic } from '../../reports/write';
import { UsageError, type CommandSpec, type Parsed } from '../args';
import { EXIT_INTERRUPTED, interruption } from '../signals';
import { paint, type Out } from '../term';
import { checkOutputs } from './common';

const spec: CommandSpec = {
  name: 'replay',
  positionals: { name: 'TRACE...', min: 1, max: 100000 },
  summary: 'Runs each trace through the model, printing one resolved line per step, and checks every step\'s "expect" and\nthe trace\'s verdict.',
  options: {
    variant: { type: 'string', arg: 'NAME|FILE', help: 'run under this variant instead of each trace\'s own (a trace may name only a built-in)' },
    json: { type: 'bool', help: 'one JSON document on stdout' },
    report: { type: 'string', arg: 'DIR', help: 'HTML report(s): DIR/index.html (one folder per trace when there are several)' },
    junit: { type: 'string', arg: 'FILE', help: 'JUnit XML, one test case per trace' },
    summary: { type: 'string', arg: 'FILE', help: 'a Markdown summary for a CI job page' },
    itf: { type: 'string', arg: 'FILE', help: 'the states of the (one) trace as an ITF trace (Apalache/Quint), see docs/itf.md' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Exit 0 every expectation met, 1 one not met, 2 invalid input, 130 interrupted.',
};

interface Loaded {
  readonly file: string;
  readonly trace: Trace;
  readonly variant: LoadedVariant;
}

async function run({ values, positionals }: Parsed, io: Out): Promise<number> {
  if (values.itf !== undefined && positionals.length !== 1) throw new UsageError('--itf writes the states of one trace: give exactly one');
  // validate every input before running anything
  const cli = typeof values.variant === 'string' ? await loadVariant(values.variant) : undefined;
  const loaded: Loaded[] = [];
  for (const file of positionals) {
    const trace = readTrace(file);
    loaded.push({ file, trace, variant: await traceVariant(trace.variant, cli, file) });
  }
  checkOutputs(values, ['report'], ['junit', 'summary', 'itf']);
  const wantStates = values.report !== undefined || values.itf !== undefined;
  const runs: (ReportRun & { ms: number })[] = [];
  let interrupted = false;
  for (const { file, trace, variant } of loaded) {
    if (interruption.requested) {
      interrupted = true;
      break;
    }
    const t0 = process.hrtime.bigint();
    let result: ReplayResult = replay(trace, variant.sem, { keepFrom: Infinity });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // the states the report draws (the last steps) or the ITF lists (all): a second, bounded pass
    if (wantStates) result = replay(trace, variant.sem, { keepFrom: values.itf !== undefined ? 0 : Math.max(0, result.steps.length - MAX_STEP_DIAGRAMS - 1) });
    runs.push({ file, trace, result, variantDoc: variant.def.doc, ms });
    if (!values.json) io.out(textOf(file, trace, result));
  }
  await writeReports(runs, {
    ...(typeof values.report === 'string' ? { reportDir: values.report } : {}),
    ...(typeof values.junit === 'string' ? { junit: values.junit } : {}),
    ...(typeof values.summary === 'string' ? { summary: values.summary } : {}),
  });
  if (typeof values.itf === 'string' && runs[0]) writeFileAtomic(values.itf, itfDocument(runs[0].trace, runs[0].result, runs[0].file));
  // where the reports went; on stderr under --json, which keeps stdout one JSON document
  const log = values.json ? io.err : io.out;
  if (values.json) {
    io.out(JSON.stringify({ traces: runs.map(({ file, trace, result }) => replayJson(file, trace, result)), ...(interrupted ? { interrupted: true } : {}) }, null, 2) + '\n');
  } else {
    const failed = runs.filter((r) => !r.result.ok).length;
    io.out(`${runs.length - failed} of ${runs.length} trace(s) met every expectation${interrupted ? ` (interrupted: ${loaded.length - runs.length} not run)` : ''}\n`);
  }
  if (typeof values.report === 'string') log(`report: ${join(values.report, 'index.html')}\n`);
  if (typeof values.junit === 'string') log(`junit: ${values.junit}\n`);
  if (typeof values.summary === 'string') log(`summary: ${values.summary}\n`);
  if (typeof values.itf === 'string') log(`itf: ${values.itf}\n`);
  if (interrupted) return EXIT_INTERRUPTED;
  return runs.every((r) => r.result.ok) ? 0 : 1;
}

export const command = { spec, run };

function textOf(file: string, trace: Trace, r: ReplayResult): string {
  const lines = [`${file}${trace.title ? ` — ${trace.title}` : ''}  [${r.variant}]`];
  for (const s of r.steps) {
    lines.push(`  ${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}${s.matches ? '' : `   ${paint('red', '✗')} expected ${s.expect}`}`);
  }
  if (r.broken) {
    lines.push(`  ! ${r.broken.property} broken after step ${r.broken.step}: ${r.broken.violation.message}`);
  }
  const expected = verdictText(trace.expect ?? 'holds');
  lines.push(`  verdict: ${verdictText(r.verdict)}${r.verdictMatches ? '' : `   ${paint('red', '✗')} expected ${expected}`}  → ${r.ok ? paint('green', 'PASS') : paint('red', 'FAIL')}`);
  return lines.join('\n') + '\n';
}
