// A worker thread of the exhaustive search (model/search/exhaustive.ts): it rebuilds the variant
// and the scope it was started with, then expands the slices of each level it is sent, reading
// the main thread's fingerprint set of the earlier levels (shared memory, read only).

import { parentPort, workerData } from 'node:worker_threads';
import { knownFinding } from '../../spec/variants/define';
import { loadVariant } from '../variants';
import { expandStates, makeContext, type ExpandContext } from './expand';
import { searchSemantics } from './exhaustive';
import { FingerprintSet } from './fpset';
import { makeScope } from './scope';

const init = workerData as { variantArg: string; scope: unknown; symmetry: boolean; start: { pidLevel?: number } | null };

const ready: Promise<ExpandContext> = (async () => {
  const v = await loadVariant(init.variantArg);
  const scope = makeScope(init.scope, 'scope');
  const sem = searchSemantics(v.def, scope);
  return makeContext(sem, scope, (v.def.knownFindings ?? []).map(knownFinding), { symmetry: init.symmetry, ...(init.start ? { start: init.start } : {}) });
})();

parentPort!.on('message', (job: { paths: number[][]; first: number; seen: SharedArrayBuffer; seenCount: number }) => {
  ready.then((ctx) => {
    const r = expandStates(ctx, job.paths, job.first, FingerprintSet.view(job.seen, job.seenCount));
    const candidates = r.candidates.slice(0, r.count * 4);
    parentPort!.postMessage({ candidates, count: r.count, violations: r.violations, generated: r.generated, rules: [...r.rules] }, [candidates.buffer]);
  }).catch((e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }));
});
