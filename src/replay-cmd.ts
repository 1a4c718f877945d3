// nscheck replay TRACE... [--variant V] [--json] [--report DIR] [--junit FILE] [--summary FILE]

import { join } from 'node:path';
import { replay, resultSuffix, verdictText, type ReplayResult } from '../model/replay';
import { readTrace, type Trace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { writeReports, type ReportRun } from '../reports';
import { replayJson } from '../reports/json';
import { parse, UsageError, type Out } from './cli';

const HELP = `usage: nscheck replay TRACE... [--variant NAME|FILE] [--json]
                      [--report DIR] [--junit FILE] [--summary FILE]

Runs each trace through the model, printing one resolved line per step, and checks every
step's "expect" and the trace's verdict. --variant overrides the trace's own variant.

  --report DIR    an HTML report (diagrams of the kernel objects before and after the
                  violating step, and of every step) in DIR/index.html; with several
                  traces, DIR/<name>/index.html each and DIR/index.html listing them
  --junit FILE    JUnit XML, one test case per trace
  --summary FILE  a Markdown summary (for a CI job page)

Exit 0 when every expectation is met, 1 when one is not, 2 on invalid input.`;

export async function replayCommand(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse(argv, {
    variant: { type: 'string' }, json: { type: 'boolean' }, report: { type: 'string' }, junit: { type: 'string' }, summary: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('replay needs at least one trace file');
  // validate everything before running anything
  const traces: { file: string; trace: Trace }[] = positionals.map((file) => ({ file, trace: readTrace(file) }));
  for (const [flag, v] of [['report', values.report], ['junit', values.junit], ['summary', values.summary]] as const) {
    if (v === '') throw new UsageError(`--${flag} needs a path`);
  }
  const runs: ReportRun[] = [];
  for (const { file, trace } of traces) {
    const { def, sem } = resolveVariant(values.variant ?? trace.variant);
    runs.push({ file, trace, result: replay(trace, sem), variantDoc: def.doc });
  }
  await writeReports(runs, {
    ...(values.report !== undefined ? { reportDir: values.report } : {}),
    ...(values.junit !== undefined ? { junit: values.junit } : {}),
    ...(values.summary !== undefined ? { summary: values.summary } : {}),
  });
  // where the reports went; on stderr under --json, which keeps stdout one JSON document
  const log = values.json ? io.err : io.out;
  const wrote = () => {
    if (values.report !== undefined) log(`report: ${join(values.report, 'index.html')}\n`);
    if (values.junit !== undefined) log(`junit: ${values.junit}\n`);
    if (values.summary !== undefined) log(`summary: ${values.summary}\n`);
  };
  if (values.json) {
    io.out(JSON.stringify({ traces: runs.map(({ file, trace, result }) => replayJson(file, trace, result)) }, null, 2) + '\n');
  } else {
    for (const { file, trace, result } of runs) io.out(textOf(file, trace, result));
    const failed = runs.filter((r) => !r.result.ok).length;
    io.out(`${runs.length - failed} of ${runs.length} trace(s) met every expectation\n`);
  }
  wrote();
  return runs.every((r) => r.result.ok) ? 0 : 1;
}

function textOf(file: string, trace: Trace, r: ReplayResult): string {
  const lines = [`${file}${trace.title ? ` — ${trace.title}` : ''}  [${r.variant}]`];
  for (const s of r.steps) {
    lines.push(`  ${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}${s.matches ? '' : `   ✗ expected ${s.expect}`}`);
  }
  if (r.broken) {
    lines.push(`  ! ${r.broken.property} broken after step ${r.broken.step}: ${r.broken.violation.message}`);
  }
  const expected = verdictText(trace.expect ?? 'holds');
  lines.push(`  verdict: ${verdictText(r.verdict)}${r.verdictMatches ? '' : `   ✗ expected ${expected}`}  → ${r.ok ? 'PASS' : 'FAIL'}`);
  return lines.join('\n') + '\n';
}
