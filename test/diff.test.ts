// nscheck diff: no difference between a variant and itself; the classes of the pair search are
// exactly those a plain enumeration of every trace finds; witnesses replay under each variant;
// known changes are found at their shortest depth; random mode shrinks; the CLI's exit codes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { witnessTrace } from '../model/diff/classes';
import { diffExhaustive } from '../model/diff/product';
import { diffRandom, firstDifference } from '../model/diff/random';
import { replay } from '../model/replay';
import { enumerateActions } from '../model/search/actions';
import { loadScope, searchSemantics, type Scope } from '../model/search/scope';
import { initialState } from '../spec/initial';
import { runStep, type ParsedStep } from '../spec/ops';
import type { Semantics } from '../spec/semantics';
import { BUILTIN_VARIANTS, builtinVariant } from '../spec/variants';

const small = loadScope('small');
const sem = (name: string, scope: Scope = small): Semantics => searchSemantics(builtinVariant(name)!, scope);

test('diff X X: no difference for every built-in variant (depth 2, small scope)', async () => {
  for (const v of BUILTIN_VARIANTS) {
    const s = sem(v.name);
    const r = await diffExhaustive({ a: s, b: sem(v.name), scope: small, depth: 2, compareState: true });
    assert.equal(r.classes.map((c) => c.key), [], v.name);
  }
});

/** Every trace of at most `depth` steps, enumerated without merging states: the class of each first difference. */
function enumerateClasses(a: Semantics, b: Semantics, scope: Scope, depth: number): Set<string> {
  const keys = new Set<string>();
  const walk = (prefix: ParsedStep[]) => {
    if (prefix.length === depth) return;
    const w = initialState(a);
    for (const s of prefix) runStep(a, w, s);
    for (const step of enumerateActions(w, scope)) {
      const steps = [...prefix, step];
      const d = firstDifference({ a, b }, steps);
      if (d) {
        if (d.cls.witness.steps.length === steps.length) keys.add(d.key);
        continue;
      }
      walk(steps);
    }
  };
  walk([]);
  return keys;
}

test('the class list up to depth K is complete: equal to a plain enumeration of every trace (small scope)', async () => {
  for (const [x, y, depth] of [['linux-5.8', 'linux-6.18', 3], ['M8a', 'linux-6.18', 2], ['linux-3.8', 'linux-4.12', 2], ['M12b', 'linux-6.18', 3]] as const) {
    const a = sem(x), b = sem(y);
    const r = await diffExhaustive({ a, b, scope: small, depth });
    assert.equal(r.classes.map((c) => c.key).sort(), [...enumerateClasses(a, b, small, depth)].sort(), `${x} vs ${y} at depth ${depth}`);
  }
});

test('witnesses replay under each variant with that variant\'s results, and are shortest', async () => {
  const a = sem('linux-5.8'), b = sem('linux-6.18');
  const r = await diffExhaustive({ a, b, scope: small, depth: 3 });
  assert.ok(r.classes.length > 0);
  for (const c of r.classes) {
    for (const [side, s, name, other] of [['A', a, 'linux-5.8', 'linux-6.18'], ['B', b, 'linux-6.18', 'linux-5.8']] as const) {
      const t = witnessTrace(c.witness, side, name, other, c);
      const rr = replay(t, s);
      assert.ok(rr.steps.every((st) => st.matches), `${c.key}: the ${side} witness does not replay`);
    }
  }
  const notLeader = r.classes.find((c) => c.op === 'pidfd_open');
  assert.is(notLeader?.witness.steps.length, 2, 'pidfd_open of a thread differs after 2 steps (fork a thread, pidfd_open it)');
});

test('a mutant that changes a result is told apart from its base at its shortest depth', async () => {
  // M3a: setns ignores nstype; the shortest difference is open an fd, setns it with a wrong type
  const r = await diffExhaustive({ a: sem('M3a', loadScope('default')), b: sem('linux-6.18', loadScope('default')), scope: loadScope('default'), depth: 2, maxClasses: 50 });
  const setns = r.classes.find((c) => c.op === 'setns');
  assert.ok(setns, 'M3a differs from linux-6.18 in setns');
  assert.is(setns!.witness.steps.length, 2);
});

test('random diff finds differences and shrinks each to a 1-minimal witness', async () => {
  const a = sem('M8a', loadScope('default')), b = sem('linux-6.18', loadScope('default'));
  const r = await diffRandom({ a, b, scope: loadScope('default'), runs: 2000, maxSteps: 20, seed: 3 });
  assert.ok(r.classes.length > 0);
  for (const c of r.classes) {
    const steps = c.witness.steps;
    for (let i = 0; i < steps.length - 1; i++) {
      const without = steps.filter((_, k) => k !== i);
      const d = firstDifference({ a, b }, without);
      assert.not.ok(d && d.key === c.key, `${c.key}: removing step ${i} keeps the difference, not 1-minimal`);
    }
  }
});

const ROOT = path.join(__dirname, '..');
const cli = (args: string[]): { code: number; out: string } => {
  try {
    return { code: 0, out: execFileSync(process.execPath, [path.join(ROOT, 'bin', 'nscheck.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout };
  }
};

test('CLI: exit 0 when the variants agree, 1 when they differ, --expect-classes pins the reviewed list', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nscheck-diff-'));
  try {
    const same = cli(['diff', 'linux-6.18', 'linux-6.18', '--scope', 'small', '--depth', '2', '--out', dir]);
    assert.is(same.code, 0);
    assert.match(same.out, /agree on every trace of at most 2 step\(s\) in scope small/);
    const differ = cli(['diff', 'linux-5.8', 'linux-6.18', '--scope', 'small', '--depth', '2', '--out', dir, '--json']);
    assert.is(differ.code, 1);
    const doc = JSON.parse(differ.out) as { classes: { key: string }[] };
    const list = path.join(dir, 'classes.json');
    writeFileSync(list, JSON.stringify({ classes: doc.classes.map((c) => c.key) }));
    assert.is(cli(['diff', 'linux-5.8', 'linux-6.18', '--scope', 'small', '--depth', '2', '--out', dir, '--expect-classes', list]).code, 0);
    writeFileSync(list, JSON.stringify({ classes: [] }));
    assert.is(cli(['diff', 'linux-5.8', 'linux-6.18', '--scope', 'small', '--depth', '2', '--out', dir, '--expect-classes', list]).code, 1);
    assert.is(cli(['diff', 'linux-5.8', '--depth', '2']).code, 2);
    assert.is(cli(['diff', 'linux-5.8', 'no-such-variant']).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
