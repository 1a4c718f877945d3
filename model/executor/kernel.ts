/**
 * Kernel executor driver: runs an nscheck-trace/1 trace on the live kernel.
 *
 * The native half is `nsexec.c` (next to this file). It is compiled on demand with the system
 * `cc` into `.nscheck-cache/` at the repository root and recompiled when its source changes.
 * nsexec builds a sandbox (new pid, mount, uts, ipc and net namespaces; every mount private; a
 * tmpfs on /tmp for bind targets; a fresh /proc), starts trace task `P` as a child of the
 * sandbox's pid 1, and runs each step as one syscall in the named task. See the header of
 * nsexec.c for the process layout and the line protocol.
 *
 * The binary and the controller process are in native.ts. This file depends only on node
 * built-ins: it parses the trace from the raw JSON object, keeps
 * the per-fd-table variable maps (CLONE_FILES shares a table, so several tasks can share one map)
 * and translates names into numbers before a step is sent.
 */

export interface KernelStepResult {
  index: number;
  /** 'ok' | errno name like 'EINVAL' | 'key=value' | readlink text | 'same'/'different' | 'TIMEOUT' */
  result: string;
  /** the resolved call, e.g. `A setns(fd=3, 0x20000000)` */
  detail?: string;
}

export interface KernelLiveness {
  /** every task named by the trace: alive, exited (zombie or reaped) or never created */
  tasks: Record<string, 'alive' | 'exited' | 'never'>;
}

export interface KernelRunOptions {
  /** per-step timeout; a hung step yields 'TIMEOUT' and the run is torn down (default 5000) */
  stepTimeoutMs?: number;
  /**
   * which allowed CPU the sandbox is pinned to (its index, modulo their number; default 0):
   * sandboxes running side by side each get their own, so each one's namespace ids follow
   * creation order
   */
  cpu?: number;
  /**
   * Record an nsfs file handle of every namespace of P at the start and of the acting task (and
   * a fork's child) after each successful fork, unshare and setns, and report at the end which
   * of them are still alive (`namespaces` in the result). Needs nsfs file handles (Linux 6.18).
   */
  namespaces?: boolean;
  /**
   * Asked with the liveness at the end of the run: true asks again after a short wait. Some frees
   * are deferred by the kernel (a reaped task's cred, hence its user namespace, is put after RCU
   * grace periods; struct pid, hence the pid namespace, likewise), so a caller that expects a
   * namespace to be gone retries for a bounded time (settleMs, default 2000).
   */
  settle?: (alive: Readonly<Record<string, NsLiveness>>, observations: readonly KernelNsObservation[]) => boolean;
  settleMs?: number;
  /**
   * Also read the liveness of every recorded namespace after each step (`aliveAfter`), asking
   * `settleStep` whether to ask again (a put the kernel defers), for at most settleMs per step.
   */
  settleStep?: (index: number, alive: Readonly<Record<string, NsLiveness>>, observations: readonly KernelNsObservation[]) => boolean;
}

/** `alive`, `ESTALE` (gone), or another errno of open_by_handle_at */
export type NsLiveness = string;

/** The namespaces of one task read through nsfs file handles: entry → {ns_id, inum} or errno. */
export interface KernelNsObservation {
  /** the step after which it was taken; -1 for P at the start */
  index: number;
  task: string;
  entries: Record<string, { id: string; inum: number } | { errno: string }>;
}

export interface KernelNamespaces {
  observations: KernelNsObservation[];
  /** ns_id → liveness at the end of the run */
  alive: Record<string, NsLiveness>;
  /** how long the settle loops waited, in all */
  settledMs: number;
  /** with settleStep: ns_id → liveness after each step (index: the step) */
  aliveAfter?: Record<string, NsLiveness>[];
}

export interface KernelTraceInput {
  steps: ReadonlyArray<{ task: string; op: string; args?: Record<string, unknown> }>;
}

/** Raised for a trace the executor cannot run (unknown op, wrong argument type, ...). */
export class TraceInputError extends Error {
  constructor(readonly stepIndex: number, message: string) {
    super(stepIndex >= 0 ? `step ${stepIndex}: ${message}` : message);
    this.name = 'TraceInputError';
  }
}

// ------------------------------------------------------------------ constants

