// Shortening a counterexample by search: removing steps (shrink.ts) cannot replace two steps by
// one different step, so after it a breadth-first search looks for a shorter trace in the scope
// the counterexample itself spans (its ops, its flag sets, each also as fork and as unshare and
// bit by bit, its /proc entries, ioctls, maps, modes, targets, as many tasks and fd variables as
// it uses) together with the small preset's choices. Whatever that search finds is shortest
// within that scope, and the same engine as `check --exhaustive` finds it.

import type { ParsedStep } from '../../spec/ops';
import type { Semantics } from '../../spec/semantics';
import { cloneFlag, flagNames } from '../../spec/flags';
import type { Muted } from '../run';
import { exhaustive } from './exhaustive';
import { makeScope, PRESETS, type MapSpec, type Scope, type ScopeSpec } from './scope';
import { OPENS_INTO } from './actions';
import { PROC_ENTRY_NAMES } from '../../spec/proc';

/** At most this many distinct states on a level before the search gives up. */
const STATE_BUDGET = 20000;

const asNames = (mask: number): string[] => flagNames(mask).filter((n) => n.startsWith('CLONE_'));

/** The scope a trace spans, with the small preset's choices, or undefined when none can be made. */
export function traceScope(steps: readonly ParsedStep[]): Scope | undefined {
  try {
    return makeScope(union(traceScopeSpec(steps), PRESETS.small!), 'counterexample scope');
  } catch {
    return undefined;
  }
}

/** The scope a trace spans: its ops, flag sets, entries, values; invalid when it names what is not there. */
export function traceScopeSpec(steps: readonly ParsedStep[]): ScopeSpec {
  const ops = new Set<string>();
  const masks = new Set<number>([0]);
  const probe = new Set<number>();
  const pidfdMasks = new Set<number>();
  const entries = new Set<string>();
  const ioctls = new Set<string>();
  const maps: MapSpec[] = [];
  const modes = new Set<string>();
  const hostnames = new Set<string>();
  const keys = new Set<number>();
  const targets = new Set<string>();
  const vars = new Set<string>();
  let forks = 0;
  let opath = false;
  let pidfd = false;
  let invalid = false;
  let zeroNstype = false;
  let dirTargets = false;
  // which names are tasks that exist (running or zombie), and which fd variables were ever opened
  const exists = new Set<string>(['P', 'self']);
  const running = new Set<string>(['P']);
  const opened = new Set<string>();
  for (const s of steps) {
    const a = s.args as Record<string, unknown>;
    ops.add(s.op.name);
    if (!running.has(s.task)) invalid = true;
    for (const [k, spec] of Object.entries(s.op.args)) {
      const v = a[k];
      if (spec.kind === 'pid' && typeof v === 'string' && !exists.has(v)) invalid = true;
      if (spec.kind === 'fd' && (v === -1 || (typeof v === 'string' && !opened.has(v)))) invalid = true;
      if (spec.kind === 'side' && typeof (v as { fd?: unknown } | undefined)?.fd === 'string' && !opened.has((v as { fd: string }).fd)) invalid = true;
    }
    if (s.op.name === 'setns' && a.nstype === 0) zeroNstype = true;
    if (s.op.name === 'bind_ns' && a.dir === true) dirTargets = true;
    const flags = typeof a.flags === 'number' ? a.flags : undefined;
    if (s.op.name === 'fork') forks++;
    if ((s.op.name === 'fork' || s.op.name === 'unshare') && flags !== undefined) masks.add(flags);
    if (s.op.name === 'clone_probe' && flags !== undefined) probe.add(flags);
    if (s.op.name === 'setns' && typeof a.nstype === 'number' && a.nstype !== 0) pidfdMasks.add(a.nstype);
    for (const k of ['type']) if (typeof a[k] === 'string' && PROC_ENTRY_NAMES.includes(a[k] as string)) entries.add(a[k] as string);
    for (const k of ['a', 'b']) {
      const side = a[k] as { entry?: string } | undefined;
      if (side && typeof side.entry === 'string') entries.add(side.entry);
    }
    if (typeof a.req === 'string') ioctls.add(a.req);
    if (s.op.name === 'write_map') {
      const m: { uid?: string; gid?: string; setgroups?: string } = {};
      if (typeof a.uid === 'string') m.uid = a.uid;
      if (typeof a.gid === 'string') m.gid = a.gid;
      if (typeof a.setgroups === 'string') m.setgroups = a.setgroups;
      maps.push(m);
    }
    if (typeof a.mode === 'string') modes.add(a.mode);
    if (typeof a.name === 'string' && s.op.name === 'sethostname') hostnames.add(a.name);
    if (typeof a.key === 'number') keys.add(a.key);
    if (typeof a.target === 'string') targets.add(a.target);
    if (a.opath === true) opath = true;
    if (s.op.name === 'fork' && a.pidfd !== undefined) pidfd = true;
    for (const k of ['fd', 'out', 'pidfd']) if (typeof a[k] === 'string') vars.add(a[k] as string);
    const into = OPENS_INTO[s.op.name];
    if (into !== undefined && typeof a[into] === 'string') opened.add(a[into] as string);
    if (s.op.name === 'fork' && typeof a.child === 'string') {
      exists.add(a.child);
      running.add(a.child);
    }
    if (s.op.name === 'exit') running.delete(s.task);
    if (s.op.name === 'close' && typeof a.fd === 'string') opened.delete(a.fd);
    if (s.op.name === 'wait' && typeof a.child === 'string') exists.delete(a.child);
  }
  // each flag set also one bit at a time; a pidfd made by pidfd_open could come from fork's CLONE_PIDFD and back
  for (const m of [...masks]) for (const n of flagNames(m)) masks.add(flagNames(m).length > 1 ? (cloneFlag(n) ?? 0) : m);
  if (pidfd && vars.size) ops.add('pidfd_open');
  if (zeroNstype && (ops.has('pidfd_open') || pidfd)) pidfdMasks.add(0);
  if (ops.has('pidfd_open') && ops.has('fork')) pidfd = true;
  const flagSets = [...masks].map(asNames);
  return {
    name: 'counterexample', doc: 'the scope a trace spans',
    tasks: Math.min(16, 1 + forks), fdVars: Math.min(8, vars.size), targets: [...targets],
    ops: [...ops],
    forkFlags: flagSets, forkPidfd: pidfd, cloneProbeFlags: [...probe].map(asNames), unshareFlags: flagSets.filter((f) => f.length > 0),
    pidfdSetnsFlags: [...pidfdMasks].map(asNames),
    entries: [...entries], opath, ioctls: [...ioctls], maps, dropModes: [...modes], hostnames: [...hostnames], shmKeys: [...keys], invalid,
    ...(dirTargets ? { dirTargets } : {}),
  };
}

