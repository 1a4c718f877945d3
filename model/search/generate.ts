// Random steps drawn from a scope (model/search/scope.ts), the domains exhaustive search
// enumerates, so the two modes explore the same space.
//
// Swarm testing (Groce et al., ISSTA 2012): every run draws its own configuration, a subset of
// the ops with a weight each and a subset of every flag-set list, so combinations that a fixed
// distribution makes rare (fork with CLONE_NEWUSER|CLONE_VM, an unshare of five namespace
// types) get density in some runs. An intent is three numbers; resolved against the live state it
// picks the op (by the run's weights), the acting task (an exited one in about 3% of steps when
// the scope asks for invalid choices), and one of the actions that op allows there.

import type { ParsedStep } from '../../spec/ops';
import { CLONE } from '../../spec/flags';
import type { State, Task } from '../../spec/state';
import { actionsOf, domainsOf, openedVar } from './actions';
import type { Limits } from '../../spec/semantics';
import type { Scope } from './scope';

export interface Intent {
  readonly n: readonly [number, number, number];
}

/** How often each op is drawn when every op is on (namespace-changing calls most). */
export const OP_WEIGHTS: Readonly<Record<string, number>> = {
  fork: 8, unshare: 6, setns: 10, open_ns: 10, close: 3, exit: 3, wait: 2, clone_probe: 1,
  bind_ns: 4, open_bind: 2, umount: 2, ioctl_ns: 4, readlink_ns: 1, same_ns: 1, pidfd_open: 3,
  getpid: 1, getppid: 1, sethostname: 1, gethostname: 1, drop_caps: 2, write_map: 2, open_file: 1,
  shm_create: 1, shm_lookup: 1, create: 2, unlink: 2, propagation: 2, exec: 2, mount_fs: 2, socket: 2, socketat: 1, setresuid: 1, setresgid: 1, setgroups: 1, capset: 1,
};

/** One run's configuration: the ops it draws (cumulative weights), the choices it keeps, its limits. */
export interface Swarm {
  readonly ops: readonly string[];
  readonly cumulative: readonly number[];
  /** the scope with its choice lists (flag sets, entries, ioctls, maps, modes) cut down to this run's subsets */
  readonly scope: Scope;
  /**
   * the limits this run scales down, when it is one of the quarter that does: each of the scope's
   * randomConstants with probability 1/2 (at least one). Scaling one limit and not another lets a
   * run reach either: a depth limit of 2 needs three nested user namespaces, which a namespace
   * count limit of 3 would refuse first when the other creations of the run count against it too.
   */
  readonly limits?: Partial<Limits>;
  /** prefer the newest task as actor and as pid argument (half the runs) */
  readonly recent: boolean;
  /**
   * 0, or the period of the repetitions this run makes (a quarter of the runs each take 1, 2 or
   * 3): half of its steps do again what the step that many back did, by the same task or by the
   * task forked last. Nesting is made of repetitions (unshare a user namespace and map it, three
   * times; fork into a new pid namespace from the child, three times), which independent draws
   * rarely line up.
   */
  readonly repeat: number;
}

/** A small deterministic generator (xorshift32) for configurations. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

type Cut = Partial<Pick<Scope, 'fork' | 'unshare' | 'cloneProbe' | 'pidfdSetns' | 'entries' | 'ioctls' | 'maps' | 'dropModes' | 'hostnames' | 'opath' | 'forkPidfd' | 'invalid'>>;

function build(scope: Scope, ops: readonly string[], weights: readonly number[], cut: Cut, recent: boolean, limits?: Partial<Limits>, repeat = 0): Swarm {
  const cumulative: number[] = [];
  let t = 0;
  for (const w of weights) cumulative.push((t += w));
  return { ops, cumulative, scope: { ...scope, ...cut }, recent, repeat, ...(limits ? { limits } : {}) };
}

/** A run's scaled limits: each of `scaled` kept with probability 1/2, at least one; the others stay at `base`. */
function limitSubset(scaled: Partial<Limits>, base: Partial<Limits> | undefined, next: () => number): Partial<Limits> {
  const keys = (Object.keys(scaled) as (keyof Limits)[]).filter((k) => scaled[k] !== base?.[k]);
  const out: Partial<Record<keyof Limits, number>> = { ...base };
  let kept = 0;
  for (const k of keys) if (next() % 2 === 0) { out[k] = scaled[k]!; kept++; }
  if (kept === 0 && keys.length > 0) { const k = keys[next() % keys.length]!; out[k] = scaled[k]!; }
  return out;
}

