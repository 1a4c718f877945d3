// The command line's promises: exit statuses, one-line errors for bad input, and a check whose
// saved counterexample replays.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli';
import { RULE_NAMES } from '../spec/rules';
import { EFFECT_NAMES } from '../spec/semantics';
import { HOOK_NAMES } from '../spec/hooks';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'nscheck-cli-'));
function traceFile(name: string, doc: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return f;
}

const oneLine = (s: string) => s.trim().split('\n').length === 1 && !s.includes('    at ');

test('replay: bad JSON is one line, exit 2', async () => {
  const r = await run(['replay', traceFile('bad.json', '{ nope')]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, 'not valid JSON');
});

test('replay: an unknown op names the step, exit 2', async () => {
  const r = await run(['replay', traceFile('op.json', { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'getpid' }, { task: 'P', op: 'frobnicate' }] })]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, 'step 1: unknown op "frobnicate"');
});

test('replay: a wrongly typed argument names the step and argument, exit 2', async () => {
  const r = await run(['replay', traceFile('arg.json', { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'unshare', args: { flags: 'CLONE_NEWNET' } }] })]);
  assert.is(r.code, 2);
  assert.match(r.err, 'step 0: unshare: argument "flags" must be');
});

test('replay: a wrong format is refused before anything runs', async () => {
  const good = traceFile('good.json', { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'getpid', expect: 'pid=2' }] });
  const r = await run(['replay', good, traceFile('fmt.json', { format: 'other', steps: [] })]);
  assert.is(r.code, 2);
  assert.is(r.out, '');
});

test('replay: an unmet expectation shows both values, exit 1', async () => {
  const r = await run(['replay', traceFile('exp.json', { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'unshare', args: { flags: ['CLONE_NEWNET'] }, expect: 'EPERM' }] })]);
  assert.is(r.code, 1);
  assert.match(r.out, '= ok   ✗ expected EPERM');
});

test('replay --json is one document', async () => {
  const r = await run(['replay', '--json', traceFile('j.json', { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'getpid', expect: 'pid=2' }] })]);
  assert.is(r.code, 0);
  const doc = JSON.parse(r.out) as { traces: { ok: boolean; steps: { result: string }[] }[] };
  assert.is(doc.traces[0]?.steps[0]?.result, 'pid=2');
});

test('an unknown variant is one line, exit 2', async () => {
  const r = await run(['check', '--variant', 'no-such-variant']);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
});

test('a variant file naming a rule that does not exist is one line, exit 2', async () => {
  const r = await run(['check', '--variant', './test/fixtures/variants/bad-rule.ts']);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, 'no rule named "no.such.rule"');
});

test('a variant with a wrong errno, effect value, nsTypes entry or expected property is one line naming it, exit 2', async () => {
  const cases: [string, string][] = [
    [`errno: { 'pidns.ancestor': 'EWHATEVER' }`, 'errno of rule "pidns.ancestor" must be one of'],
    [`effects: { 'setns.transactional': 'no' }`, 'behaviour "setns.transactional" must be true or false'],
    [`nsTypes: { pid: { instal: (b) => b.install } }`, 'nsTypes.pid has no entry "instal"'],
    [`expect: { violates: 'RefcountMatchesHolders' }`, 'expect.violates must name a property'],
  ];
  for (const [i, [field, message]] of cases.entries()) {
    const file = join(dir, `bad-field-${i}.js`);
    writeFileSync(file, `module.exports.default = { name: 'bad', doc: 'bad', ${field} };\n`);
    const r = await run(['check', '--variant', file, '--runs', '5']);
    assert.is(r.code, 2, field);
    assert.ok(oneLine(r.err), r.err);
    assert.match(r.err, message);
  }
});

test('a search for a variant\'s expected property still stops on an exception in the model: a ModelError counterexample, exit 1', async () => {
  const file = join(dir, 'throws-in-hook.js');
  writeFileSync(file, `module.exports.default = { name: 'throws-in-put', doc: 'put of a uts namespace throws', expect: { violates: 'RefcountsMatchHolders' },
  hooks: { putNs: (base) => (tx, id) => { if (tx.get('ns', id).type === 'uts') throw new Error('boom'); base(tx, id); } } };\n`);
  const r = await run(['check', '--variant', file, '--runs', '2000', '--out', join(dir, 'mx')]);
  assert.is(r.code, 1, r.out + r.err);
  assert.match(r.out, 'VIOLATION: ModelError');
  assert.match(r.out, 'boom');
});