/** Two scopes' choices together (no constants: the search runs the counterexample's semantics). */
function union(a: ScopeSpec, b: ScopeSpec): ScopeSpec {
  const u = <T>(x: readonly T[], y: readonly T[]): T[] => {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const v of [...x, ...y]) {
      const k = JSON.stringify(v);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(v);
      }
    }
    return out;
  };
  return {
    name: a.name, doc: a.doc,
    tasks: Math.max(a.tasks, b.tasks), fdVars: Math.max(a.fdVars, b.fdVars), targets: u(a.targets, b.targets).slice(0, Math.max(1, a.targets.length)),
    ops: u(a.ops, b.ops),
    forkFlags: u(a.forkFlags, b.forkFlags), forkPidfd: a.forkPidfd === true || b.forkPidfd === true,
    cloneProbeFlags: u(a.cloneProbeFlags, b.cloneProbeFlags), unshareFlags: u(a.unshareFlags, b.unshareFlags), pidfdSetnsFlags: u(a.pidfdSetnsFlags, b.pidfdSetnsFlags),
    entries: u(a.entries, b.entries), opath: a.opath === true || b.opath === true, ioctls: u(a.ioctls, b.ioctls), maps: u(a.maps, b.maps),
    dropModes: u(a.dropModes, b.dropModes), hostnames: u(a.hostnames, b.hostnames), shmKeys: u(a.shmKeys, b.shmKeys),
    invalid: a.invalid === true || b.invalid === true, dirTargets: a.dirTargets === true || b.dirTargets === true,
  };
}

/** A shorter trace that breaks `property`, found breadth-first in the trace's own scope; undefined when there is none (or the search is too big). */
export async function shorterBySearch(sem: Semantics, steps: readonly ParsedStep[], property: string, muted: Muted): Promise<ParsedStep[] | undefined> {
  if (steps.length <= 1) return undefined;
  const scope = traceScope(steps);
  if (!scope) return undefined;
  const r = await exhaustive({
    def: { name: sem.name, doc: '' }, variantArg: sem.name, scope, depth: steps.length - 1,
    sem, muted, target: property, maxStates: STATE_BUDGET, workers: 1,
  });
  const cx = r.counterexamples.find((c) => c.property === property);
  return cx && cx.trace.steps.length < steps.length ? cx.trace.steps.map(({ expect: _e, ...s }) => s) : undefined;
}
