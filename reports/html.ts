// The HTML counterexample report: one self-contained file (inline CSS, inline SVG, a small
// inline script, no network). Everything that comes from a trace or a violation is escaped; a
// Content-Security-Policy allows only the report's own script (by hash), so even a mistake in
// escaping could not run injected code.

import { createHash } from 'node:crypto';
import type { ReplayResult } from '../model/replay';
import { traceToJson, type Trace } from '../model/trace';
import { verdictText } from '../model/replay';
import { INVARIANTS, TRANSITIONS } from '../properties';
import { replayDot, stateDot, stepDot } from './dot';
import { html } from './escape';
import { inlineSvg, renderSvg } from './svg';

export interface ReportInput {
  /** the trace file the report is about (shown, never opened) */
  readonly file?: string;
  readonly trace: Trace;
  readonly result: ReplayResult;
  /** the variant's one-sentence description */
  readonly variantDoc?: string;
  /** the checker seed that found the trace, if any */
  readonly seed?: string | number;
}

export interface PropertyInfo {
  readonly name: string;
  readonly kind: 'invariant' | 'transition property';
  readonly doc: string;
  readonly source: string;
}

/** The registered property of that name, with its doc and kernel source. */
export function propertyInfo(name: string): PropertyInfo | undefined {
  const inv = INVARIANTS.find((p) => p.name === name);
  if (inv) return { name, kind: 'invariant', doc: inv.doc, source: inv.source };
  const tr = TRANSITIONS.find((p) => p.name === name);
  return tr ? { name, kind: 'transition property', doc: tr.doc, source: tr.source } : undefined;
}

export function reportTitle(input: Pick<ReportInput, 'file' | 'trace'>): string {
  return input.trace.title ?? input.file ?? 'nscheck trace';
}

/**
 * The report's banner. A trace that reproduces the violation it expects is a counterexample to
 * its reader, not a pass: say what breaks, and where.
 */
function bannerLine(trace: Trace, r: ReplayResult): string {
  if (r.ok && r.broken) return `COUNTEREXAMPLE: ${r.broken.property} is broken after step ${r.broken.step} (this trace reproduces it)`;
  return verdictLine(trace, r);
}

/** One line of verdict: `FAIL: violates X (expected holds)`, `PASS: violates X, as expected`. */
export function verdictLine(trace: Trace, r: ReplayResult): string {
  const expected = verdictText(trace.expect ?? 'holds');
  const got = verdictText(r.verdict);
  const mismatches = r.steps.filter((s) => !s.matches).length;
  const parts = [r.verdictMatches ? `${got}, as expected` : `${got} (expected ${expected})`];
  if (mismatches) parts.push(`${mismatches} step(s) gave another result than expected`);
  return `${r.ok ? 'PASS' : 'FAIL'}: ${parts.join('; ')}`;
}

const CSS = `
:root{--red:#d93025;--ok:#188038;--muted:#5f6368;--line:#dadce0}
*{box-sizing:border-box}
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:0;padding:20px 28px;color:#202124;background:#fff}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid var(--line);padding-bottom:3px}
.verdict{font-weight:bold;margin:4px 0 12px}.verdict.fail{color:var(--red)}.verdict.pass{color:var(--ok)}
.prop{border-left:4px solid var(--red);padding:6px 12px;background:#fef7f6}.prop.none{border-color:var(--ok);background:#f3faf5}
.prop .name{font-weight:bold;font-family:"DejaVu Sans Mono",monospace}.muted{color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:10px 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f8f9fa}td.call,td.res,code,pre{font-family:"DejaVu Sans Mono",monospace}
tr.mismatch td{background:#fce8e6}tr.broken td{font-weight:bold}tr.current td{outline:2px solid #1a73e8;outline-offset:-2px}
tr[data-step]{cursor:pointer}.bad{color:var(--red);font-weight:bold}
.svgbox{overflow:auto;border:1px solid var(--line);padding:6px}.svgbox svg{display:block;max-width:100%;height:auto}
.svgbox.main svg{max-width:100%;width:auto;height:auto;max-height:80vh}.svgbox.main.fit svg{max-width:100%;height:auto;max-height:none}
details.full{margin:10px 0}details.full summary{cursor:pointer;color:var(--muted)}details.full .svgbox svg{max-width:none;width:auto;height:80vh;min-height:420px}
figure.step .svgbox svg{max-height:75vh;width:auto}
.controls{display:flex;gap:10px;align-items:center;margin:6px 0}button{font:inherit;padding:2px 10px}
figure.step{margin:0 0 18px}figure.step figcaption{font-family:"DejaVu Sans Mono",monospace;font-size:13px;margin-bottom:4px}
body.js figure.step[hidden]{display:none}
pre{background:#f8f9fa;border:1px solid var(--line);padding:8px;overflow:auto;font-size:12px}
ul.index li{margin:3px 0}
`;

