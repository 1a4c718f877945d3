// Shrinking a counterexample, after fast-check has done what it can: steps are removed while the
// property still breaks (to 1-minimality, then pairs), arguments are simplified (flag bits the
// violation does not need are dropped, the initial task and `self` are preferred, optional
// arguments left out, lower fd variables used), and finally tasks are renamed T1, T2, ... in the
// order they are forked and every opened file gets its own fd variable f0, f1, ..., so a
// counterexample reads the same however it was found. Every candidate is replayed: a change is
// kept only if the same property still breaks.

import { flagNames } from '../../spec/flags';
import { parseStep, type ParsedStep } from '../../spec/ops';
import type { Semantics } from '../../spec/semantics';
import { initialState, type Start } from '../../spec/initial';
import { runChecked, type Muted, type PropertyFailure } from '../run';
import { OPENS_INTO } from './actions';

export interface Replayed {
  readonly broken: readonly PropertyFailure[];
  /** the step after which the first property broke (-1: none) */
  readonly at: number;
  readonly results: string[];
}

/** Replay explicit steps; the first broken properties, their step, and every result. */
export function replaySteps(sem: Semantics, steps: readonly ParsedStep[], muted: Muted = [], start?: Start): Replayed {
  const world = initialState(sem, start);
  const results: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const r = runChecked(sem, world, steps[i]!, muted);
    results.push(r.result);
    if (r.broken) return { broken: r.allBroken, at: i, results };
  }
  return { broken: [], at: -1, results };
}

const breaks = (r: Replayed, property: string) => r.broken.some((b) => b.property === property);

/** A step rebuilt from raw arguments (undefined when they no longer validate). */
function reparse(task: string, op: string, raw: Record<string, unknown>): ParsedStep | undefined {
  const p = parseStep(task, op, raw);
  return typeof p === 'string' ? undefined : p;
}

const FD_KEYS = ['fd', 'out', 'pidfd'];
const OPTIONAL_DROP = ['pidfd', 'opath', 'dir', 'detach', 'out', 'setgroups', 'uid', 'gid', 'code'];

/** Simpler versions of one step, simplest first. */
function simpler(step: ParsedStep): ParsedStep[] {
  const out: ParsedStep[] = [];
  const raw = step.raw as Record<string, unknown>;
  const tryRaw = (r: Record<string, unknown>) => {
    const p = reparse(step.task, step.op.name, r);
    if (p) out.push(p);
  };
  for (const k of OPTIONAL_DROP) {
    if (raw[k] === undefined || step.op.args[k]?.optional !== true) continue;
    const r = { ...raw };
    delete r[k];
    tryRaw(r);
  }
  for (const k of ['flags', 'nstype']) {
    const v = step.args[k];
    if (typeof v !== 'number' || v === 0) continue;
    const names = flagNames(v);
    if (names.length < 2 && k === 'nstype') continue;
    for (const drop of names) {
      const rest = names.filter((n) => n !== drop);
      tryRaw({ ...raw, [k]: rest.length === 0 ? (k === 'flags' ? [] : 0) : rest });
    }
  }
  for (const k of Object.keys(step.op.args)) {
    if (step.op.args[k]!.kind === 'pid' && typeof raw[k] === 'string') {
      for (const p of ['self', 'P']) if (raw[k] !== p) tryRaw({ ...raw, [k]: p });
    }
  }
  for (const k of FD_KEYS) {
    const v = raw[k];
    if (typeof v === 'string' && /^f[1-9]\d*$/.test(v)) tryRaw({ ...raw, [k]: 'f0' });
  }
  return out;
}

/**
 * Tasks renamed T1, T2, ... in the order they are forked; every file opened into its own fd
 * variable f0, f1, ... (later uses follow it). Undefined when the trace cannot be renamed that way.
 */
