// nscheck replay TRACE... [--variant V] [--json]

import { replay, resultSuffix, verdictText, type ReplayResult } from '../model/replay';
import { readTrace, type Trace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { parse, UsageError, type Out } from './cli';

const HELP = `usage: nscheck replay TRACE... [--variant NAME|FILE] [--json]

Runs each trace through the model, printing one resolved line per step, and checks every
step's "expect" and the trace's verdict. --variant overrides the trace's own variant.
Exit 0 when every expectation is met, 1 when one is not, 2 on invalid input.`;

export async function replayCommand(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse(argv, { variant: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('replay needs at least one trace file');
  // validate everything before running anything
  const traces: { file: string; trace: Trace }[] = positionals.map((file) => ({ file, trace: readTrace(file) }));
  const runs: { file: string; trace: Trace; result: ReplayResult }[] = [];
  for (const { file, trace } of traces) {
    const { sem } = resolveVariant(values.variant ?? trace.variant);
    runs.push({ file, trace, result: replay(trace, sem) });
  }
  if (values.json) {
    io.out(JSON.stringify({ traces: runs.map(({ file, trace, result }) => jsonOf(file, trace, result)) }, null, 2) + '\n');
  } else {
    for (const { file, trace, result } of runs) io.out(textOf(file, trace, result));
    const failed = runs.filter((r) => !r.result.ok).length;
    io.out(`${runs.length - failed} of ${runs.length} trace(s) met every expectation\n`);
  }
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

function jsonOf(file: string, trace: Trace, r: ReplayResult) {
  return {
    file, title: trace.title ?? null, variant: r.variant, ok: r.ok,
    verdict: r.verdict, expectedVerdict: trace.expect ?? 'holds',
    steps: r.steps.map((s) => ({ index: s.index, task: s.task, call: s.call, result: s.result, rule: s.rule ?? null, expect: s.expect ?? null, matches: s.matches })),
    broken: r.broken ? { property: r.broken.property, step: r.broken.step, ...r.broken.violation } : null,
  };
}