const CLONE_FLAGS: Readonly<Record<string, number>> = {
  CLONE_NEWTIME: 0x80,
  CLONE_VM: 0x100,
  CLONE_FS: 0x200,
  CLONE_FILES: 0x400,
  CLONE_SIGHAND: 0x800,
  CLONE_PIDFD: 0x1000,
  CLONE_PTRACE: 0x2000,
  CLONE_VFORK: 0x4000,
  CLONE_PARENT: 0x8000,
  CLONE_THREAD: 0x10000,
  CLONE_NEWNS: 0x20000,
  CLONE_SYSVSEM: 0x40000,
  CLONE_SETTLS: 0x80000,
  CLONE_PARENT_SETTID: 0x100000,
  CLONE_CHILD_CLEARTID: 0x200000,
  CLONE_DETACHED: 0x400000,
  CLONE_UNTRACED: 0x800000,
  CLONE_CHILD_SETTID: 0x1000000,
  CLONE_NEWCGROUP: 0x2000000,
  CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  CLONE_IO: 0x80000000,
};

const NS_TYPES = new Set([
  'net', 'uts', 'ipc', 'pid', 'pid_for_children', 'user', 'mnt', 'cgroup', 'time', 'time_for_children',
]);

/** The trace format's ops (spec/ops.ts); each has a case in resolve() below (test/executor.test.ts runs every one). */
const OPS = { has: (name: string): boolean => opByName(name) !== undefined };

/** fd number used for a closed or never-opened variable: certainly not open, so EBADF. */
const STALE_FD = 999999;
/** pid number used for a task that never existed: no such process in the sandbox. */
const NO_SUCH_PID = 999999;
const TASK_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

import { opByName } from '../../spec/ops';
import { CAP_NUMBERS } from '../../spec/state';
import { startController } from './native';

export { kernelAvailable, nsexecBinary, sandboxPidLevel } from './native';

// ------------------------------------------------------------------ trace translation

type FdTable = Map<string, number>;

interface TaskState {
  name: string;
  id: number;
  tid: number;
  files: FdTable;
  exited: boolean;
  /** the name of its thread-group leader (itself for a process) */
  leader: string;
}

