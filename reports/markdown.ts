// A Markdown summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY and the like): one table
// row per trace, then each failure with its violation and resolved steps. Input text is escaped
// for Markdown and HTML; steps go in a fence longer than any backtick run they contain.

import { resultSuffix, type ReplayResult } from '../model/replay';
import type { Trace } from '../model/trace';
import { md, mdCode } from './escape';
import { propertyInfo, reportTitle, verdictLine } from './html';

export interface SummaryRun {
  readonly file: string;
  readonly trace: Trace;
  readonly result: ReplayResult;
  /** link to the HTML report, relative to wherever the summary is shown */
  readonly report?: string;
}

export function markdownSummary(runs: readonly SummaryRun[], heading = 'nscheck replay'): string {
  const failed = runs.filter((r) => !r.result.ok);
  const out = [`## ${md(heading)}`, '', `**${runs.length - failed.length} of ${runs.length}** trace(s) met every expectation.`, ''];
  out.push('| | trace | variant | verdict |', '|---|---|---|---|');
  for (const { file, trace, result, report } of runs) {
    const name = report !== undefined ? `[${md(file)}](${encodeURI(report).replace(/[()]/g, (c) => encodeURIComponent(c))})` : md(file);
    out.push(`| ${result.ok ? '✅' : '❌'} | ${name}<br>${md(reportTitle({ trace }))} | ${md(result.variant)} | ${md(verdictLine(trace, result))} |`);
  }
  for (const { file, result } of failed) {
    out.push('', `### ❌ ${md(file)}`, '');
    if (result.broken) {
      const info = propertyInfo(result.broken.property);
      out.push(`**${md(result.broken.property)}** broken after step ${result.broken.step}: ${md(result.broken.violation.message)}`);
      if (info) out.push('', `> ${md(info.doc)}`, '>', `> ${md(info.source)}`);
    }
    const lines = result.steps.map((s) => `${String(s.index).padStart(3)}  ${s.call} ${resultSuffix(s)}${s.matches ? '' : `   ✗ expected ${s.expect}`}`);
    out.push('', mdCode(lines.join('\n')));
  }
  return out.join('\n') + '\n';
}
