// Reports of `nscheck diff`: an HTML page (a table of the classes, then per class its shortest
// witness side by side, with the state of each variant after the step where they diverge), and a
// Markdown summary for a CI job page.

import type { DiffClass } from '../model/diff/classes';
import type { ReplayResult } from '../model/replay';
import { stepDot } from './dot';
import { html, md, mdCode } from './escape';
import { page } from './html';
import { inlineSvg, renderSvg } from './svg';

export interface DiffClassReport {
  readonly cls: DiffClass;
  /** the side-by-side listing */
  readonly lines: readonly string[];
  /** the witness trace files of each side */
  readonly fileA?: string;
  readonly fileB?: string;
  /** each side's replay of its witness (states kept from the diverging step) */
  readonly replayA: ReplayResult;
  readonly replayB: ReplayResult;
}

export interface DiffReportInput {
  readonly nameA: string;
  readonly nameB: string;
  readonly docA?: string;
  readonly docB?: string;
  /** "A and B agree on every trace of at most K steps in scope S", or what differs */
  readonly statement: string;
  readonly classes: readonly DiffClassReport[];
}

async function diagram(r: ReplayResult, i: number): Promise<string> {
  const dot = stepDot(r, i);
  if (!dot) return '<p class="muted">(no diagram: the replay stopped before this step)</p>';
  return `<div class="svgbox">${inlineSvg(await renderSvg(dot))}</div>`;
}

export async function diffHtml(input: DiffReportInput): Promise<string> {
  const rows = input.classes.map((c, i) => `<tr><td><a href="#c${i}">${i + 1}</a></td><td>${html(c.cls.op)}</td><td>${html(c.cls.ruleA)}</td><td>${html(c.cls.ruleB)}</td><td>${html(c.cls.resultA)} → ${html(c.cls.resultB)}</td><td>${c.cls.count}</td><td>${c.cls.witness.steps.length}</td></tr>`);
  const sections: string[] = [];
  for (let i = 0; i < input.classes.length; i++) {
    const c = input.classes[i]!;
    const last = c.cls.witness.steps.length - 1;
    sections.push([
      `<section id="c${i}"><h2>${i + 1}. ${html(c.cls.key)}</h2>`,
      `<p>${c.cls.count} distinct witness(es); the shortest has ${last + 1} step(s).${c.fileA ? ` Traces: <code>${html(c.fileA)}</code>, <code>${html(c.fileB ?? '')}</code>.` : ''}</p>`,
      `<pre>${html(c.lines.join('\n'))}</pre>`,
      `<div class="pair"><figure><figcaption>${html(input.nameA)} after step ${last}</figcaption>${await diagram(c.replayA, last)}</figure>`,
      `<figure><figcaption>${html(input.nameB)} after step ${last}</figcaption>${await diagram(c.replayB, last)}</figure></div></section>`,
    ].join('\n'));
  }
  const body = [
    `<header><h1>nscheck diff: ${html(input.nameA)} vs ${html(input.nameB)}</h1>`,
    `<p class="verdict ${input.classes.length ? 'fail' : 'pass'}">${html(input.statement)}</p></header>`,
    `<dl class="meta"><dt>A</dt><dd>${html(input.nameA)}${input.docA ? ` — ${html(input.docA)}` : ''}</dd><dt>B</dt><dd>${html(input.nameB)}${input.docB ? ` — ${html(input.docB)}` : ''}</dd></dl>`,
    input.classes.length ? `<h2>Classes</h2>\n<table class="steps"><thead><tr><th>#</th><th>op</th><th>rule in A</th><th>rule in B</th><th>result A → B</th><th>witnesses</th><th>shortest</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '',
    `<p class="muted">Each witness agrees on every step but its last. Yellow: objects the diverging step changed in that variant.</p>`,
    `<style>.pair{display:flex;gap:1em;flex-wrap:wrap}.pair figure{flex:1 1 45%;min-width:20em;margin:0}</style>`,
    ...sections,
  ];
  return page(`nscheck diff: ${input.nameA} vs ${input.nameB}`, body.filter(Boolean).join('\n'), false);
}

export function diffMarkdown(input: DiffReportInput): string {
  const lines = ['## nscheck diff', '', `**${md(input.nameA)}** vs **${md(input.nameB)}**: ${md(input.statement)}`];
  if (input.classes.length) {
    lines.push('', `This change alters ${input.classes.length} behaviour(s):`, '', '| # | op | rule in A | rule in B | result A → B | witnesses | shortest |', '|---|---|---|---|---|---|---|');
    input.classes.forEach((c, i) => lines.push(`| ${i + 1} | ${md(c.cls.op)} | ${md(c.cls.ruleA)} | ${md(c.cls.ruleB)} | ${md(c.cls.resultA)} → ${md(c.cls.resultB)} | ${c.cls.count} | ${c.cls.witness.steps.length} |`));
    for (let i = 0; i < input.classes.length; i++) {
      const c = input.classes[i]!;
      lines.push('', `### ${i + 1}. ${md(c.cls.key)}`, '', mdCode(c.lines.join('\n')));
    }
  }
  return lines.join('\n') + '\n';
}
