// What every search does with a counterexample it found (random check, exhaustive check,
// variants --check): print it (always, on stdout, before anything can fail), then save it as a
// trace file, an HTML report and, if asked, an ITF trace. A save that fails after the search is
// reported in one line and the trace document is printed instead, so nothing found is lost.

import { join } from 'node:path';
import { replay, resultSuffix, type ReplayResult } from '../../model/replay';
import { traceToJson, type Trace } from '../../model/trace';
import type { LoadedVariant } from '../../model/variants';
import type { Violation } from '../../properties';
import { writeReports } from '../../reports';
import { itfDocument } from '../../reports/itf';
import { writeFileAtomic } from '../../reports/write';
import { paint, type Out } from '../term';

export interface Found {
  readonly property: string;
  readonly violation: Violation;
  readonly trace: Trace;
}

export interface Saved {
  readonly lines: readonly string[];
  readonly file?: string;
  readonly report?: string;
  readonly itf?: string;
  readonly saveError?: string;
  readonly result: ReplayResult;
}

/** `nscheck replay FILE`, with `--variant FILE` when the variant is a file. */
export function replayCommandLine(file: string, v: LoadedVariant): string {
  return `nscheck replay ${file}${v.file ? ` --variant ${v.arg}` : ''}`;
}

/** The resolved step lines of a trace replayed under its variant. */
export function stepLines(r: ReplayResult): string[] {
  return r.steps.map((s) => `${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}`);
}

export function fileBase(variant: string, property: string): string {
  return `${variant.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 80)}-${property}`;
}

/**
 * Print a counterexample's header and steps on `io`, then save it into `dir` (trace, HTML report
 * folder, and `itf` if given). `text` false: print nothing (JSON output), only save.
 */
export async function saveCounterexample(io: Out, found: Found, v: LoadedVariant, opts: { dir: string; itf?: string; seed?: number; text: boolean; header?: string }): Promise<Saved> {
  const result = replay(found.trace, v.sem);
  const lines = stepLines(result);
  if (opts.text) {
    if (opts.header) io.out(opts.header);
    io.out(`${paint('red', 'VIOLATION')}: ${paint('bold', found.property)}\n  ${found.violation.message}\n`);
    if (found.violation.expected !== undefined) io.out(`  expected ${found.violation.expected}, actual ${found.violation.actual}\n`);
    for (const l of lines) io.out(`  ${l}\n`);
  }
  const base = fileBase(v.def.name, found.property);
  const file = join(opts.dir, `${base}.trace.json`);
  const reportDir = join(opts.dir, base);
  const saved: { -readonly [K in keyof Saved]: Saved[K] } = { lines, result };
  try {
    writeFileAtomic(file, traceToJson(found.trace));
    saved.file = file;
    await writeReports([{ file, trace: found.trace, result, variantDoc: v.def.doc, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) }], { reportDir });
    saved.report = join(reportDir, 'index.html');
    if (opts.itf !== undefined) {
      writeFileAtomic(opts.itf, itfDocument(found.trace, result, saved.file));
      saved.itf = opts.itf;
    }
  } catch (e) {
    saved.saveError = (e as Error).message.split('\n')[0] ?? 'error';
    io.err(`nscheck: could not save the counterexample: ${saved.saveError}\n`);
    if (saved.file === undefined) io.out(`the counterexample as a trace file:\n${traceToJson(found.trace)}`);
  }
  if (opts.text) {
    if (saved.file) io.out(`saved: ${saved.file}\n`);
    if (saved.report) io.out(`report: ${saved.report}\n`);
    if (saved.itf) io.out(`itf: ${saved.itf}\n`);
    if (saved.file) io.out(`replay: ${replayCommandLine(saved.file, v)}\n`);
  }
  return saved;
}
