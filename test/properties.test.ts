// The invariants' read sets (Invariant.reads) are what lets the checker skip an invariant after a
// step that wrote none of its tables. On random traces, the incremental check (skipping) and the
// check from scratch must agree after every step, or a read set is missing a table.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkState } from '../model/run';
import { resolveIntent, swarmOf, xorshift, type Memo } from '../model/search/generate';
import { loadScope } from '../model/search/scope';
import { initialState } from '../spec/initial';
import { execStep } from '../spec/ops';
import { MUTANTS } from '../spec/variants/mutants';
import { semanticsOf } from '../spec/variants/define';
import { HISTORY } from '../spec/variants/history';

test('incremental and from-scratch invariant checks agree after every step of random traces (every profile and mutant)', () => {
  const scope = loadScope('wide');
  let steps = 0;
  let broken = 0;
  for (const def of [...HISTORY, ...MUTANTS]) {
    const sem = semanticsOf(def);
    for (let run = 0; run < 40; run++) {
      const next = xorshift(1000 + run);
      const sw = swarmOf(scope, next());
      const w = initialState(sem);
      const memo: Memo = {};
      let held = true; // every invariant held before this step
      for (let i = 0; i < 30; i++) {
        const step = resolveIntent(w, sw, { n: [next() & 0xffff, next() & 0xffff, next() & 0xffff] }, memo);
        if (!step) break;
        let touched: number;
        try {
          touched = execStep(sem, w, step).tx.touched;
        } catch {
          break; // a mutant's hook may throw (ModelError): the trace ends there
        }
        steps++;
        const full = (checkState(sem, w, []) ?? []).map((f) => f.property);
        if (held) {
          const inc = (checkState(sem, w, [], touched) ?? []).map((f) => f.property);
          assert.equal(inc, full, `${def.name} run ${run} step ${i} (${step.task}: ${step.op.name}): incremental ${inc.join(',') || 'none'}, full ${full.join(',') || 'none'}`);
        }
        if (full.length) {
          broken++;
          held = false;
        }
      }
    }
  }
  assert.ok(steps > 10000, `only ${steps} steps`);
  assert.ok(broken > 0, 'the mutants should break something');
});

test.run();
