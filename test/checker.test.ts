// The correctness gate: every history profile holds over a fixed-seed run, every mutant is caught
// by the invariant it is expected to break, and every shrunk counterexample is 1-minimal.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check, replaySteps } from '../model/check';
import { replay } from '../model/replay';
import { readTrace } from '../model/trace';
import { controlPath, resolveVariant } from '../model/variants';
import { semanticsOf } from '../spec/variants/define';
import { HISTORY } from '../spec/variants/history';
import { MUTANTS } from '../spec/variants/mutants';

const SEED = 1;

for (const def of HISTORY) {
  test(`profile ${def.name} holds every invariant (seed ${SEED}, 600 runs)`, async () => {
    const r = await check({ sem: semanticsOf(def), runs: 600, maxSteps: 40, seed: SEED, ignore: def.knownFindings ?? [] });
    assert.is(r.counterexample?.failure.violation.message, undefined);
    assert.is(r.runs, 600);
  });
}

/** The random search's budget in the gate; a mutant it misses must have an explicit control trace that breaks the invariant. */
const SEARCH_BUDGET = 3000;
for (const def of MUTANTS) {
  const expected = def.expect !== undefined && def.expect !== 'holds' ? def.expect.violates : '';
  test(`mutant ${def.name} is caught by ${expected}, with a 1-minimal counterexample`, async () => {
    const sem = semanticsOf(def);
    const r = await check({ sem, runs: SEARCH_BUDGET, maxSteps: 40, seed: SEED, target: expected });
    const cx = r.counterexample;
    if (!cx) {
      assert.ok(def.control, `${def.name}: search did not break ${expected} and the mutant names no control trace`);
      const res = replay(readTrace(controlPath(resolveVariant(def.name))!), sem);
      assert.equal(res.verdict, { violates: expected }, `${def.name}: neither search nor its control trace breaks ${expected}`);
      return;
    }
    assert.is(cx.property, expected);
    const steps = cx.trace.steps;
    const full = replaySteps(sem, steps);
    assert.ok(full.broken.some((b) => b.property === expected), 'the saved trace reproduces the violation');
    for (let i = 0; i < steps.length; i++) {
      const without = steps.slice(0, i).concat(steps.slice(i + 1));
      const r2 = replaySteps(sem, without);
      assert.not.ok(r2.broken.some((b) => b.property === expected), `removing step ${i} of ${def.name}'s counterexample still breaks ${expected}: not 1-minimal`);
    }
  });
}

test('the same seed gives the same counterexample', async () => {
  const sem = semanticsOf(MUTANTS.find((m) => m.name === 'M8a')!);
  const a = await check({ sem, runs: 1000, maxSteps: 40, seed: 7, target: 'PidNsInescapable' });
  const b = await check({ sem, runs: 1000, maxSteps: 40, seed: 7, target: 'PidNsInescapable' });
  assert.ok(a.counterexample);
  assert.equal(a.counterexample?.trace.steps.map((s) => [s.task, s.op.name, s.raw, s.expect]), b.counterexample?.trace.steps.map((s) => [s.task, s.op.name, s.raw, s.expect]));
});

test.run();