function hex(s: string): string {
  return s.length === 0 ? '-' : Buffer.from(s, 'utf8').toString('hex');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class StepArgs {
  constructor(readonly index: number, readonly op: string, readonly args: Record<string, unknown>) {}

  fail(msg: string): never {
    throw new TraceInputError(this.index, `${this.op}: ${msg}`);
  }

  has(k: string): boolean {
    return this.args[k] !== undefined;
  }

  str(k: string): string {
    const v = this.args[k];
    if (typeof v !== 'string') this.fail(`argument '${k}' must be a string`);
    return v;
  }

  optStr(k: string): string | undefined {
    return this.has(k) ? this.str(k) : undefined;
  }

  bool(k: string): boolean {
    const v = this.args[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(`argument '${k}' must be a boolean`);
    return v;
  }

  int(k: string, dflt?: number): number {
    const v = this.args[k];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`argument '${k}' must be an integer`);
    return v;
  }

  /** a list of CLONE_* names, one name, or an integer */
  flags(k: string, dflt?: number): number {
    const v = this.args[k];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const names = typeof v === 'string' ? [v] : Array.isArray(v) ? v : this.fail(`argument '${k}' must be flag names or an integer`);
    // distinct powers of two: their sum is their OR, without JavaScript's 32-bit sign trouble
    const seen = new Set<string>();
    let out = 0;
    for (const n of names) {
      if (typeof n !== 'string') this.fail(`argument '${k}' must list flag names`);
      const bit = CLONE_FLAGS[n];
      if (bit === undefined) this.fail(`unknown flag ${n}`);
      if (!seen.has(n)) out += bit;
      seen.add(n);
    }
    return out;
  }

  nsType(k: string): string {
    const t = this.str(k);
    if (!NS_TYPES.has(t)) this.fail(`unknown namespace type '${t}'`);
    return t;
  }

  taskName(k: string): string {
    const v = this.str(k);
    if (v !== 'self' && !TASK_NAME.test(v)) this.fail(`argument '${k}' is not a task name`);
    return v;
  }

  varName(k: string): string {
    const v = this.str(k);
    if (v.length === 0) this.fail(`argument '${k}' must be a variable name`);
    return v;
  }

  fdRef(k: string): string | number {
    const v = this.args[k];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return this.fail(`argument '${k}' must be a variable name or an integer`);
  }
}

/** One resolved step: the controller command, or a result decided without the kernel. */
interface Resolved {
  command?: string;
  local?: string;
  detail: string;
  /** store the returned fd in this variable of the acting task's table */
  outVar?: string;
  pidfdVar?: string;
  child?: string;
}

export async function runTraceOnKernel(
  trace: KernelTraceInput,
  opts?: KernelRunOptions,
): Promise<{ results: KernelStepResult[]; liveness?: KernelLiveness; namespaces?: KernelNamespaces }> {
  // Validate everything before anything runs.
  const steps = validateSteps(trace);
  const timeout = opts?.stepTimeoutMs ?? 5000;
  const ctl = startController(opts?.cpu);
  const results: KernelStepResult[] = [];
  const tasks = new Map<string, TaskState>();
  try {
    const ready = await ctl.next(10000);
    if (!ready || !ready.startsWith('READY ')) {
      throw new Error(`nscheck kernel executor: sandbox failed: ${ready ?? 'no answer'}`);
    }
    tasks.set('P', { name: 'P', id: 0, tid: Number(ready.slice(6)), files: new Map(), exited: false, leader: 'P' });
    let nextId = 1;
    const observations: KernelNsObservation[] = [];
    let settledMs = 0;
    /** ask for the liveness of every recorded namespace until `again` says it is settled */
    const askLiveness = async (again: ((alive: Record<string, NsLiveness>) => boolean) | undefined): Promise<Record<string, NsLiveness>> => {
      const t0 = Date.now();
      const budget = opts?.settleMs ?? 2000;
      for (;;) {
        ctl.send('L');
        const line = await ctl.next(timeout + 3000);
        const alive: Record<string, NsLiveness> = {};
        for (const tok of (line ?? 'R ').slice(2).split(' ')) {
          const eq = tok.indexOf('=');
          if (eq > 0) alive[tok.slice(0, eq)] = tok.slice(eq + 1);
        }
        if (!again || !again(alive) || Date.now() - t0 >= budget) {
          settledMs += Date.now() - t0;
          return alive;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const aliveAfter: Record<string, NsLiveness>[] = [];
    const observe = async (index: number, t: TaskState): Promise<void> => {
      ctl.send(`H ${t.id}`);
      const line = await ctl.next(timeout + 3000);
      if (line === undefined || !line.startsWith('R ')) return;
      observations.push({ index, task: t.name, entries: parseObservation(line.slice(2)) });
    };
    if (opts?.namespaces) await observe(-1, tasks.get('P')!);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const a = new StepArgs(i, step.op, step.args ?? {});
      const actor = tasks.get(step.task);
      // a fork may reuse the name of a task that is gone (the model frees a name once its task
      // is reaped): ask the old one whether it still runs; one that does not gives up the name
      const reused = step.op === 'fork' && isRecord(step.args) && typeof step.args.child === 'string' ? tasks.get(step.args.child) : undefined;
      if (reused && !reused.exited) {
        ctl.send(`S ${reused.id} ${timeout} getpid`);
        const line = await ctl.next(timeout + 3000);
        if (line === undefined || !line.startsWith('R pid=')) reused.exited = true;
        else if (actor && !actor.exited) {
          // the trace reuses the name of a task the model had reaped, but the kernel still runs
          // it: a disagreement about that task, reported as this step's result
          results.push({ index: i, result: 'EXEC_NAME_STILL_RUNS', detail: `fork: ${String((step.args as { child: string }).child)} still runs on the kernel` });
          continue;
        }
      }
      const r = resolve(a, step.task, runtimeLookup(step.task, actor, tasks));
      if (!actor || actor.exited) {
        results.push({ index: i, result: 'ESRCH', detail: `${step.task} ${r.detail} (task has exited or never existed)` });
        continue;
      }
      if (r.local !== undefined) {
        results.push({ index: i, result: r.local, detail: `${step.task} ${r.detail}` });
        continue;
      }
      let cmd = r.command!;
      let childId = -1;
      if (step.op === 'fork') {
        childId = nextId++;
        cmd = `fork ${childId} ${cmd.slice(5)}`;
      }
      ctl.send(`S ${actor.id} ${timeout} ${cmd}`);
      const line = await ctl.next(timeout + 3000);
      if (line === undefined || !line.startsWith('R ')) {
        // the controller itself does not answer: kill it; PR_SET_PDEATHSIG then kills the
        // sandbox init, and with it the whole sandbox pid namespace
        results.push({ index: i, result: 'TIMEOUT', detail: `${step.task} ${r.detail}` });
        await ctl.kill();
        return { results };
      }
      const body = line.slice(2);
      const { result, extras } = parseReply(step.op, body);
      results.push({ index: i, result, detail: `${step.task} ${r.detail}` });
      if (result === 'TIMEOUT') {
        // the controller gave up on a hung task; `Q` (in finally) kills the sandbox init and
        // waits until every task of the sandbox pid namespace is gone
        return { results };
      }
      if (extras.gone !== undefined) actor.exited = true;
      applyEffects(step.op, a, actor, r, result, extras, tasks, childId);
      if (opts?.namespaces && result === 'ok' && (step.op === 'fork' || step.op === 'unshare' || step.op === 'setns')) {
        await observe(i, actor);
        const child = step.op === 'fork' ? tasks.get(r.child!) : undefined;
        if (child) await observe(i, child);
      }
      const settleStep = opts?.settleStep;
      if (opts?.namespaces && settleStep) aliveAfter[i] = await askLiveness((alive) => settleStep(i, alive, observations));
    }
    let namespaces: KernelNamespaces | undefined;
    if (opts?.namespaces) {
      const settle = opts.settle;
      const alive = await askLiveness(settle ? (a) => settle(a, observations) : undefined);
      namespaces = { observations, alive, settledMs, ...(opts.settleStep ? { aliveAfter } : {}) };
    }
    const liveness: KernelLiveness = { tasks: {} };
    const named = new Set<string>(['P']);
    for (const s of steps) {
      named.add(s.task);
      if (s.op === 'fork' && isRecord(s.args) && typeof s.args.child === 'string') named.add(s.args.child);
    }
    for (const n of named) {
      const t = tasks.get(n);
      if (!t) {
        liveness.tasks[n] = 'never';
        continue;
      }
      if (t.exited) {
        liveness.tasks[n] = 'exited';
        continue;
      }
      ctl.send(`S ${t.id} ${timeout} getpid`);
      const line = await ctl.next(timeout + 3000);
      liveness.tasks[n] = line !== undefined && line.startsWith('R pid=') ? 'alive' : 'exited';
    }
    return namespaces ? { results, liveness, namespaces } : { results, liveness };
  } finally {
    await ctl.close();
  }
}

/** One step of a trace as the C reproducer runs it (model/export-c.ts). */
export interface PlannedStep {
  index: number;
  task: string;
  op: string;
  /**
   * The controller command, with placeholders the program fills in while it runs: `{f:VAR}` the
   * acting task's descriptor for fd variable VAR (999999 when not open), `{t:TASK}` the procfs
   * pid of TASK (999999 when it never existed). A fork's command lacks the child's slot number.
   */
  command: string;
  detail: string;
  outVar?: string;
  pidfdVar?: string;
  child?: string;
  /** close: this variable is closed whatever the result */
  closeVar?: string;
  /** fork and unshare: the flags (CLONE_FILES decides whether the fd table is shared) */
  flags: number;
  /** exec: the other threads of the group, which die */
  execKills?: string[];
  /** exec by a thread: the leader whose place (and name) it takes */
  execLeader?: string;
}

/** Validate a trace the way runTraceOnKernel does and resolve it symbolically (no kernel needed). */
export function planTrace(trace: KernelTraceInput): PlannedStep[] {
  const steps = validateSteps(trace);
  // thread groups, assuming every fork succeeds (a thread that was never made cannot be killed)
  const leaderOf = new Map<string, string>([['P', 'P']]);
  return steps.map((step, i) => {
    const a = new StepArgs(i, step.op, step.args ?? {});
    const r = resolve(a, step.task, {
      fdVar: (name) => `{f:${name}}`,
      task: (name) => `{t:${name === 'self' ? step.task : name}}`,
      taskExists: () => false,
      symbolic: true,
    });
    const p: PlannedStep = { index: i, task: step.task, op: step.op, command: r.command ?? '', detail: r.detail, flags: 0 };
    if (r.outVar !== undefined) p.outVar = r.outVar;
    if (r.pidfdVar !== undefined) p.pidfdVar = r.pidfdVar;
    if (r.child !== undefined) p.child = r.child;
    if (step.op === 'close' && typeof a.args.fd === 'string') p.closeVar = a.args.fd;
    if (step.op === 'fork') {
      p.flags = a.flags('flags', 0);
      if (r.child !== undefined) leaderOf.set(r.child, (p.flags & CLONE_FLAGS.CLONE_THREAD!) !== 0 ? (leaderOf.get(step.task) ?? step.task) : r.child);
    }
    if (step.op === 'exec') {
      const leader = leaderOf.get(step.task) ?? step.task;
      p.execKills = [...leaderOf].filter(([n, l]) => l === leader && n !== step.task).map(([n]) => n);
      if (leader !== step.task) p.execLeader = leader;
      for (const [n, l] of leaderOf) if (l === leader) leaderOf.set(n, step.task);
    }
    if (step.op === 'unshare') p.flags = a.flags('flags');
    return p;
  });
}

function validateSteps(trace: KernelTraceInput): KernelTraceInput['steps'] {
  if (!isRecord(trace) || !Array.isArray((trace as { steps?: unknown }).steps)) {
    throw new TraceInputError(-1, 'trace has no steps array');
  }
  const steps = trace.steps;
  steps.forEach((s, i) => {
    if (!isRecord(s)) throw new TraceInputError(i, 'step is not an object');
    if (typeof s.task !== 'string' || !TASK_NAME.test(s.task)) throw new TraceInputError(i, 'bad task name');
    if (typeof s.op !== 'string' || !OPS.has(s.op)) throw new TraceInputError(i, `unknown op ${String(s.op)}`);
    if (s.args !== undefined && !isRecord(s.args)) throw new TraceInputError(i, 'args must be an object');
  });
  return steps;
}

function parseObservation(body: string): KernelNsObservation['entries'] {
  const out: KernelNsObservation['entries'] = {};
  for (const tok of body.split(' ')) {
    const m = /^([a-z_]+)=(?:(\d+):(\d+)|([A-Z0-9_]+))$/.exec(tok);
    if (!m) continue;
    out[m[1]!] = m[2] !== undefined ? { id: m[2], inum: Number(m[3]) } : { errno: m[4]! };
  }
  return out;
}

function parseReply(op: string, body: string): { result: string; extras: Record<string, string> } {
  const extras: Record<string, string> = {};
  if (op === 'gethostname' || op === 'readlink_ns') return { result: body, extras };
  const toks = body.split(' ');
  const result = toks[0] ?? '';
  for (const t of toks.slice(1)) {
    const eq = t.indexOf('=');
    if (eq > 0) extras[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return { result, extras };
}

function applyEffects(
  op: string,
  a: StepArgs,
  actor: TaskState,
  r: Resolved,
  result: string,
  extras: Record<string, string>,
  tasks: Map<string, TaskState>,
  childId: number,
): void {
  if (op === 'close') {
    // close(2) releases the number even when it reports an error (except EBADF, where the
    // variable was not open anyway): the variable is closed either way.
    const v = a.args.fd;
    if (typeof v === 'string') actor.files.delete(v);
    return;
  }
  if (result !== 'ok') return;
  if (r.outVar !== undefined && extras.fd !== undefined) actor.files.set(r.outVar, Number(extras.fd));
  switch (op) {
    case 'exit':
      actor.exited = true;
      break;
    case 'unshare':
      if ((a.flags('flags') & CLONE_FLAGS.CLONE_FILES!) !== 0) actor.files = new Map(actor.files);
      break;
    case 'exec': {
      // every other thread of the group died; a thread took over the leader (and its name);
      // every fd was close-on-exec
      for (const t of new Set(tasks.values())) if (t !== actor && t.leader === actor.leader) t.exited = true;
      if (actor.leader !== actor.name) {
        tasks.set(actor.leader, actor);
        actor.leader = actor.name;
      }
      if (extras.tid !== undefined) actor.tid = Number(extras.tid);
      actor.files = new Map();
      break;
    }
    case 'fork': {
      const flags = a.flags('flags', 0);
      const files = (flags & CLONE_FLAGS.CLONE_FILES!) !== 0 ? actor.files : new Map(actor.files);
      tasks.set(r.child!, { name: r.child!, id: childId, tid: Number(extras.tid), files, exited: false, leader: (flags & CLONE_FLAGS.CLONE_THREAD!) !== 0 ? actor.leader : r.child! });
      if (r.pidfdVar !== undefined && extras.pidfd !== undefined) actor.files.set(r.pidfdVar, Number(extras.pidfd));
      break;
    }
    default:
      break;
  }
}

/**
 * How names become numbers: at run time the acting task's fd table and the tasks' pids; for the
 * C reproducer (planTrace) placeholders that the generated program fills in as it runs.
 */
interface Lookup {
  /** the number of an fd variable of the acting task (STALE_FD when not open) */
  fdVar(name: string): string;
  /** the procfs pid of a task (`self` is the acting task; NO_SUCH_PID when it never existed) */
  task(name: string): string;
  /** whether a fork may not name this child (a task of that name still runs) */
  taskExists(name: string): boolean;
  /** true when numbers are placeholders (detail texts then show names only) */
  symbolic: boolean;
}

function runtimeLookup(actorName: string, actor: TaskState | undefined, tasks: Map<string, TaskState>): Lookup {
  return {
    fdVar: (name) => String(actor?.files.get(name) ?? STALE_FD),
    task: (name) => {
      const t = name === 'self' ? actor : tasks.get(name);
      return String(t ? t.tid : NO_SUCH_PID);
    },
    taskExists: (name) => (tasks.has(name) && !tasks.get(name)!.exited) || name === actorName,
    symbolic: false,
  };
}

function resolve(a: StepArgs, actorName: string, look: Lookup): Resolved {
  const fd = (k: string): string => {
    const ref = a.fdRef(k);
    if (typeof ref === 'number') return String(ref);
    return look.fdVar(ref);
  };
  const fdText = (k: string): string => {
    const ref = a.fdRef(k);
    return typeof ref === 'number' ? String(ref) : look.symbolic ? ref : `${ref}=${fd(k)}`;
  };
  const pid = (k: string): string => look.task(a.taskName(k));
  const hexFlags = (v: number): string => (v >= 0 ? `0x${v.toString(16)}` : String(v));
  switch (a.op) {
    case 'fork': {
      const child = a.taskName('child');
      if (child === 'self' || child === 'P') a.fail('child must be a new task name');
      if (child === actorName) a.fail('a task cannot fork itself');
      if (look.taskExists(child)) a.fail(`task ${child} already exists`);
      const flags = a.flags('flags', 0);
      const pidfdVar = a.optStr('pidfd');
      const r: Resolved = {
        command: `fork ${hexFlags(flags)} ${pidfdVar !== undefined ? 1 : 0}`,
        detail: `fork(${hexFlags(flags)}${pidfdVar !== undefined ? `, pidfd->${pidfdVar}` : ''}) -> ${child}`,
        child,
      };
      if (pidfdVar !== undefined) r.pidfdVar = pidfdVar;
      return r;
    }
    case 'clone_probe': {
      const flags = a.flags('flags');
      return { command: `clone_probe ${hexFlags(flags)}`, detail: `clone_probe(${hexFlags(flags)})` };
    }
    case 'exit': {
      const code = a.int('code', 0);
      return { command: `exit ${code & 0xff}`, detail: `exit(${code})` };
    }
    case 'exec':
      return { command: 'exec', detail: 'execve(self)' };
    case 'wait': {
      const c = a.taskName('child');
      return { command: `wait ${pid('child')}`, detail: `wait(${c})` };
    }
    case 'unshare': {
      const flags = a.flags('flags');
      return { command: `unshare ${hexFlags(flags)}`, detail: `unshare(${hexFlags(flags)})` };
    }
    case 'setns': {
      const nstype = a.flags('nstype');
      return { command: `setns ${fd('fd')} ${nstype | 0}`, detail: `setns(${fdText('fd')}, ${hexFlags(nstype)})` };
    }
    case 'open_ns': {
      const type = a.nsType('type');
      const out = a.varName('fd');
      const opath = a.bool('opath');
      return {
        command: `open_ns ${pid('pid')} ${type} ${opath ? 1 : 0}`,
        detail: `open(/proc/${a.str('pid')}/ns/${type}${opath ? ', O_PATH' : ''}) -> ${out}`,
        outVar: out,
      };
    }
    case 'close':
      return { command: `close ${fd('fd')}`, detail: `close(${fdText('fd')})` };
    case 'bind_ns': {
      const target = a.str('target');
      checkTarget(a, target);
      const dir = a.bool('dir');
      // the fifth field: 1 create a directory, 0 create a file, 2 create nothing (create: false)
      const mode = a.has('create') && !a.bool('create') ? 2 : dir ? 1 : 0;
      if (a.has('fd')) {
        return {
          command: `bind_ns f ${fd('fd')} - ${hex(target)} ${mode}`,
          detail: `mount(fd ${fdText('fd')}, ${target}${dir ? '/' : ''}, MS_BIND)`,
        };
      }
      const type = a.nsType('type');
      return {
        command: `bind_ns p ${pid('pid')} ${type} ${hex(target)} ${mode}`,
        detail: `mount(/proc/${a.str('pid')}/ns/${type}, ${target}${dir ? '/' : ''}, MS_BIND)`,
      };
    }
    case 'mount_fs': {
      const type = a.str('type');
      if (!['proc', 'sysfs', 'mqueue'].includes(type)) a.fail(`unknown filesystem ${type}`);
      const target = a.str('target');
      checkTarget(a, target);
      const create = !(a.has('create') && !a.bool('create'));
      return { command: `mount_fs ${type} ${hex(target)} ${create ? 1 : 0}`, detail: `mount(${type}, ${target}/, ${type})` };
    }
    case 'setresuid':
    case 'setresgid': {
      const keys = a.op === 'setresuid' ? ['ruid', 'euid', 'suid'] : ['rgid', 'egid', 'sgid'];
      const ids = keys.map((k) => (a.has(k) ? a.int(k, -1) : -1));
      return { command: `${a.op} ${ids.join(' ')}`, detail: `${a.op}(${ids.join(', ')})` };
    }
    case 'setgroups': {
      const g = a.args.groups;
      if (!Array.isArray(g) || !g.every((x) => Number.isInteger(x))) a.fail('groups must be a list of integers');
      const list = g as number[];
      return { command: `setgroups ${list.length ? list.join(',') : '-'}`, detail: `setgroups([${list.join(', ')}])` };
    }
    case 'capset': {
      // the model's capability names as Linux's numbers, as two 32-bit words per set
      const mask = (k: string): [number, number] => {
        const v = a.args[k];
        if (!Array.isArray(v)) a.fail(`${k} must be a list of CAP_* names`);
        let lo = 0, hi = 0;
        for (const n of v as unknown[]) {
          const name = typeof n === 'string' && n.startsWith('CAP_') ? n.slice(4) : '';
          const bit = (CAP_NUMBERS as Record<string, number>)[name];
          if (bit === undefined) a.fail(`unknown capability ${String(n)}`);
          if (bit! < 32) lo |= 1 << bit!;
          else hi |= 1 << (bit! - 32);
        }
        return [lo >>> 0, hi >>> 0];
      };
      const [el, eh] = mask('effective');
      const [pl, ph] = mask('permitted');
      return { command: `capset ${el} ${eh} ${pl} ${ph}`, detail: `capset(E=${JSON.stringify(a.args.effective)}, P=${JSON.stringify(a.args.permitted)})` };
    }
    case 'socket': {
      const out = a.varName('fd');
      return { command: 'socket', detail: `socket(AF_UNIX, SOCK_DGRAM) -> ${out}`, outVar: out };
    }
    case 'socketat': {
      const out = a.varName('fd');
      return { command: `socketat ${fd('nsfd')}`, detail: `socketat(${fdText('nsfd')}) -> ${out}`, outVar: out };
    }
    case 'create': {
      const target = a.str('target');
      checkTarget(a, target);
      const dir = a.bool('dir');
      return { command: `create ${hex(target)} ${dir ? 1 : 0}`, detail: dir ? `mkdir(${target})` : `open(${target}, O_CREAT|O_EXCL)` };
    }
    case 'unlink': {
      const target = a.str('target');
      checkTarget(a, target);
      return { command: `unlink ${hex(target)}`, detail: `unlink or rmdir(${target})` };
    }
    case 'propagation': {
      const type = a.str('type');
      if (!['shared', 'private', 'slave', 'unbindable'].includes(type)) a.fail(`unknown propagation type ${type}`);
      const target = a.optStr('target');
      if (target !== undefined) checkTarget(a, target);
      const rec = a.bool('recursive');
      return {
        command: `propagation ${type} ${target !== undefined ? hex(target) : '-'} ${rec ? 1 : 0}`,
        detail: `mount(NULL, ${target ?? '.'}, NULL, MS_${type.toUpperCase()}${rec ? '|MS_REC' : ''})`,
      };
    }
    case 'open_bind': {
      const target = a.str('target');
      checkTarget(a, target);
      const out = a.varName('fd');
      return { command: `open_bind ${hex(target)}`, detail: `open(${target}) -> ${out}`, outVar: out };
    }
    case 'umount': {
      const target = a.str('target');
      checkTarget(a, target);
      const detach = a.bool('detach');
      return { command: `umount ${hex(target)} ${detach ? 1 : 0}`, detail: `umount2(${target}${detach ? ', MNT_DETACH' : ''})` };
    }
    case 'ioctl_ns': {
      const req = a.str('req');
      const token = /^[A-Z0-9_]+$/.test(req) ? req : 'NS_UNKNOWN';
      const out = a.optStr('out');
      const r: Resolved = {
        command: `ioctl_ns ${fd('fd')} ${token}`,
        detail: `ioctl(${fdText('fd')}, ${req})${out !== undefined ? ` -> ${out}` : ''}`,
      };
      if (out !== undefined) r.outVar = out;
      return r;
    }
    case 'readlink_ns': {
      const type = a.nsType('type');
      return { command: `readlink_ns ${pid('pid')} ${type}`, detail: `readlink(/proc/${a.str('pid')}/ns/${type})` };
    }
    case 'same_ns': {
      const side = (k: string): string => {
        const v = a.str(k);
        const m = /^(fd|path|[A-Za-z][A-Za-z0-9_]*):(.+)$/.exec(v);
        if (!m) a.fail(`argument '${k}' must be fd:VAR, TASK:type or path:TARGET`);
        if (m[1] === 'fd') return `f${look.fdVar(m[2]!)}`;
        if (m[1] === 'path') {
          checkTarget(a, m[2]!);
          return `t${hex(m[2]!)}`;
        }
        const type = m[2]!;
        if (!NS_TYPES.has(type)) a.fail(`unknown namespace type '${type}'`);
        return `p${look.task(m[1]!)}:${type}`;
      };
      return { command: `same_ns ${side('a')} ${side('b')}`, detail: `same_ns(${a.str('a')}, ${a.str('b')})` };
    }
    case 'pidfd_open': {
      const out = a.varName('fd');
      return { command: `pidfd_open ${pid('pid')}`, detail: `pidfd_open(${a.str('pid')}) -> ${out}`, outVar: out };
    }
    case 'getpid':
      return { command: 'getpid', detail: 'getpid()' };
    case 'getppid':
      return { command: 'getppid', detail: 'getppid()' };
    case 'sethostname': {
      const name = a.str('name');
      return { command: `sethostname ${hex(name)}`, detail: `sethostname(${JSON.stringify(name)})` };
    }
    case 'gethostname':
      return { command: 'gethostname', detail: 'gethostname()' };
    case 'drop_caps': {
      const mode = a.str('mode');
      if (!['nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'].includes(mode)) a.fail(`unknown mode ${mode}`);
      return { command: `drop_caps ${mode}`, detail: `drop_caps(${mode})` };
    }
    case 'write_map': {
      const uid = a.optStr('uid') ?? '';
      const gid = a.optStr('gid') ?? '';
      const sg = a.optStr('setgroups') ?? '';
      for (const s of [uid, gid, sg]) if (s.includes('\n')) a.fail('map lines must not contain newlines');
      return {
        command: `write_map ${pid('pid')} ${hex(uid)} ${hex(gid)} ${hex(sg)}`,
        detail: `write_map(${a.str('pid')}${uid ? `, uid "${uid}"` : ''}${gid ? `, gid "${gid}"` : ''}${sg ? `, setgroups ${sg}` : ''})`,
      };
    }
    case 'open_file': {
      const out = a.varName('fd');
      const dir = a.bool('dir');
      return { command: `open_file ${dir ? 1 : 0}`, detail: `open(${dir ? 'a directory' : 'a file'}) -> ${out}`, outVar: out };
    }
    case 'shm_create':
    case 'shm_lookup': {
      const key = a.int('key');
      return { command: `${a.op} ${key}`, detail: `${a.op === 'shm_create' ? 'shmget(IPC_CREAT)' : 'shmget'}(key ${key})` };
    }
    default:
      return a.fail('unknown op');
  }
}

function checkTarget(a: StepArgs, target: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(target) || target === '.' || target === '..') {
    a.fail(`target '${target}' must be a plain file name`);
  }
}
