// The machine-readable form of a replay (`nscheck replay --json`): one object per trace.

import type { ReplayResult } from '../model/replay';
import type { Trace } from '../model/trace';

export function replayJson(file: string, trace: Trace, r: ReplayResult) {
  return {
    file, title: trace.title ?? null, variant: r.variant, ok: r.ok,
    verdict: r.verdict, expectedVerdict: trace.expect ?? 'holds',
    steps: r.steps.map((s) => ({ index: s.index, task: s.task, call: s.call, result: s.result, rule: s.rule ?? null, expect: s.expect ?? null, matches: s.matches })),
    broken: r.broken ? { property: r.broken.property, step: r.broken.step, ...r.broken.violation } : null,
  };
}
