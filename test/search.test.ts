// The search engines (model/search/): the coverage tables against the rules' reaching traces,
// the canonical form (renamed copies equal; equal forms isomorphic, by brute force), symmetry
// reduction that changes no verdict, and results independent of workers and shards.

import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readTrace } from '../model/trace';
import { Canonicalizer } from '../model/search/canon';
import { scopeLacks } from '../model/search/coverage';
import { exhaustive } from '../model/search/exhaustive';
import { swarmOf, resolveIntent, xorshift } from '../model/search/generate';
import { loadScope, makeScope, type Scope } from '../model/search/scope';
import { traceScopeSpec } from '../model/search/shorten';
import { initialState } from '../spec/initial';
import { parseStep, runStep, type ParsedStep } from '../spec/ops';
import { RULE_NAMES, type RuleName } from '../spec/rules';
import { ruleInForce } from '../spec/semantics';
import type { State } from '../spec/state';
import { builtinVariant, defaultSemantics } from '../spec/variants';

const RULES_DIR = path.join(__dirname, 'regressions', 'rules');

test('every rule\'s reaching trace spans a scope that has what the coverage tables say the rule needs', () => {
  const wrong: string[] = [];
  for (const rule of RULE_NAMES.filter((r) => ruleInForce(r, 6018))) {
    const files = readdirSync(RULES_DIR).filter((f) => f.startsWith(`${rule}+reach`));
    if (files.length === 0) continue; // proc.noEntry has none on 6.18
    const lacks = files.map((f) => {
      const t = readTrace(path.join(RULES_DIR, f));
      // the depth rules at the kernel's limits take 33 nested namespaces: the tables say a scope
      // must scale the limit down, which is what puts them within any search's depth
      if (t.steps.length > 30) return undefined;
      return scopeLacks(rule as RuleName, makeScope(traceScopeSpec(t.steps), f));
    });
    // one reaching trace that the tables accept is enough: a rule may be reachable several ways
    if (lacks.every((l) => l !== undefined)) wrong.push(`${rule}: ${lacks[0]}`);
  }
  assert.equal(wrong, []);
});

// ------------------------------------------------------------------ the canonical form

/** Random steps from a scope, as random search draws them. */
function randomSteps(scope: Scope, seed: number, n: number): ParsedStep[] {
  const sem = defaultSemantics();
  const next = xorshift(seed);
  const sw = swarmOf(scope, next());
  const w = initialState(sem);
  const out: ParsedStep[] = [];
  for (let i = 0; i < n; i++) {
    const st = resolveIntent(w, sw, { n: [next() & 0xffff, next() & 0xffff, next() & 0xffff] });
    if (!st) break;
    runStep(sem, w, st);
    out.push(st);
  }
  return out;
}

/** The same steps with task names, fd variables and targets renamed by the given maps. */
function renameSteps(steps: readonly ParsedStep[], tasks: Map<string, string>, vars: Map<string, string>, targets: Map<string, string>): ParsedStep[] {
  const t = (n: string) => tasks.get(n) ?? n;
  return steps.map((s) => {
    const raw = { ...(s.raw as Record<string, unknown>) };
    for (const [k, spec] of Object.entries(s.op.args)) {
      const v = raw[k];
      if (typeof v !== 'string') continue;
      if (spec.kind === 'pid' || spec.kind === 'name') raw[k] = t(v);
      else if (spec.kind === 'var' || spec.kind === 'fd') raw[k] = vars.get(v) ?? v;
      else if (k === 'target') raw[k] = targets.get(v) ?? v;
      else if (spec.kind === 'side') {
        const [l, r] = v.split(':') as [string, string];
        raw[k] = l === 'fd' ? `fd:${vars.get(r) ?? r}` : `${t(l)}:${r}`;
      }
    }
    const p = parseStep(t(s.task), s.op.name, raw);
    if (typeof p === 'string') throw new Error(`renaming broke a step: ${p}`);
    return p;
  });
}

