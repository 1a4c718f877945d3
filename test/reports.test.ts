// reports/: golden DOT snapshots, determinism, escaping (DOT, SVG, HTML, Markdown, JUnit stay
// inert whatever a trace carries), and the HTML report as headless Chromium renders it.
// UPDATE_GOLDEN=1 npm test -- reports rewrites the .dot snapshots; review the diff by eye.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay, type ReplayResult } from '../model/replay';
import { readTrace, type Trace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { dumpDom, findChromium, screenshot } from '../reports/chromium';
import { replayDot, stateDot, stepDot } from '../reports/dot';
import { dotString, md, mdCode } from '../reports/escape';
import { changedRefs, stateGraph } from '../reports/graph';
import { htmlReport } from '../reports/html';
import { writeReports } from '../reports';
import { junitXml, replayCase } from '../reports/junit';
import { markdownSummary } from '../reports/markdown';
import { decodePng, pngStats } from '../reports/png';
import { inlineSvg, renderSvg } from '../reports/svg';
import { ITF_VARS, itfDocument } from '../reports/itf';
import { reportDirNames } from '../reports/write';
import type { State } from '../spec/state';

const FIX = join(__dirname, 'fixtures', 'reports');
const GOLDEN = ['M10a-mntns-bind-cycle', 'M10b-copied-bind', 'setns-pidfd+mnt-moves-fs-sharer'];
const PAYLOAD = '<script>alert(1)</script>';

function load(name: string): { file: string; trace: Trace; result: ReplayResult } {
  const file = join(FIX, `${name}.trace.json`);
  const trace = readTrace(file);
  return { file, trace, result: replay(trace, resolveVariant(trace.variant).sem) };
}

for (const name of GOLDEN) {
  test(`golden DOT: ${name}`, () => {
    const dot = replayDot(load(name).result);
    assert.ok(dot);
    const path = join(FIX, `${name}.violation.dot`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, dot);
    assert.fixture(dot, readFileSync(path, 'utf8'));
  });
}

test('the violation diagram draws the named objects red and the changed ones yellow', () => {
  const { result } = load('M10a-mntns-bind-cycle');
  const dot = replayDot(result)!;
  assert.equal(result.broken?.property, 'MountNsBindsOrdered');
  for (const ref of result.broken!.violation.objects) {
    const line = dot.split('\n').find((l) => l.trim().startsWith(`a_${ref.replace(':', '')} [`));
    assert.ok(line?.includes('color="#d93025"'), `${ref} red in the after pane`);
  }
  // the step (B binds A's mnt file) changed B's mount namespace and A's nsfs inode count
  const changed = changedRefs(result.states[3]!, result.states[4]!);
  assert.ok(changed.size > 0);
  for (const ref of changed) {
    const line = dot.split('\n').find((l) => l.trim().startsWith(`a_${ref.replace(':', '')} [`));
    if (line) assert.ok(line.includes('fillcolor="#fff176"'), `${ref} yellow`);
  }
  assert.ok(dot.includes('subgraph cluster_before') && dot.includes('subgraph cluster_after') && dot.includes('subgraph cluster_legend'));
  assert.match(dot, /label="bind a-mnt"/);
  // the full diagram draws every slot edge; the focused one only the slots that lead somewhere drawn
  assert.match(replayDot(result, { full: true })!, /b_proxy\d+:pidForChildren -> /);
  assert.not.match(dot, /:pidForChildren -> /);
  assert.match(dot, /a_proxy\d+:mnt -> a_ns\d+ /);
});

const nodeRefs = (dot: string, prefix: string): string[] =>
  dot.split('\n').map((l) => new RegExp(`^\\s*${prefix}([a-z]+)(\\d+) \\[`).exec(l)).filter((m) => m !== null).map((m) => `${m[1]}:${m[2]}`);

test('the focused violation diagram: the bind cycle, its neighbours, and a count of the rest', () => {
  const { result } = load('M10a-mntns-bind-cycle');
  const dot = replayDot(result)!;
  const full = replayDot(result, { full: true })!;
  // after the step: the two mount namespaces, the two nsfs inodes binding them into each other,
  // their owner, both nsproxies and their tasks (B made the step); not uts, ipc, pid, ...
  assert.equal(nodeRefs(dot, 'a_'), ['task:0', 'task:1', 'task:2', 'proxy:0', 'proxy:1', 'inode:0', 'inode:1', 'ns:0', 'ns:1', 'ns:8']);
  assert.equal(nodeRefs(dot, 'b_'), ['task:0', 'task:1', 'task:2', 'proxy:0', 'proxy:1', 'inode:0', 'ns:0', 'ns:1', 'ns:8']);
  assert.is(nodeRefs(full, 'a_').length, 16);
  assert.match(dot, /a_hidden \[label="6 other objects not shown"/);
  assert.match(dot, /b_hidden \[label="6 other objects not shown"/);
  assert.not.ok(full.includes('_hidden'));
  // the cycle: ns:1 binds inode:0 (of ns:8), ns:8 binds inode:1 (of ns:1)
  assert.match(dot, /a_ns1 -> a_inode0 \[label="bind b-mnt"/);
  assert.match(dot, /a_inode0 -> a_ns8 /);
  assert.match(dot, /a_ns8 -> a_inode1 \[label="bind a-mnt"/);
  assert.match(dot, /a_inode1 -> a_ns1 /);
  // no cred edge between objects that are only neighbours; the legend says what is drawn
  assert.not.match(dot, /_task\d+ -> [ab]_ns\d+ \[label="cred"/);
  assert.match(dot, /lg_focus \[/);
  assert.match(dot, /\+7 slots not shown/);
});

test('the focused diagram: a setns keeps the task, its old and new nsproxy, and the root it kept', () => {
  const { result } = load('setns-pidfd+mnt-moves-fs-sharer');
  const dot = replayDot(result)!;
  const v = result.broken!.violation;
  for (const ref of v.objects) assert.ok(nodeRefs(dot, 'a_').includes(ref) || nodeRefs(dot, 'b_').includes(ref), `${ref} drawn`);
  assert.ok(nodeRefs(dot, 'a_').length < nodeRefs(replayDot(result, { full: true })!, 'a_').length);
  // a namespace whose refcount alone moved is not a reason to draw it
  const full = replayDot(result, { full: true })!;
  assert.ok(full.includes('a_ns2 ['));
  assert.not.ok(dot.includes('a_ns2 ['));
  assert.is(dot, replayDot(load('setns-pidfd+mnt-moves-fs-sharer').result));
});

test('freed and reaped objects are drawn only when named or still pointed at', () => {
  const { result } = load('M10b-copied-bind');
  const s = result.states.at(-1)!;
  const freedNs = s.ns.map((n, i) => ({ n, i })).filter(({ n }) => n.freed);
  for (const { i } of freedNs) assert.not.ok(stateGraph(s).nodes.some((n) => n.ref === `ns:${i}`));
  const live = s.ns.findIndex((n) => !n.freed);
  const killed: State = { ...s, ns: s.ns.map((n, i) => (i === live ? { ...n, freed: true } : n)) };
  const g = stateGraph(killed, new Set([`ns:${live}`]));
  const node = g.nodes.find((n) => n.ref === `ns:${live}`);
  assert.ok(node?.dead);
  assert.ok(node.lines.includes('FREED'));
});

test('determinism: DOT, SVG and HTML are byte-identical across renders', async () => {
  const a = load('setns-pidfd+mnt-moves-fs-sharer');
  const b = load('setns-pidfd+mnt-moves-fs-sharer');
  const dotA = replayDot(a.result)!;
  assert.is(dotA, replayDot(b.result));
  assert.is(await renderSvg(dotA), await renderSvg(dotA));
  for (let i = 0; i < a.result.steps.length; i++) assert.is(stepDot(a.result, i), stepDot(b.result, i));
  const h1 = await htmlReport({ file: 'x.trace.json', trace: a.trace, result: a.result });
  const h2 = await htmlReport({ file: 'x.trace.json', trace: b.trace, result: b.result });
  assert.is(h1, h2);
});

test('dotString escapes quotes, backslashes, entities and newlines, and shows control and bidi characters', () => {
  assert.is(dotString('a"b'), '"a\\"b"');
  assert.is(dotString('a\\N'), '"a\\\\N"');
  assert.is(dotString('x\ny'), '"x\\ny"');
  assert.is(dotString('<&>'), '"&lt;&amp;&gt;"');
  assert.is(dotString('\u0000\u0007bell'), '"\\\\u0000\\\\u0007bell"');
  assert.is(dotString('a\u202eb'), '"a\\\\u202eb"');
  assert.is(dotString('lone \ud800'), '"lone \\\\ud800"');
  assert.is(md('a|b`c<'), 'a\\|b\\`c&lt;');
  assert.is(mdCode('x ``` y'), '````\nx ``` y\n````');
});

test('escaping: a hostile title, bind target, hostname and task name stay inert in DOT, SVG, HTML, Markdown, JUnit', async () => {
  const run = load('escaping');
  assert.is(run.result.broken?.property, 'MountNsBindsOrdered');
  const dot = replayDot(run.result)!;
  assert.not.ok(dot.includes(PAYLOAD));
  assert.not.match(dot, /(^|[^\\])"\];x->y/);
  // Graphviz parses it (a DOT injection would make a syntax error or an extra node)
  const svg = await renderSvg(dot);
  assert.not.ok(svg.includes('<script'));
  assert.not.ok(/<title>(x|y|evil)<\/title>/.test(svg));
  assert.ok(svg.includes('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'the target is shown, escaped');
  // the hostname lives in the uts namespace, which only the full diagram draws
  const fullDot = replayDot(run.result, { full: true })!;
  assert.not.ok(fullDot.includes(PAYLOAD));
  const fullSvg = await renderSvg(fullDot);
  assert.not.ok(fullSvg.includes('<script'));
  assert.not.ok(/<title>(x|y|evil)<\/title>/.test(fullSvg));
  assert.ok(fullSvg.includes('hostname &lt;script&gt;'), 'the hostname is shown, escaped');
  assert.ok(fullSvg.includes('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(svg.includes('\\N') && fullSvg.includes('\\N'), 'a backslash sequence is shown literally');

  // task names are restricted by the trace format; the renderer escapes them all the same
  const s = run.result.states.at(-1)!;
  const hostile: State = { ...s, tasks: s.tasks.map((t) => ({ ...t, name: `${PAYLOAD}"\\N ${t.name}` })) };
  const svg2 = await renderSvg(stateDot(hostile, `title ${PAYLOAD}"];`));
  assert.not.ok(svg2.includes('<script'));
  assert.ok(svg2.includes('task &lt;script&gt;alert(1)&lt;/script&gt;&quot;\\N P') || svg2.includes('task &lt;script&gt;alert(1)&lt;/script&gt;"\\N P'));
  assert.ok(inlineSvg(svg2).startsWith('<svg'));
  assert.throws(() => inlineSvg('<svg><script>x</script></svg>'));

  const page = await htmlReport({ file: `${PAYLOAD}.trace.json`, trace: run.trace, result: run.result, variantDoc: PAYLOAD, seed: PAYLOAD });
  assert.is(page.match(/<script/g)?.length, 1, 'only the report\'s own script');
  assert.not.ok(page.includes(PAYLOAD));
  assert.not.ok(page.includes('<img'));
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.match(page, /Content-Security-Policy" content="default-src 'none'; [^"]*script-src 'sha256-[A-Za-z0-9+/=]+'"/);

  const mdText = markdownSummary([{ ...run, result: { ...run.result, ok: false } }]);
  // inside a code fence the text is literal (Markdown renders it as code); outside, none raw
  const outsideFences = mdText.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  assert.ok(outsideFences.length < mdText.length, 'the steps are fenced');
  assert.not.match(outsideFences, /<(?!br>)/);
  const xmlText = junitXml('s', [replayCase(run.file, run.trace, { ...run.result, ok: false })]);
  assert.not.ok(xmlText.includes(PAYLOAD));
  assert.not.ok(/[\u0000-\u0008]/.test(xmlText));
});

test('writeReports: one folder per trace, an index, JUnit and Markdown, nothing half-written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nscheck-reports-'));
  try {
    const runs = GOLDEN.slice(0, 2).map(load);
    const written = await writeReports(runs, { reportDir: join(dir, 'r'), junit: join(dir, 'j.xml'), summary: join(dir, 's.md') });
    for (const n of ['M10a-mntns-bind-cycle', 'M10b-copied-bind']) {
      assert.ok(existsSync(join(dir, 'r', n, 'index.html')));
      assert.ok(existsSync(join(dir, 'r', n, 'violation.dot')));
      assert.ok(existsSync(join(dir, 'r', n, 'trace.json')));
    }
    const index = readFileSync(join(dir, 'r', 'index.html'), 'utf8');
    assert.ok(index.includes('href="M10a-mntns-bind-cycle/index.html"'));
    assert.ok(readFileSync(join(dir, 'j.xml'), 'utf8').includes('tests="2" failures="0"'));
    assert.ok(readFileSync(join(dir, 's.md'), 'utf8').includes('**2 of 2**'));
    assert.ok(written.every((f) => existsSync(f)));
    // the saved trace replays to the same verdict
    const saved = readTrace(join(dir, 'r', 'M10a-mntns-bind-cycle', 'trace.json'));
    assert.ok(replay(saved, resolveVariant(saved.variant).sem).ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(reportDirNames(['a/x.trace.json', 'b/x.trace.json', 'x-2.trace.json', '../..trace.json']), ['x', 'x-2', 'x-2-2', '_']);
});

const chromium = findChromium();
if (!chromium) {
  console.log('SKIPPED: chromium not installed (the headless rendering test of the HTML report did not run)');
} else {
  test('headless Chromium: the HTML report renders, its stepper runs, and hostile input stays text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nscheck-chromium-test-'));
    try {
      const run = load('M10a-mntns-bind-cycle');
      const file = join(dir, 'report.html');
      writeFileSync(file, await htmlReport({ file: run.file, trace: run.trace, result: run.result }));
      const png = join(dir, 'shot.png');
      screenshot(chromium, file, png, 1200, 1600);
      const stats = pngStats(decodePng(readFileSync(png)));
      assert.ok(stats.colours > 200, `many distinct colours (got ${stats.colours})`);
      assert.ok(stats.inked > 0.03, `not blank (inked ${(stats.inked * 100).toFixed(1)}%)`);
      const dom = dumpDom(chromium, file);
      assert.ok(dom.includes('MountNsBindsOrdered'));
      assert.ok((dom.match(/<svg/g)?.length ?? 0) >= 6, 'violation diagram + one per step');
      assert.match(dom, /<body class="js">/, 'the stepper script ran (the CSP hash matches)');
      assert.match(dom, /<span id="pos">5 \/ 5<\/span>/);

      const bad = load('escaping');
      const badFile = join(dir, 'bad.html');
      writeFileSync(badFile, await htmlReport({ file: bad.file, trace: bad.trace, result: bad.result }));
      const badDom = dumpDom(chromium, badFile);
      assert.is(badDom.match(/<script/g)?.length, 1, 'one script element: the report\'s own');
      assert.ok(badDom.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('ITF: one state per step plus the initial one, every variable, integers as #bigint (ADR-015)', () => {
  const { file, trace, result } = load('M10a-mntns-bind-cycle');
  const doc = JSON.parse(itfDocument(trace, result, file)) as { '#meta': { format: string }; vars: string[]; states: Record<string, unknown>[] };
  assert.is(doc['#meta'].format, 'ITF');
  assert.equal(doc.vars, [...ITF_VARS]);
  assert.is(doc.states.length, trace.steps.length + 1);
  const bare: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') bare.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('#bigint' in o) assert.match(String(o['#bigint']), /^-?\d+$/, path);
      else for (const [k, x] of Object.entries(o)) if (k !== '#meta') walk(x, `${path}.${k}`);
    }
  };
  doc.states.forEach((st, i) => {
    assert.equal(Object.keys(st).sort(), ['#meta', ...ITF_VARS].sort(), `state ${i}`);
    assert.equal(st['#meta'], { index: i });
    walk(st, `states[${i}]`);
  });
  assert.equal(bare, [], 'integers outside #meta are {"#bigint": "N"}');
  // the last state holds the cycle the violation names: two mount namespaces binding each other's files
  const last = JSON.stringify(doc.states[doc.states.length - 1]!.namespaces);
  assert.ok(last.includes('"binds":[{"target":"a-mnt"') && last.includes('"binds":[{"target":"b-mnt"'), last);
});

test.run();
