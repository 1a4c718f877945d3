// The correctness gate: every history profile holds over a fixed-seed run, every mutant is caught
// by the invariant it is expected to break, and every shrunk counterexample is 1-minimal.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomSearch, randomSemantics, type RandomOptions } from '../model/search/random';
import { loadScope } from '../model/search/scope';
import { replaySteps } from '../model/search/shrink';
import type { VariantDef } from '../spec/variants/define';
import { withLimits } from '../spec/semantics';
import { replay } from '../model/replay';
import { readTrace } from '../model/trace';
import { controlPath, resolveVariant } from '../model/variants';
import { semanticsOf } from '../spec/variants/define';
import { HISTORY } from '../spec/variants/history';
import { MUTANTS } from '../spec/variants/mutants';

const SEED = 1;
const SCOPE = loadScope('default');
const check = (def: VariantDef, o: Omit<RandomOptions, 'sem' | 'semWithLimits' | 'scope'>) => randomSearch({ ...randomSemantics(def, SCOPE), scope: SCOPE, ...o });

for (const def of HISTORY) {
  test(`profile ${def.name} holds every invariant (seed ${SEED}, 1000 runs)`, async () => {
    const r = await check(def, { runs: 1000, maxSteps: 40, seed: SEED, ignore: def.knownFindings ?? [] });
    assert.is(r.counterexample?.failure.violation.message, undefined);
    assert.is(r.runs, 1000);
  });
}

/** The random search's budget in the gate; a mutant it misses must have an explicit control trace that breaks the invariant. */
const SEARCH_BUDGET = 10000;
for (const def of MUTANTS) {
  const expected = def.expect !== undefined && def.expect !== 'holds' ? def.expect.violates : '';
  test(`mutant ${def.name} is caught by ${expected}, with a 1-minimal counterexample`, async () => {
    const sem = semanticsOf(def);
    const r = await check(def, { runs: SEARCH_BUDGET, maxSteps: 40, seed: SEED, target: expected });
    const cx = r.counterexample;
    if (!cx) {
      assert.ok(def.control, `${def.name}: search did not break ${expected} and the mutant names no control trace`);
      const res = replay(readTrace(controlPath(resolveVariant(def.name))!), sem);
      assert.equal(res.verdict, { violates: expected }, `${def.name}: neither search nor its control trace breaks ${expected}`);
      return;
    }
    assert.is(cx.property, expected);
    const steps = cx.trace.steps;
    // the run that found it may have scaled the limits down (randomConstants): the trace says so
    const traceSem = withLimits(sem, cx.trace.limits);
    const full = replaySteps(traceSem, steps);
    assert.ok(full.broken.some((b) => b.property === expected), 'the saved trace reproduces the violation');
    for (let i = 0; i < steps.length; i++) {
      const without = steps.slice(0, i).concat(steps.slice(i + 1));
      const r2 = replaySteps(traceSem, without);
      assert.not.ok(r2.broken.some((b) => b.property === expected), `removing step ${i} of ${def.name}'s counterexample still breaks ${expected}: not 1-minimal`);
    }
  });
}

test('the same seed gives the same counterexample', async () => {
  const def = MUTANTS.find((m) => m.name === 'M8a')!;
  // the search stops at its first find; the budget only has to be large enough to have one
  const a = await check(def, { runs: 10000, maxSteps: 40, seed: 7, target: 'PidNsInescapable' });
  const b = await check(def, { runs: 10000, maxSteps: 40, seed: 7, target: 'PidNsInescapable' });
  assert.ok(a.counterexample);
  assert.equal(a.counterexample?.trace.steps.map((s) => [s.task, s.op.name, s.raw, s.expect]), b.counterexample?.trace.steps.map((s) => [s.task, s.op.name, s.raw, s.expect]));
});

test.run();