/** The stepper: shows one step diagram at a time (all are shown without script). No input in it. */
const SCRIPT = `(function(){
var figs=Array.prototype.slice.call(document.querySelectorAll('figure.step'));
var rows=Array.prototype.slice.call(document.querySelectorAll('tr[data-step]'));
var pos=document.getElementById('pos');if(!figs.length||!pos)return;
document.body.classList.add('js');var cur=figs.length-1;
function show(n){cur=Math.max(0,Math.min(figs.length-1,n));
figs.forEach(function(f,k){f.hidden=k!==cur;});
var s=figs[cur].getAttribute('data-step');
rows.forEach(function(r){r.classList.toggle('current',r.getAttribute('data-step')===s);});
pos.textContent=(cur+1)+' / '+figs.length;}
document.getElementById('prev').addEventListener('click',function(){show(cur-1);});
document.getElementById('next').addEventListener('click',function(){show(cur+1);});
document.addEventListener('keydown',function(e){if(e.key==='ArrowLeft')show(cur-1);if(e.key==='ArrowRight')show(cur+1);});
rows.forEach(function(r){r.addEventListener('click',function(){var s=r.getAttribute('data-step');
for(var k=0;k<figs.length;k++)if(figs[k].getAttribute('data-step')===s){show(k);figs[k].scrollIntoView({block:'nearest'});}});});
var box=document.querySelector('.svgbox.main');if(box)box.addEventListener('dblclick',function(){box.classList.toggle('fit');});
show(cur);})();`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

export function page(title: string, body: string, script: boolean): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${script ? `'sha256-${SCRIPT_HASH}'` : "'none'"}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
${script ? `<script>${SCRIPT}</script>\n` : ''}</body>
</html>
`;
}

function callWithoutTask(task: string, call: string): string {
  return call.startsWith(`${task}: `) ? call.slice(task.length + 2) : call;
}

function stepsTable(r: ReplayResult): string {
  const rows = r.steps.map((s) => {
    const broken = r.broken?.step === s.index;
    const cls = [s.matches ? '' : 'mismatch', broken ? 'broken' : ''].filter(Boolean).join(' ');
    return `<tr data-step="${s.index}"${cls ? ` class="${cls}"` : ''}><td>${s.index}</td><td>${html(s.task)}</td>`
      + `<td class="call">${html(callWithoutTask(s.task, s.call))}</td><td class="res">${html(s.rule ? `-1 ${s.result}` : s.result)}</td>`
      + `<td class="res">${s.rule ? html(s.rule) : ''}</td><td class="res">${s.expect !== undefined ? html(s.expect) : ''}</td>`
      + `<td>${s.matches ? '' : '<span class="bad" title="result differs from expect">✗</span>'}${broken ? ` <span class="bad">${html(r.broken?.property ?? '')}</span>` : ''}</td></tr>`;
  });
  return `<table><thead><tr><th>#</th><th>task</th><th>call (fd variables resolved)</th><th>result</th><th>rule</th><th>expect</th><th></th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function propertySection(r: ReplayResult): string {
  if (!r.broken) return '<div class="prop none"><p>Every invariant and transition property held after every step.</p></div>';
  const info = propertyInfo(r.broken.property);
  const v = r.broken.violation;
  const lines = [
    `<p><span class="name">${html(r.broken.property)}</span> <span class="muted">(${info ? info.kind : 'property'}, broken after step ${r.broken.step})</span></p>`,
    info ? `<p>${html(info.doc)}</p><p class="muted">Source: ${html(info.source)}</p>` : '',
    `<p><b>${html(v.message)}</b></p>`,
    v.expected !== undefined || v.actual !== undefined ? `<p>expected <code>${html(v.expected ?? '?')}</code>, actual <code>${html(v.actual ?? '?')}</code></p>` : '',
    v.objects.length ? `<p class="muted">objects (red in the diagram): <code>${html(v.objects.join(', '))}</code></p>` : '',
  ];
  return `<div class="prop">${lines.filter(Boolean).join('\n')}</div>`;
}

/** How many step diagrams a report draws at most (the last ones, which lead to the violation). */
export const MAX_STEP_DIAGRAMS = 60;