/** Every op of the scope at its usual weight, every choice, the scope's own limits. */
export function fullSwarm(scope: Scope): Swarm {
  return build(scope, scope.ops, scope.ops.map((o) => OP_WEIGHTS[o] ?? 1), {}, false);
}

/**
 * A random configuration. Each run keeps every op (fork always) and every entry of every choice
 * list with probability 1/2 (at least one entry stays; a flag-set entry that expands to many masks keeps about four), O_PATH opens and
 * CLONE_PIDFD forks in a quarter of the runs, invalid choices in half, weights the ops 1
 * (times 1 to 4 of its usual weight), prefers the newest task in half the runs, and in a quarter of the runs uses the scope's
 * randomConstants (the kernel's limits scaled down), so depth and count limits are in reach, and
 * in a quarter of the runs repeats earlier steps (Swarm.repeat).
 */
export function swarmOf(scope: Scope, seed: number): Swarm {
  const next = xorshift(seed);
  const ops: string[] = [];
  const weights: number[] = [];
  for (const o of scope.ops) {
    if (o !== 'fork' && next() % 2 !== 0) continue;
    ops.push(o);
    weights.push((OP_WEIGHTS[o] ?? 1) * (1 + (next() % 4)));
  }
  if (ops.length === 1 && scope.ops.length > 1) {
    const others = scope.ops.filter((x) => x !== 'fork');
    const o = others[next() % others.length]!;
    ops.push(o);
    weights.push(OP_WEIGHTS[o] ?? 1);
  }
  const cut = <T>(list: readonly T[]): T[] => {
    const kept = list.filter(() => next() % 2 === 0);
    return kept.length || !list.length ? kept : [list[next() % list.length]!];
  };
  // flag masks: those of a large entry (every subset of some flags) kept at a rate that leaves about four of them
  const cutFlags = (k: 'fork' | 'cloneProbe' | 'unshare' | 'pidfdSetns'): number[] => {
    const list = scope[k];
    const sizes = scope.groupSize[k];
    const kept = list.filter((_, i) => next() % (2 * Math.max(1, Math.ceil(sizes[i]! / 8))) === 0);
    return kept.length || !list.length ? kept : [list[next() % list.length]!];
  };
  const recent = next() % 2 === 0;
  const scaled = scope.randomConstants !== undefined && next() % 4 === 0;
  return build(scope, ops, weights, {
    fork: cutFlags('fork'), unshare: cutFlags('unshare'), cloneProbe: cutFlags('cloneProbe'), pidfdSetns: cutFlags('pidfdSetns'),
    entries: cut(scope.entries), ioctls: cut(scope.ioctls), maps: cut(scope.maps), dropModes: cut(scope.dropModes), hostnames: cut(scope.hostnames),
    // the optional variations: O_PATH opens and CLONE_PIDFD in a quarter of the runs, invalid choices in half
    opath: scope.opath === true && next() % 4 === 0, forkPidfd: scope.forkPidfd === true && next() % 4 === 0, invalid: scope.invalid === true && next() % 2 === 0,
  }, recent, scaled ? limitSubset(scope.randomConstants!, scope.constants, next) : undefined, next() % 4 === 0 ? 1 + (next() % 3) : 0);
}

function pickOp(swarm: Swarm, n: number): number {
  const total = swarm.cumulative[swarm.cumulative.length - 1] ?? 1;
  const r = n % total;
  let i = 0;
  while (swarm.cumulative[i]! <= r) i++;
  return i;
}

/**
 * The acting task: a running one (the newest, half the time, in a run that prefers it), or (one
 * step in 32, when the scope asks for invalid choices) one that has exited.
 */