test('variants --rules, --effects and --hooks list every name a variant file can use', async () => {
  for (const [flag, names] of [['--rules', RULE_NAMES], ['--effects', EFFECT_NAMES], ['--hooks', HOOK_NAMES]] as const) {
    const r = await run(['variants', flag, '--json']);
    assert.is(r.code, 0);
    assert.equal((JSON.parse(r.out) as { name: string }[]).map((x) => x.name).sort(), [...names].sort(), flag);
  }
});

test('a variant file that does not load is one line, exit 2', async () => {
  const r = await run(['check', '--variant', './test/fixtures/variants/throws.ts']);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, 'does not load');
});

test('usage errors exit 2', async () => {
  assert.is((await run(['check', '--runs', 'many'])).code, 2);
  assert.is((await run(['nonsense'])).code, 2);
  assert.is((await run(['replay'])).code, 2);
});

test('check: no violation exits 0', async () => {
  const r = await run(['check', '--runs', '50', '--seed', '4']);
  assert.is(r.code, 0);
  assert.match(r.out, 'no violation');
});

test('check: a mutant caught as it expects exits 0 and saves a complete trace that replay reproduces', async () => {
  const out = join(dir, 'cx');
  const r = await run(['check', '--variant', 'M10a', '--seed', '1', '--out', out]);
  assert.is(r.code, 0);
  assert.match(r.out, 'VIOLATION: MountNsBindsOrdered');
  assert.match(r.out, 'as expected');
  const files = readdirSync(out).filter((f) => f.endsWith('.trace.json'));
  assert.is(files.length, 1);
  const saved = join(out, files[0]!);
  const doc = JSON.parse(readFileSync(saved, 'utf8')) as { variant: string; expect: unknown; steps: { expect?: string }[] };
  assert.is(doc.variant, 'M10a');
  assert.equal(doc.expect, { violates: 'MountNsBindsOrdered' });
  assert.ok(doc.steps.every((s) => typeof s.expect === 'string'), 'every step carries its expect');
  const again = await run(['replay', saved]);
  assert.is(again.code, 0, again.out);
});

/** Measured times are the one thing allowed to differ between two runs of the same seed. */
const untimed = (s: string) => s.replace(/"(ms|msToFind)": \d+(\.\d+)?/g, '"$1": 0').replace(/\d+(\.\d+)? (ms|s)\b/g, 'T');

test('check output is byte-identical for the same seed (but for measured times), and so are its files', async () => {
  const a = await run(['check', '--variant', 'M8a', '--seed', '2', '--out', join(dir, 'a'), '--json']);
  const fa = readdirSync(join(dir, 'a')).sort().map((f) => (f.endsWith('.json') ? readFileSync(join(dir, 'a', f), 'utf8') : f));
  const ra = readFileSync(join(dir, 'a', 'M8a-PidNsInescapable', 'index.html'), 'utf8');
  const b = await run(['check', '--variant', 'M8a', '--seed', '2', '--out', join(dir, 'b'), '--json']);
  const fb = readdirSync(join(dir, 'b')).sort().map((f) => (f.endsWith('.json') ? readFileSync(join(dir, 'b', f), 'utf8') : f));
  const rb = readFileSync(join(dir, 'b', 'M8a-PidNsInescapable', 'index.html'), 'utf8');
  assert.is(untimed(a.out).replaceAll(join(dir, 'a'), 'D'), untimed(b.out).replaceAll(join(dir, 'b'), 'D'));
  assert.equal(fa, fb);
  assert.is(ra.replaceAll(join(dir, 'a'), 'D'), rb.replaceAll(join(dir, 'b'), 'D'));
  const text1 = await run(['check', '--variant', 'M8a', '--seed', '2', '--out', join(dir, 'c')]);
  const text2 = await run(['check', '--variant', 'M8a', '--seed', '2', '--out', join(dir, 'c')]);
  assert.is(untimed(text1.out), untimed(text2.out));
});

test.run();
