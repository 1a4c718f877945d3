// JUnit XML, the format CI systems show as a test list: one <testcase> per trace (replay) or per
// variant (the checker), a <failure> carrying the verdict and the resolved steps.

import { resultSuffix, type ReplayResult } from '../model/replay';
import type { Trace } from '../model/trace';
import { xml } from './escape';
import { reportTitle, verdictLine } from './html';

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  /** seconds */
  readonly time?: number;
  /** undefined: passed */
  readonly failure?: { readonly message: string; readonly text: string };
  /** the case did not finish (an interrupted run): an <error>, never a pass */
  readonly error?: { readonly message: string };
}

export function junitXml(suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => !c.failure && c.error).length;
  const time = cases.reduce((t, c) => t + (c.time ?? 0), 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time.toFixed(3)}">`];
  for (const c of cases) {
    const head = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}"${c.time !== undefined ? ` time="${c.time.toFixed(3)}"` : ''}`;
    if (c.failure) lines.push(`${head}>`, `      <failure message="${xml(c.failure.message)}" type="nscheck">${xml(c.failure.text)}</failure>`, '    </testcase>');
    else if (c.error) lines.push(`${head}>`, `      <error message="${xml(c.error.message)}" type="interrupted"/>`, '    </testcase>');
    else lines.push(`${head}/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** One test case for a replayed trace. */
export function replayCase(file: string, trace: Trace, r: ReplayResult, ms?: number): JunitCase {
  const name = `${file} — ${reportTitle({ trace })}`;
  const base = { classname: `nscheck.replay.${r.variant}`, name, ...(ms !== undefined ? { time: ms / 1000 } : {}) };
  if (r.ok) return base;
  const steps = r.steps.map((s) => `${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}${s.matches ? '' : `   ✗ expected ${s.expect}`}`);
  const broken = r.broken ? [`${r.broken.property} broken after step ${r.broken.step}: ${r.broken.violation.message}`] : [];
  return { ...base, failure: { message: verdictLine(trace, r), text: [...broken, ...steps].join('\n') } };
}