export function renamed(steps: readonly ParsedStep[]): ParsedStep[] | undefined {
  const taskName = new Map<string, string>([['P', 'P'], ['self', 'self']]);
  let nextTask = 1;
  // fd variable maps per task; a fork shares (CLONE_FILES) or copies its parent's
  const fdMaps = new Map<string, Map<string, string>>([['P', new Map()]]);
  let nextFd = 0;
  const out: ParsedStep[] = [];
  const mapTask = (n: string) => taskName.get(n) ?? n;
  for (const s of steps) {
    const raw = { ...(s.raw as Record<string, unknown>) };
    const fds = fdMaps.get(s.task) ?? new Map<string, string>();
    if (!fdMaps.has(s.task)) fdMaps.set(s.task, fds);
    const use = (v: unknown) => (typeof v === 'string' ? (fds.get(v) ?? v) : v);
    const open = (v: unknown) => {
      if (typeof v !== 'string') return v;
      const n = `f${nextFd++}`;
      fds.set(v, n);
      return n;
    };
    for (const [k, a] of Object.entries(s.op.args)) {
      const v = raw[k];
      if (v === undefined) continue;
      if (a.kind === 'pid') raw[k] = mapTask(v as string);
      else if (a.kind === 'fd') raw[k] = use(v);
      else if (a.kind === 'side' && typeof v === 'string') {
        const [l, r] = v.split(':') as [string, string];
        raw[k] = l === 'fd' ? `fd:${use(r) as string}` : `${mapTask(l)}:${r}`;
      }
    }
    // the variables an op opens into (after the uses, which name the old files)
    const into = OPENS_INTO[s.op.name];
    if (into !== undefined && raw[into] !== undefined) raw[into] = open(raw[into]);
    if (s.op.name === 'fork' && typeof raw.child === 'string') {
      const child = raw.child;
      if (taskName.has(child)) return undefined; // a name reused: leave the trace as it is
      const n = `T${nextTask++}`;
      taskName.set(child, n);
      raw.child = n;
      const flags = s.args.flags;
      const sharesFiles = typeof flags === 'number' && (flags & 0x400) !== 0;
      fdMaps.set(n, sharesFiles ? fds : new Map(fds));
    }
    const task = mapTask(s.task);
    if (task !== s.task && !fdMaps.has(task)) fdMaps.set(task, fds);
    const p = reparse(task, s.op.name, raw);
    if (!p) return undefined;
    out.push(p);
  }
  return out;
}

export interface Shrunk {
  readonly steps: ParsedStep[];
  readonly failure: PropertyFailure;
  readonly results: string[];
}

/** Shrink `steps` (which break `property`) as far as the strategies above go. */
export function shrink(sem: Semantics, steps: readonly ParsedStep[], property: string, muted: Muted = [], start?: Start): Shrunk {
  const replayOf = (c: readonly ParsedStep[]) => replaySteps(sem, c, muted, start);
  let cur = [...steps];
  let r = replayOf(cur);
  if (!breaks(r, property)) throw new Error('model bug: a counterexample to shrink does not break its property');
  cur = cur.slice(0, r.at + 1);
  const accept = (cand: ParsedStep[]): boolean => {
    const rr = replayOf(cand);
    if (!breaks(rr, property)) return false;
    cur = cand.slice(0, rr.at + 1);
    r = rr;
    return true;
  };
  for (let rounds = 0; rounds < 20; rounds++) {
    let changed = false;
    // single steps, from the end
    for (let i = cur.length - 1; i >= 0; i--) {
      if (i < cur.length && accept(cur.slice(0, i).concat(cur.slice(i + 1)))) changed = true;
    }
    // pairs (short traces only)
    if (!changed && cur.length <= 14) {
      outer: for (let i = cur.length - 1; i >= 1; i--) {
        for (let j = i - 1; j >= 0; j--) {
          if (accept(cur.filter((_, k) => k !== i && k !== j))) {
            changed = true;
            break outer;
          }
        }
      }
    }
    // simpler arguments
    for (let i = 0; i < cur.length; i++) {
      for (const s of simpler(cur[i]!)) {
        const cand = cur.slice();
        cand[i] = s;
        if (accept(cand)) {
          changed = true;
          break;
        }
      }
    }
    if (!changed) break;
  }
  const nice = renamed(cur);
  if (nice) {
    const rr = replayOf(nice);
    if (breaks(rr, property) && rr.at === nice.length - 1) {
      cur = nice;
      r = rr;
    }
  }
  const failure = r.broken.find((b) => b.property === property)!;
  return { steps: cur, failure, results: r.results };
}
