// The trial run of a variant file (model/variants.ts): evaluated once in this worker thread,
// under the time and memory limits its parent set, before it is trusted to run in the checker.

import { parentPort, workerData } from 'node:worker_threads';
import { evaluateVariant } from './variants';

const { js, path, esm } = workerData as { js: string; path: string; esm: boolean };
evaluateVariant(js, path, esm, path).then(
  () => parentPort?.postMessage({}),
  (e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message.replace(`${path}: `, '') : String(e) }),
);