function actorOf(s: State, swarm: Swarm, n: number): Task | undefined {
  const live: Task[] = [];
  let dead: Task | undefined;
  for (const t of s.tasks) {
    if (s.names.get(t.name) !== t.id) continue;
    if (t.state === 'running') live.push(t);
    else if (!dead) dead = t;
  }
  if (swarm.scope.invalid && dead && n % 32 === 31) return dead;
  if (!live.length) return dead;
  if (swarm.recent && (n >>> 5) % 2 === 0) return newest(live);
  return live[(n >>> 6) % live.length];
}

/** The task forked last: the highest pid in the initial pid namespace (pids are handed out in increasing order). */
function newest(tasks: readonly Task[]): Task {
  let best = tasks[0]!;
  for (const t of tasks) if (t.pids[0]! > best.pids[0]!) best = t;
  return best;
}

/** What a run remembers between steps: who acted last, the task forked last, the fd variable opened last, the last steps. */
export interface Memo {
  lastActor?: string;
  lastChild?: string;
  lastVar?: string;
  /** the last three steps, newest last (runs that repeat) */
  history?: ParsedStep[];
  /** the step before this one */
  lastStep?: ParsedStep;
}

/** Whether an action names one of the focus values (a task name, self, an fd variable) in its arguments. */
function mentions(step: ParsedStep, focus: readonly string[]): boolean {
  for (const v of Object.values(step.raw as Record<string, unknown>)) {
    if (typeof v !== 'string') continue;
    for (const f of focus) if (v === f || v === `fd:${f}` || v.startsWith(`${f}:`)) return true;
  }
  return false;
}

function remember(step: ParsedStep, memo: Memo): ParsedStep {
  memo.lastActor = step.task;
  const opened = openedVar(step);
  if (opened !== undefined) memo.lastVar = opened;
  const child = (step.raw as { child?: unknown }).child;
  if (step.op.name === 'fork' && typeof child === 'string') memo.lastChild = child;
  memo.lastStep = step;
  if (memo.history) {
    memo.history.push(step);
    if (memo.history.length > 3) memo.history.shift();
  }
  return step;
}

/**
 * After a step that made a user namespace which has no uid map yet, the map write every tool
 * makes next (`unshare -r`, newuidmap, bubblewrap): by the task itself after unshare (`pid: self`),
 * by the parent after a fork (`pid: child`). Without it a nested user namespace needs a write_map
 * drawn at the right moment, and chains of them (depth limits) are out of reach.
 */
function mapNewUserNs(s: State, swarm: Swarm, nAction: number, memo: Memo): ParsedStep | undefined {
  const last = memo.lastStep;
  if (!last || (last.op.name !== 'unshare' && last.op.name !== 'fork')) return undefined;
  const flags = (last.args as { flags?: unknown }).flags;
  if (typeof flags !== 'number' || (flags & CLONE.NEWUSER) === 0) return undefined;
  const byName = (name: unknown): Task | undefined => {
    const id = typeof name === 'string' ? s.names.get(name) : undefined;
    const t = id === undefined ? undefined : s.tasks[id];
    return t?.state === 'running' ? t : undefined;
  };
  const writer = byName(last.task);
  const owner = last.op.name === 'fork' ? byName((last.raw as { child?: unknown }).child) : writer;
  if (!writer || !owner || s.ns[owner.cred.userNs]?.uidMap !== null) return undefined;
  const pid = owner === writer ? 'self' : owner.name;
  const out: ParsedStep[] = [];
  actionsOf(s, swarm.scope, domainsOf(s, swarm.scope, writer), 'write_map', out);
  let n = 0;
  for (const a of out) if ((a.raw as { pid?: unknown }).pid === pid) out[n++] = a;
  return n > 0 ? out[nAction % n] : undefined;
}

