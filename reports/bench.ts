// Report rendering cost, for `npm run bench`: the full HTML report (violation diagram plus one
// diagram per step) of a 30-step counterexample. Figures are returned, never asserted.

import { replay } from '../model/replay';
import { parseTrace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { htmlReport } from './html';
import { graphviz } from './svg';

/** 30 steps under M10a touching every kind of object; step 29 closes a mount-namespace bind cycle. */
export const BENCH_TRACE = {
  format: 'nscheck-trace/1',
  title: 'report benchmark: 30 steps ending in a mount-namespace bind cycle under M10a',
  variant: 'M10a',
  expect: { violates: 'MountNsBindsOrdered' },
  steps: [
    { task: 'P', op: 'fork', args: { child: 'A' } },
    { task: 'P', op: 'fork', args: { child: 'B', flags: ['CLONE_NEWUTS', 'CLONE_NEWIPC'] } },
    { task: 'B', op: 'sethostname', args: { name: 'b' } },
    { task: 'P', op: 'open_ns', args: { pid: 'B', type: 'uts', fd: 'u' } },
    { task: 'P', op: 'open_ns', args: { pid: 'B', type: 'ipc', fd: 'i' } },
    { task: 'P', op: 'fork', args: { child: 'C', flags: ['CLONE_NEWPID'] } },
    { task: 'C', op: 'getpid' },
    { task: 'P', op: 'open_ns', args: { pid: 'C', type: 'pid', fd: 'p' } },
    { task: 'A', op: 'fork', args: { child: 'D', flags: ['CLONE_NEWNET'] } },
    { task: 'A', op: 'open_ns', args: { pid: 'D', type: 'net', fd: 'n' } },
    { task: 'A', op: 'bind_ns', args: { pid: 'D', type: 'net', target: 'netD' } },
    { task: 'D', op: 'exit' },
    { task: 'A', op: 'wait', args: { child: 'D' } },
    { task: 'A', op: 'open_bind', args: { target: 'netD', fd: 'n2' } },
    { task: 'P', op: 'setns', args: { fd: 'u', nstype: 'CLONE_NEWUTS' } },
    { task: 'P', op: 'gethostname' },
    { task: 'P', op: 'setns', args: { fd: 'i', nstype: 'CLONE_NEWIPC' } },
    { task: 'P', op: 'shm_create', args: { key: 7 } },
    { task: 'B', op: 'shm_lookup', args: { key: 7 } },
    { task: 'P', op: 'close', args: { fd: 'u' } },
    { task: 'P', op: 'unshare', args: { flags: ['CLONE_NEWCGROUP'] } },
    { task: 'P', op: 'fork', args: { child: 'E', flags: ['CLONE_NEWUSER'] } },
    { task: 'P', op: 'write_map', args: { pid: 'E', uid: '0 0 1' } },
    { task: 'E', op: 'readlink_ns', args: { pid: 'self', type: 'user' } },
    { task: 'P', op: 'open_ns', args: { pid: 'E', type: 'user', fd: 'usr' } },
    { task: 'P', op: 'ioctl_ns', args: { fd: 'usr', req: 'NS_GET_USERNS', out: 'up' } },
    { task: 'A', op: 'fork', args: { child: 'F', flags: ['CLONE_NEWNS'] } },
    { task: 'A', op: 'bind_ns', args: { pid: 'F', type: 'mnt', target: 'f-mnt' } },
    { task: 'F', op: 'fork', args: { child: 'G' } },
    { task: 'F', op: 'bind_ns', args: { pid: 'A', type: 'mnt', target: 'a-mnt' } },
  ],
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Time to render the full HTML report of BENCH_TRACE (replay excluded) and its size.
 * `ms` is the median of 5 warm renders; `coldMs` the first render, including loading Graphviz.
 */
export async function benchReport(): Promise<{ ms: number; bytes: number; coldMs: number; diagrams: number; steps: number }> {
  const trace = parseTrace(BENCH_TRACE, 'BENCH_TRACE');
  const { def, sem } = resolveVariant(trace.variant);
  const result = replay(trace, sem);
  if (result.broken?.step !== trace.steps.length - 1) throw new Error(`BENCH_TRACE no longer breaks at its last step (${result.broken ? `${result.broken.property} at ${result.broken.step}` : 'holds'})`);
  const input = { file: 'BENCH_TRACE', trace, result, variantDoc: def.doc };
  const t0 = process.hrtime.bigint();
  await graphviz();
  let page = await htmlReport(input);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    page = await htmlReport(input);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return {
    ms: Math.round(median(times)), coldMs: Math.round(coldMs), bytes: Buffer.byteLength(page),
    diagrams: (page.match(/<svg/g) ?? []).length, steps: result.steps.length,
  };
}