/** The full report for one replayed trace. */
export async function htmlReport(input: ReportInput): Promise<string> {
  const { trace, result: r } = input;
  const title = reportTitle(input);
  const meta: [string, string][] = [['variant', `${r.variant}${input.variantDoc ? ` — ${input.variantDoc}` : ''}`]];
  if (input.file !== undefined) meta.push(['trace file', input.file]);
  if (input.seed !== undefined) meta.push(['seed', String(input.seed)]);
  meta.push(['length', `${trace.steps.length} step(s)${r.steps.length < trace.steps.length ? `, replay stopped after step ${r.steps.length - 1}` : ''}`]);
  if (trace.source !== undefined) meta.push(['source', trace.source]);

  const dot = replayDot(r);
  const main = dot ? inlineSvg(await renderSvg(dot)) : '';
  const fullDot = replayDot(r, { full: true });
  const full = fullDot ? inlineSvg(await renderSvg(fullDot)) : '';
  const figures: string[] = [];
  const first = Math.max(0, r.steps.length - MAX_STEP_DIAGRAMS);
  if (first === 0) {
    const start = r.states[0];
    if (start) figures.push(figure('start', 'initial state', inlineSvg(await renderSvg(stateDot(start, 'initial state')))));
  }
  for (let i = first; i < r.steps.length; i++) {
    const d = stepDot(r, i);
    const s = r.steps[i];
    if (!d || !s) continue;
    figures.push(figure(String(i), `${i}  ${s.call} = ${s.result}${s.rule ? `  [${s.rule}]` : ''}`, inlineSvg(await renderSvg(d))));
  }
  const results = r.steps.map((s) => s.result);
  const body = [
    `<header><h1>${html(title)}</h1>`,
    `<p class="verdict ${r.ok && !r.broken ? 'pass' : 'fail'}">${html(bannerLine(trace, r))}</p></header>`,
    propertySection(r),
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${html(k)}</dt><dd>${html(v)}</dd>`).join('')}</dl>`,
    `<h2>Steps</h2>\n${stepsTable(r)}`,
    main ? `<h2>${r.broken ? `Before and after step ${r.broken.step}` : 'The last step'}</h2>\n<p class="muted">Red: objects the violation names. Yellow: objects the step changed. Drawn: those objects, their direct neighbours and the task that made the step; the full state is below. Scroll to pan; double-click to fit the width.</p>\n<div class="svgbox main">${main}</div>` : '',
    full ? `<details class="full"><summary>Full state before and after step ${r.broken ? r.broken.step : r.steps.length - 1} (every object)</summary>\n<div class="svgbox">${full}</div></details>` : '',
    `<h2>Step through</h2>\n<div class="controls"><button id="prev" type="button">◀ previous</button><span id="pos"></span><button id="next" type="button">next ▶</button><span class="muted">(← → keys; click a row of the steps table)</span></div>`,
    first > 0 ? `<p class="muted">Showing the last ${MAX_STEP_DIAGRAMS} of ${r.steps.length} steps.</p>` : '',
    figures.join('\n'),
    `<h2>Trace</h2>\n<p class="muted">The steps as a trace file, each with the result it gave (save as <code>NAME.trace.json</code>; <code>nscheck replay</code> reproduces it).</p>`,
    `<pre>${html(traceToJson({ ...trace, steps: trace.steps.slice(0, r.steps.length) }, results))}</pre>`,
  ];
  return page(`nscheck: ${title}`, body.filter(Boolean).join('\n'), true);
}

function figure(step: string, caption: string, svg: string): string {
  return `<figure class="step" data-step="${html(step)}"><figcaption>${html(caption)}</figcaption><div class="svgbox">${svg}</div></figure>`;
}

export interface IndexEntry {
  /** the report's path relative to the index */
  readonly href: string;
  readonly file: string;
  readonly title: string;
  readonly verdict: string;
  readonly ok: boolean;
}

/** A page listing several reports. */
export function htmlIndex(entries: readonly IndexEntry[]): string {
  const failed = entries.filter((e) => !e.ok).length;
  const items = entries.map((e) => `<li><a href="${html(encodeURI(e.href))}">${html(e.file)}</a> — ${html(e.title)}<br><span class="${e.ok ? 'muted' : 'bad'}">${html(e.verdict)}</span></li>`);
  return page('nscheck reports', `<h1>nscheck reports</h1>\n<p class="verdict ${failed ? 'fail' : 'pass'}">${entries.length - failed} of ${entries.length} trace(s) met every expectation</p>\n<ul class="index">\n${items.join('\n')}\n</ul>`, false);
}