/** An action's arguments without the name it gives a new task (a repeated fork names a new child). */
function argsKey(step: ParsedStep): string {
  const { child: _child, ...rest } = step.raw as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * The step `swarm.repeat` steps back, again: the same op and arguments, by the same task or (by
 * the sign of `nActor`'s bit) by the task forked last, when that is an action here.
 */
function repeatStep(s: State, swarm: Swarm, nActor: number, memo: Memo): ParsedStep | undefined {
  const h = memo.history;
  const old = h?.[h.length - swarm.repeat];
  if (!old) return undefined;
  const byName = (name: string | undefined): Task | undefined => {
    const id = name === undefined ? undefined : s.names.get(name);
    const t = id === undefined ? undefined : s.tasks[id];
    return t?.state === 'running' ? t : undefined;
  };
  const actor = (nActor >>> 13) % 2 === 0 ? byName(old.task) : byName(memo.lastChild) ?? byName(old.task);
  if (!actor) return undefined;
  const out: ParsedStep[] = [];
  actionsOf(s, swarm.scope, domainsOf(s, swarm.scope, actor), old.op.name, out);
  const key = argsKey(old);
  return out.find((a) => argsKey(a) === key);
}

/**
 * A step that uses what the run made last: the actor is the task forked last or the one that
 * acted last, and the action names the task forked last (as a pid, or as `self` when it acts
 * itself) or the fd variable opened last. Chains such as fork, the child opens its own
 * namespace file, the child uses the fd become likely, as in real programs.
 */
function consume(s: State, swarm: Swarm, nOp: number, nActor: number, nAction: number, memo: Memo): ParsedStep | undefined {
  const running = (name: string | undefined): Task | undefined => {
    const id = name === undefined ? undefined : s.names.get(name);
    const t = id === undefined ? undefined : s.tasks[id];
    return t?.state === 'running' ? t : undefined;
  };
  const child = running(memo.lastChild);
  const actor = ((nActor >>> 11) % 2 === 0 ? child ?? running(memo.lastActor) : running(memo.lastActor) ?? child);
  if (!actor) return undefined;
  const d = domainsOf(s, swarm.scope, actor);
  const focus: string[] = [];
  if (memo.lastChild !== undefined) focus.push(...(memo.lastChild === actor.name ? ['self', actor.name] : [memo.lastChild]));
  if (memo.lastVar !== undefined && d.openVars.includes(memo.lastVar)) focus.push(memo.lastVar);
  if (!focus.length) return undefined;
  // the op by the run's weights, then the first op from there on that has such an action
  const first = pickOp(swarm, nOp);
  const all: ParsedStep[] = [];
  for (let k = 0; k < swarm.ops.length; k++) {
    all.length = 0;
    actionsOf(s, swarm.scope, d, swarm.ops[(first + k) % swarm.ops.length]!, all);
    let n = 0;
    for (const a of all) if (mentions(a, focus)) all[n++] = a;
    if (n > 0) return all[nAction % n];
  }
  return undefined;
}

/**
 * The step an intent means in state `s`; undefined only when no op of the run allows any action.
 * In a run that prefers the newest objects, half the steps use what the run made last (consume).
 */
export function resolveIntent(s: State, swarm: Swarm, intent: Intent, memo: Memo = {}): ParsedStep | undefined {
  const [nOp, nActor, nAction] = intent.n;
  if ((nOp >>> 12) % 4 !== 0 && swarm.scope.ops.includes('write_map')) {
    const step = mapNewUserNs(s, swarm, nAction, memo);
    if (step) return remember(step, memo);
  }
  if (swarm.repeat > 0 && !memo.history) memo.history = [];
  if (swarm.repeat > 0 && (nActor >>> 12) % 2 === 0) {
    const step = repeatStep(s, swarm, nActor, memo);
    if (step) return remember(step, memo);
  }
  if (swarm.recent && (nActor >>> 10) % 2 === 0) {
    const step = consume(s, swarm, nOp, nActor, nAction, memo);
    if (step) return remember(step, memo);
  }
  const actor = actorOf(s, swarm, nActor);
  if (!actor) return undefined;
  const d = domainsOf(s, swarm.scope, actor);
  const out: ParsedStep[] = [];
  const first = pickOp(swarm, nOp);
  // the drawn op, or the next one of the run that allows an action here
  for (let k = 0; k < swarm.ops.length; k++) {
    const o = swarm.ops[(first + k) % swarm.ops.length]!;
    // the last running task exits rarely: nothing can happen after it
    if (o === 'exit' && nAction % 8 !== 0 && !s.tasks.some((t) => t.state === 'running' && t.id !== actor.id)) continue;
    out.length = 0;
    actionsOf(s, swarm.scope, d, o, out);
    if (out.length) return remember(out[nAction % out.length]!, memo);
  }
  return undefined;
}
