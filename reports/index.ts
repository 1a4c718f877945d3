// Writing every report a replay asked for: HTML (one folder per trace when there are several,
// with an index page), JUnit XML and a Markdown summary. Files are written atomically.

import { join } from 'node:path';
import type { ReplayResult } from '../model/replay';
import { traceToJson, type Trace } from '../model/trace';
import { replayDot } from './dot';
import { htmlIndex, htmlReport, reportTitle, verdictLine, type IndexEntry } from './html';
import { junitXml, replayCase } from './junit';
import { markdownSummary } from './markdown';
import { renderSvg } from './svg';
import { reportDirNames, writeFileAtomic } from './write';

export interface ReportRun {
  readonly file: string;
  readonly trace: Trace;
  readonly result: ReplayResult;
  readonly variantDoc?: string;
  /** the checker seed that found the trace */
  readonly seed?: string | number;
  /** how long the replay took, for JUnit */
  readonly ms?: number;
}

export interface ReportOptions {
  /** folder for the HTML reports */
  readonly reportDir?: string;
  readonly junit?: string;
  readonly summary?: string;
}

/**
 * Write the reports; returns the files written. A report folder holds index.html, the trace
 * with its results (trace.json) and, for a violation, the diagram as violation.dot/.svg.
 */
export async function writeReports(runs: readonly ReportRun[], opts: ReportOptions): Promise<string[]> {
  const written: string[] = [];
  const write = (path: string, text: string) => {
    writeFileAtomic(path, text);
    written.push(path);
  };
  const links = new Map<ReportRun, string>();
  if (opts.reportDir !== undefined) {
    const dir = opts.reportDir;
    const names = runs.length === 1 ? [''] : reportDirNames(runs.map((r) => r.file));
    const entries: IndexEntry[] = [];
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const sub = join(dir, names[i]!);
      const { file, trace, result } = run;
      write(join(sub, 'trace.json'), traceToJson({ ...trace, steps: trace.steps.slice(0, result.steps.length) }, result.steps.map((s) => s.result)));
      if (result.broken) {
        const dot = replayDot(result);
        if (dot) {
          write(join(sub, 'violation.dot'), dot);
          write(join(sub, 'violation.svg'), await renderSvg(dot));
        }
      }
      write(join(sub, 'index.html'), await htmlReport({ file, trace, result, ...(run.variantDoc !== undefined ? { variantDoc: run.variantDoc } : {}), ...(run.seed !== undefined ? { seed: run.seed } : {}) }));
      const href = names[i] ? `${names[i]}/index.html` : 'index.html';
      links.set(run, join(dir, href));
      entries.push({ href, file, title: reportTitle({ file, trace }), verdict: verdictLine(trace, result), ok: result.ok });
    }
    if (runs.length > 1) write(join(dir, 'index.html'), htmlIndex(entries));
  }
  if (opts.junit !== undefined) write(opts.junit, junitXml('nscheck replay', runs.map((r) => replayCase(r.file, r.trace, r.result, r.ms))));
  if (opts.summary !== undefined) {
    write(opts.summary, markdownSummary(runs.map((r) => {
      const link = links.get(r);
      return link !== undefined ? { file: r.file, trace: r.trace, result: r.result, report: link } : { file: r.file, trace: r.trace, result: r.result };
    })));
  }
  return written;
}
