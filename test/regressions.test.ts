// The regression corpus: every test/regressions/**/*.trace.json replays in the model with every
// step's expectation met, except the traces listed in model-differences.json (documented
// differences between the model and the kernel sandbox), which must still fail to replay, so that
// a listed difference stays real. Plus: every rule in force on linux-6.18 is reached by some trace.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { replay, resultSuffix, type ReplayResult } from '../model/replay';
import { readTrace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { RULE_NAMES, type RuleName } from '../spec/rules';
import { ruleInForce } from '../spec/semantics';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.join(ROOT, 'test', 'regressions');
const DIFFERENCES: Readonly<Record<string, string>> = JSON.parse(readFileSync(path.join(CORPUS, 'model-differences.json'), 'utf8'));
const LINUX_6_18 = 6018;

/**
 * Rules in force on linux-6.18 that no trace can reach, with the reason. Keep this short: a rule
 * that becomes reachable must leave the list (the coverage test fails on a listed rule that is hit).
 */
const UNREACHABLE: Readonly<Partial<Record<RuleName, string>>> = {
  'ucount.limit': 'no operation of the trace format sets /proc/sys/user/max_*_namespaces, and the initial limits (threads-max/2) are far beyond any trace',
  'proc.noEntry': 'on 6.18 every /proc/<pid>/ns entry exists, and the trace format rejects any other entry name before the model runs',
  'socketat.badFd': 'only the socketat-2011 design has socketat; on 6.18 it is ENOSYS before anything else (designs/ reaches it under that variant)',
  'socketat.notNetNs': 'only the socketat-2011 design has socketat; on 6.18 it is ENOSYS before anything else (designs/ reaches it under that variant)',
};

function traceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...traceFiles(p));
    else if (e.endsWith('.trace.json')) out.push(p);
  }
  return out;
}

/** Differences replay cannot see (conform compares them beyond the step results). */
function invisibleToReplay(title: string | undefined): boolean {
  return title !== undefined && /^model\/kernel disagreement \((liveness|identity)\)/.test(title);
}

function mismatches(r: ReplayResult): string {
  const lines = r.steps.filter((s) => !s.matches).map((s) => `  step ${s.index} ${s.call} ${resultSuffix(s)}, expected ${s.expect}`);
  if (!r.verdictMatches) lines.push(`  verdict ${JSON.stringify(r.verdict)}${r.broken ? ` (broken after step ${r.broken.step})` : ''}`);
  return lines.join('\n');
}

/** The corpus, and the built-in mutants' control traces (spec/variants/controls). */
const files = [...traceFiles(CORPUS), ...traceFiles(path.join(ROOT, 'spec', 'variants', 'controls'))];
const reached = new Set<string>();

test('the corpus is there and model-differences.json names existing traces', () => {
  assert.ok(files.length >= 240, `only ${files.length} traces under test/regressions`);
  for (const rel of Object.keys(DIFFERENCES)) {
    assert.ok(files.includes(path.join(ROOT, rel)), `model-differences.json lists ${rel}, which is not a trace under test/regressions`);
  }
});

for (const file of files) {
  const rel = path.relative(ROOT, file);
  const reason = DIFFERENCES[rel];
  test(`${reason === undefined ? 'replays' : 'differs as documented'}: ${path.relative(CORPUS, file)}`, () => {
    const trace = readTrace(file);
    const r = replay(trace, resolveVariant(trace.variant).sem);
    if (trace.variant === 'linux-6.18') for (const s of r.steps) if (s.rule) reached.add(s.rule);
    if (reason === undefined) {
      assert.ok(r.ok, `${rel} does not replay:\n${mismatches(r)}`);
    } else if (r.ok && invisibleToReplay(trace.title)) {
      console.log(`  note: ${rel} replays ok; its documented difference (${trace.title}) is checked on the kernel by test/conform.test.ts`);
    } else {
      assert.not.ok(r.ok, `${rel} is listed in model-differences.json (${reason}) but now replays ok: remove it from the list`);
    }
  });
}

test('every rule in force on linux-6.18 is reached by some trace', () => {
  const inForce = RULE_NAMES.filter((rule) => ruleInForce(rule, LINUX_6_18));
  const missing = inForce.filter((rule) => !reached.has(rule) && UNREACHABLE[rule] === undefined);
  assert.equal(missing, [], `rules no trace reaches: ${missing.join(', ')}`);
  const listedButReached = Object.keys(UNREACHABLE).filter((rule) => reached.has(rule));
  assert.equal(listedButReached, [], `rules listed as unreachable but reached: ${listedButReached.join(', ')}`);
  for (const rule of Object.keys(UNREACHABLE)) assert.ok(inForce.includes(rule as RuleName), `${rule} is not a rule in force on 6.18`);
});

test('every rule in force on linux-6.18 has a +reach and a +miss trace under rules/', () => {
  const names = new Set(readdirSync(path.join(CORPUS, 'rules')));
  const absent: string[] = [];
  for (const rule of RULE_NAMES.filter((x) => ruleInForce(x, LINUX_6_18) && UNREACHABLE[x] === undefined)) {
    for (const kind of ['reach', 'miss']) if (!names.has(`${rule}+${kind}.trace.json`)) absent.push(`${rule}+${kind}`);
  }
  assert.equal(absent, []);
});

test('each rules/<rule>+reach trace fires its rule, and each +miss trace does not', () => {
  const bad: string[] = [];
  for (const file of traceFiles(path.join(CORPUS, 'rules'))) {
    const base = path.basename(file, '.trace.json');
    const [rule, kind] = base.split('+') as [string, string];
    const trace = readTrace(file);
    const r = replay(trace, resolveVariant(trace.variant).sem);
    const fired = r.steps.some((s) => s.rule === rule);
    if (kind.startsWith('reach') && !fired) bad.push(`${base}: ${rule} never fires`);
    if (kind === 'miss' && fired) bad.push(`${base}: ${rule} fires`);
    if (trace.variant !== 'linux-6.18' || trace.expect !== 'holds' || !trace.title || !trace.source) bad.push(`${base}: needs title, source, variant linux-6.18, expect holds`);
    if (trace.steps.some((s) => s.expect === undefined)) bad.push(`${base}: a step without expect`);
  }
  assert.equal(bad, []);
});

test.run();