function stateOf(steps: readonly ParsedStep[]): State {
  const sem = defaultSemantics();
  const w = initialState(sem);
  for (const s of steps) runStep(sem, w, s);
  return w;
}

function shuffled<T>(xs: readonly T[], next: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

test('randomly renamed copies of random states have the same fingerprint', () => {
  const scope = loadScope('wide');
  const canon = new Canonicalizer();
  const fa = new Uint32Array(2), fb = new Uint32Array(2);
  let compared = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const steps = randomSteps(scope, seed, 25);
    const next = xorshift(seed * 7919);
    const names = [...new Set(steps.flatMap((s) => (s.op.name === 'fork' && typeof (s.raw as { child?: unknown }).child === 'string' ? [(s.raw as { child: string }).child] : [])))];
    const permutation = (xs: readonly string[], prefix: string) => {
      const to = shuffled(xs.map((_, k) => `${prefix}${k}`), next);
      return new Map(xs.map((x, i) => [x, to[i]!]));
    };
    const tasks = permutation(names, 'R');
    const vars = permutation(scope.fdVarNames, 'v');
    const targets = permutation(scope.targets, 't');
    canon.fingerprint(stateOf(steps), fa);
    canon.fingerprint(stateOf(renameSteps(steps, tasks, vars, targets)), fb);
    assert.equal([...fa], [...fb], `seed ${seed}: a renamed copy has another fingerprint`);
    compared++;
  }
  assert.is(compared, 300);
});

/** Brute-force isomorphism of two view graphs: every bijection that keeps own fields, tried in full. */
function isomorphic(a: ReturnType<Canonicalizer['graph']>, b: ReturnType<Canonicalizer['graph']>): boolean {
  const n = a.own.length;
  if (n !== b.own.length || a.edges.length !== b.edges.length) return false;
  const key = (o: number[]) => o.join(',');
  const candidates = a.own.map((o) => b.own.map((p, j) => (key(p) === key(o) ? j : -1)).filter((j) => j >= 0));
  const edgesB = new Map<string, number>();
  for (const [f, t, l] of b.edges) edgesB.set(`${f}/${t}/${l}`, (edgesB.get(`${f}/${t}/${l}`) ?? 0) + 1);
  const map = new Array<number>(n).fill(-1);
  const used = new Set<number>();
  let tries = 0;
  const check = (): boolean => {
    const count = new Map(edgesB);
    for (const [f, t, l] of a.edges) {
      const k = `${map[f]}/${map[t]}/${l}`;
      const c = count.get(k) ?? 0;
      if (c === 0) return false;
      count.set(k, c - 1);
    }
    return true;
  };
  const go = (i: number): boolean => {
    if (++tries > 2_000_000) throw new Error('brute force too large');
    if (i === n) return check();
    for (const j of candidates[i]!) {
      if (used.has(j)) continue;
      map[i] = j;
      used.add(j);
      if (go(i + 1)) return true;
      used.delete(j);
    }
    map[i] = -1;
    return false;
  };
  return go(0);
}

test('on small random states, equal canonical forms are isomorphic (brute force), and the duplicates symmetry lets through are counted', () => {
  const scope = loadScope('small');
  const canon = new Canonicalizer();
  const byForm = new Map<string, ReturnType<Canonicalizer['graph']>>();
  const graphs: ReturnType<Canonicalizer['graph']>[] = [];
  for (let seed = 1; seed <= 400; seed++) {
    const st = stateOf(randomSteps(scope, seed, 1 + (seed % 6)));
    const form = canon.encode(st).join(',');
    const g = canon.graph(st);
    graphs.push(g);
    const other = byForm.get(form);
    if (other) assert.ok(isomorphic(g, other), `seed ${seed}: two states with one canonical form are not isomorphic`);
    else byForm.set(form, g);
  }
  // duplicates let through: distinct forms whose graphs are isomorphic all the same
  const forms = [...byForm.values()];
  let missed = 0;
  let pairs = 0;
  for (let i = 0; i < forms.length && pairs < 20000; i++) {
    for (let j = i + 1; j < forms.length && pairs < 20000; j++) {
      if (forms[i]!.own.length !== forms[j]!.own.length) continue;
      pairs++;
      if (isomorphic(forms[i]!, forms[j]!)) missed++;
    }
  }
  console.log(`  canonical form: ${graphs.length} random small states, ${forms.length} distinct forms, ${missed} isomorphic pair(s) among ${pairs} compared with distinct forms (duplicates symmetry lets through)`);
  assert.ok(forms.length > 20);
});

