// Hostile and malformed traces never crash the reader, the model or the reports: every case ends
// with a legitimate 0 or 1, or 2 and one line on stderr (test/fuzz/hostile.ts has the classes).
// The long run is `npm run fuzz -- --runs N` (scripts/fuzz.ts), which also watches for hangs.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCase } from './helpers/hostile';
import { runCase, type Outcome } from './helpers/run-case';

test('300 hostile trace documents: exit 0, 1, or 2 with one line; never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nscheck-fuzz-'));
  const counts: Record<Outcome, number> = { ok: 0, mismatch: 0, rejected: 0, crash: 0, noisy: 0 };
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const r = await runCase(c, dir, n++);
        counts[r.outcome]++;
        assert.ok(r.outcome !== 'crash' && r.outcome !== 'noisy', `${c.label}: exit ${r.code}, stderr:\n${r.err.slice(0, 2000)}`);
      }),
      { numRuns: 300, seed: 20261125, endOnFailure: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // the generator must reach the model, not only the reader
  assert.ok(counts.ok + counts.mismatch > 30, `only ${counts.ok + counts.mismatch} documents ran: ${JSON.stringify(counts)}`);
  assert.ok(counts.rejected > 100, `only ${counts.rejected} documents were rejected: ${JSON.stringify(counts)}`);
});

test.run();