// ------------------------------------------------------------------ exhaustive search

const def = (name: string) => builtinVariant(name)!;

test('--no-symmetry finds the same violations at the same depths', async () => {
  const scope = loadScope('small');
  for (const name of ['M10a', 'M4', 'M3a', 'M8a']) {
    const a = await exhaustive({ def: def(name), variantArg: name, scope, depth: 3, workers: 1, maxErrors: 5 });
    const b = await exhaustive({ def: def(name), variantArg: name, scope, depth: 3, workers: 1, maxErrors: 5, symmetry: false });
    const sig = (r: typeof a) => r.counterexamples.map((c) => `${c.property}@${c.depth}`).sort();
    assert.equal(sig(a), sig(b), name);
    assert.ok(a.distinct <= b.distinct, `${name}: symmetry should merge states, not add them`);
  }
});

test('the same distinct states and counterexamples for 1 and 2 workers', async () => {
  const scope = loadScope('small');
  const one = await exhaustive({ def: def('linux-6.18'), variantArg: 'linux-6.18', scope, depth: 3, workers: 1 });
  const two = await exhaustive({ def: def('linux-6.18'), variantArg: 'linux-6.18', scope, depth: 3, workers: 2 });
  assert.is(one.distinct, two.distinct);
  assert.is(one.generated, two.generated);
  assert.equal(one.levels, two.levels);
  const m1 = await exhaustive({ def: def('M8a'), variantArg: 'M8a', scope, depth: 3, workers: 1 });
  const m2 = await exhaustive({ def: def('M8a'), variantArg: 'M8a', scope, depth: 3, workers: 2 });
  assert.equal(m1.counterexamples.map((c) => [c.property, c.depth, c.trace.steps.map((s) => [s.task, s.op.name, s.raw])]), m2.counterexamples.map((c) => [c.property, c.depth, c.trace.steps.map((s) => [s.task, s.op.name, s.raw])]));
});

test('shards: every state of the whole search is in some shard, and the shortest counterexample over the shards is the unsharded one', async () => {
  const scope = loadScope('small');
  const whole = await exhaustive({ def: def('M8a'), variantArg: 'M8a', scope, depth: 3, workers: 1 });
  const shards = await Promise.all([0, 1, 2].map((index) => exhaustive({ def: def('M8a'), variantArg: 'M8a', scope, depth: 3, workers: 1, shard: { index, count: 3 } })));
  const best = shards.flatMap((r) => r.counterexamples).sort((a, b) => a.depth - b.depth)[0];
  assert.is(best?.depth, whole.counterexamples[0]?.depth);
  assert.is(best?.property, whole.counterexamples[0]?.property);
  const h = await exhaustive({ def: def('linux-6.18'), variantArg: 'linux-6.18', scope, depth: 3, workers: 1 });
  const hs = await Promise.all([0, 1].map((index) => exhaustive({ def: def('linux-6.18'), variantArg: 'linux-6.18', scope, depth: 3, workers: 1, shard: { index, count: 2 } })));
  // states above the split are in both shards; below it each shard has its part (duplicates are wasted work, never a missed state)
  assert.ok(hs[0]!.distinct + hs[1]!.distinct >= h.distinct);
});

test.run();
