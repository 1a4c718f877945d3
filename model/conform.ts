// Differential conformance: the same trace on the model (spec/) and on the running kernel (the
// native executor, model/executor/), compared step by step.
//
// What is compared:
// - every step's result. Results that name a namespace (`net:[4026532201]`, from readlink_ns)
//   are identities, not values: the model's numbers are its own and the executor's sandbox is
//   not the initial namespaces. They must form a one-to-one mapping per trace (InumBijection),
//   keyed on the model side by the namespace itself (NsId), so the model's and the kernel's
//   recycling of freed inode numbers cannot fake a mismatch; a kernel number may move to another
//   model namespace only once the one it named is freed in the model.
// - the namespaces of the acting task (and a fork's child) after every successful fork, unshare
//   and setns: the executor reads them as nsfs file handles ({ns_id, inum}), the model from its
//   state (the /proc `get` of spec/proc.ts). Model namespace ↔ kernel ns_id must be a bijection
//   too, and an entry one side reads and the other cannot (ENOENT) is a disagreement.
// - liveness at the end: for every namespace so observed, alive in the model (!ns.freed) must be
//   alive on the kernel (open_by_handle_at of its handle works; ESTALE once its count is zero).
//   The kernel defers some puts past the syscall that drops the last holder (a reaped task's cred,
//   and with it the user namespace, goes after RCU grace periods; a struct pid, and with it the
//   pid namespace, likewise; a netns is put synchronously but freed later by cleanup_net, which
//   open_by_handle_at does not see). So a namespace the model has freed but the kernel still shows
//   alive is asked about again every 20 ms for up to settleMs (2 s) before it counts.
//
// Random conformance draws traces from the wide scope as random search does (model/search/, intents
// resolved against the live model state, a deterministic xorshift from the seed), runs each on
// both sides and shrinks any disagreement to a minimal trace that still shows the same first
// disagreement, re-running both sides for each candidate.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { initialState, type Start } from '../spec/initial';
import { describeStep, resultText, runStep, type ParsedStep } from '../spec/ops';
import { PROC_ENTRIES, procGet } from '../spec/proc';
import type { Semantics } from '../spec/semantics';
import type { Namespace, State } from '../spec/state';
import { Tx } from '../spec/tx';
import { newWorld, snapshot } from '../spec/world';
import { defaultSemantics } from '../spec/variants';
import { runTraceOnKernel, sandboxPidLevel, type KernelNamespaces, type KernelNsObservation, type KernelStepResult } from './executor/kernel';
import { errorText, MODEL_ERROR } from './run';
import { readTrace, type Trace } from './trace';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const DIFFERENCES_FILE = path.join(REPO_ROOT, 'test', 'regressions', 'model-differences.json');

// ------------------------------------------------------------------ identities

/**
 * A one-to-one mapping between model identities and kernel identities, built as a trace runs.
 * `bind` returns null when the pair is consistent with what was seen before, else why not.
 * `released(m)` says that model identity m no longer exists (its namespace was freed), which
 * lets the kernel identity it was mapped to be reused for another one (inode numbers are
 * recycled by the kernel's IDA).
 */
export class InumBijection {
  private readonly m2k = new Map<string, string>();
  private readonly k2m = new Map<string, string>();

  bind(m: string, k: string, released?: (m: string) => boolean): string | null {
    const known = this.m2k.get(m);
    if (known !== undefined) return known === k ? null : `model ${m} was kernel ${known} before, now kernel ${k}`;
    const other = this.k2m.get(k);
    if (other !== undefined && other !== m) {
      if (!released?.(other)) return `kernel ${k} was model ${other} before, now model ${m}`;
      this.m2k.delete(other);
    }
    this.m2k.set(m, k);
    this.k2m.set(k, m);
    return null;
  }

  kernelOf(m: string): string | undefined {
    return this.m2k.get(m);
  }

  pairs(): [string, string][] {
    return [...this.m2k.entries()];
  }
}

export const INUM_RESULT = /^([a-z]+):\[(\d+)\]$/;

// ------------------------------------------------------------------ the model side

export interface ModelRun {
  readonly results: string[];
  readonly calls: string[];
  readonly rules: (string | undefined)[];
  /** states[0] is the initial state, states[i + 1] the state after step i */
  readonly states: State[];
}

/** Run every step (no property checks: conformance compares results, not invariants). */
export function runModel(steps: readonly ParsedStep[], sem: Semantics, start?: Start): ModelRun {
  const world = initialState(sem, start);
  const run: ModelRun = { results: [], calls: [], rules: [], states: [snapshot(world)] };
  for (const step of steps) {
    run.calls.push(describeStep(world, step));
    let o;
    try {
      o = runStep(sem, world, step);
    } catch (e) {
      run.results.push(MODEL_ERROR);
      run.rules.push(errorText(e));
      run.states.push(snapshot(world));
      continue;
    }
    run.results.push(resultText(o));
    run.rules.push(o.ok ? undefined : o.rule);
    run.states.push(snapshot(world));
  }
  return run;
}

/**
 * A namespace's identity across the states of a run: its 64-bit namespace id, which is never
 * reused (row ids and inode numbers are).
 */
function keyOf(ns: Namespace): string {
  return String(ns.nsId);
}

function nsByKey(state: State, key: string): Namespace | undefined {
  if (!/^\d+$/.test(key)) return undefined;
  const id = Number(key);
  return state.ns.find((n) => n.nsId === id);
}

/** Freed in `state` (its slot may already hold another namespace). */
function releasedIn(state: State): (key: string) => boolean {
  return (key) => {
    if (!/^\d+$/.test(key)) return false;
    const ns = nsByKey(state, key);
    return ns === undefined || ns.freed;
  };
}

/** The model's namespace a `type:[inum]` result names in `state`, as a bijection key. */
function modelKey(state: State, type: string, inum: number): string {
  const ns = state.ns.find((n) => !n.freed && n.type === type && n.inum === inum);
  return ns ? keyOf(ns) : `inum:${inum}`;
}

function nsText(state: State, key: string): string {
  const ns = nsByKey(state, key);
  return ns ? `${ns.type}:[${ns.inum}]` : key;
}

/** The namespace (its key) every /proc/<pid>/ns entry of a task names in the model, or null (ENOENT). */
function modelEntries(state: State, sem: Semantics, task: string): Record<string, string | null> | undefined {
  const id = state.names.get(task);
  const t = id === undefined ? undefined : state.tasks[id];
  if (!t || t.state !== 'running') return undefined;
  const tx = new Tx(newWorld(state), sem);
  const out: Record<string, string | null> = {};
  for (const e of PROC_ENTRIES) {
    if (e.since > sem.kernel) continue;
    const ns = procGet(tx, t, e);
    out[e.name] = ns === null ? null : keyOf(state.ns[ns]!);
  }
  return out;
}

// ------------------------------------------------------------------ comparing

/**
 * result: model and kernel results differ; identity: a namespace maps to two on the other side;
 * liveness: alive on one side, freed on the other; expect: the trace's recorded result is neither
 * side's (the trace is stale, or was recorded elsewhere); timeout, executor: the kernel side did
 * not finish a step.
 */
export type DisagreementKind = 'result' | 'identity' | 'liveness' | 'expect' | 'timeout' | 'executor';

export interface Disagreement {
  readonly kind: DisagreementKind;
  /** the step (steps.length for liveness at the end) */
  readonly index: number;
  readonly task: string;
  readonly call: string;
  readonly model: string;
  readonly kernel: string;
  readonly rule?: string;
  readonly detail?: string;
  /** what shrinking keeps fixed: kind, op and both results (inode numbers abstracted) */
  readonly signature: string;
}

export interface StepComparison {
  readonly index: number;
  readonly task: string;
  readonly call: string;
  readonly model: string;
  readonly kernel: string | undefined;
  readonly agree: boolean;
}

export interface ConformResult {
  readonly title?: string;
  readonly variant: string;
  readonly steps: StepComparison[];
  readonly disagreements: Disagreement[];
  readonly agree: boolean;
  readonly timedOut: boolean;
  /** namespaces whose liveness was compared, and why it was not when it was not */
  readonly liveness: { readonly compared: number; readonly alive: number; readonly freed: number; readonly skipped?: string; readonly settledMs: number };
  readonly modelMs: number;
  readonly kernelMs: number;
  /** the kernel's result for every step it ran */
  readonly kernelResults: string[];
  readonly modelResults: string[];
  /**
   * The disagreements did not come back when the kernel side ran again (a race in the
   * executor or the kernel, not a difference of semantics): the result is reported as not
   * reproducible, with the second run's disagreements.
   */
  readonly notReproducible?: { readonly second: readonly Disagreement[] };
  /** the pid-namespace level P started at on both sides (the executor's sandbox level) */
  readonly pidLevel: number;
}

export interface ConformOptions {
  readonly stepTimeoutMs?: number;
  /** compare namespace identities and liveness through nsfs file handles (default true) */
  readonly namespaces?: boolean;
  readonly settleMs?: number;
  /** run the kernel side again before reporting a disagreement (default true) */
  readonly recheck?: boolean;
  /** the CPU (index among the allowed ones) the sandbox is pinned to */
  readonly cpu?: number;
}

function abstractResult(r: string): string {
  const m = INUM_RESULT.exec(r);
  return m ? `${m[1]}:[…]` : r;
}

function sig(kind: DisagreementKind, op: string, model: string, kernel: string): string {
  return `${kind} ${op}: ${abstractResult(model)} / ${abstractResult(kernel)}`;
}

/** Compare a model run with a kernel run of the same steps. Pure: no kernel needed. */
export function compareRuns(
  steps: readonly (ParsedStep & { readonly expect?: string })[],
  sem: Semantics,
  model: ModelRun,
  kernel: readonly KernelStepResult[],
  namespaces?: KernelNamespaces,
): { steps: StepComparison[]; disagreements: Disagreement[]; timedOut: boolean; liveness: ConformResult['liveness'] } {
  const out: StepComparison[] = [];
  const dis: Disagreement[] = [];
  const inums = new InumBijection();
  const nsIds = new InumBijection();
  /** the trace's recorded inode numbers against the kernel's, one to one (the third way) */
  const recorded = new InumBijection();
  /** namespaces whose liveness already disagreed (each is reported once) */
  const livenessReported = new Set<string>();
  let timedOut = false;
  const byIndex = new Map<number, KernelStepResult>();
  for (const r of kernel) byIndex.set(r.index, r);
  const obsByIndex = new Map<number, KernelNsObservation[]>();
  for (const o of namespaces?.observations ?? []) {
    const l = obsByIndex.get(o.index) ?? [];
    l.push(o);
    obsByIndex.set(o.index, l);
  }
  const stepAgrees: boolean[] = [];

  const observe = (index: number, state: State): void => {
    for (const o of obsByIndex.get(index) ?? []) {
      const mine = modelEntries(state, sem, o.task);
      if (!mine) continue;
      const released = releasedIn(state);
      for (const [entry, k] of Object.entries(o.entries)) {
        if (!(entry in mine)) continue;
        const m = mine[entry] ?? null;
        const call = index < 0 ? `namespaces of ${o.task} at the start` : `namespaces of ${o.task} after step ${index}`;
        const push = (modelText: string, kernelText: string, detail: string): void => {
          dis.push({ kind: 'identity', index: Math.max(index, 0), task: o.task, call: `${call}: ${entry}`, model: modelText, kernel: kernelText, detail, signature: sig('identity', `${entry}`, modelText.replace(/\d+/g, 'N'), kernelText.replace(/\d+/g, 'N')) });
        };
        const type = PROC_ENTRIES.find((e) => e.name === entry)?.type ?? entry;
        if ('errno' in k) {
          if (m !== null) push(nsText(state, String(m)), k.errno, `the model's /proc/${o.task}/ns/${entry} names a namespace, the kernel's fails ${k.errno}`);
          else if (k.errno !== 'ENOENT') push('ENOENT', k.errno, 'different errors');
          continue;
        }
        if (m === null) {
          push('ENOENT', `${type}:[${k.inum}]`, `the kernel's /proc/${o.task}/ns/${entry} names a namespace, the model's fails ENOENT`);
          continue;
        }
        const e1 = nsIds.bind(String(m), k.id);
        const e2 = e1 === null ? inums.bind(String(m), String(k.inum), released) : null;
        const err = e1 ?? e2;
        if (err !== null) push(nsText(state, String(m)), `${type}:[${k.inum}]`, `not one-to-one: ${err}`);
      }
    }
  };

  observe(-1, model.states[0]!);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const m = model.results[i]!;
    const call = model.calls[i]!;
    const kr = byIndex.get(i);
    const state = model.states[i + 1]!;
    if (kr === undefined) {
      out.push({ index: i, task: step.task, call, model: m, kernel: undefined, agree: false });
      stepAgrees.push(false);
      continue;
    }
    const k = kr.result;
    let agree = m === k;
    let detail: string | undefined;
    if (!agree) {
      const mm = INUM_RESULT.exec(m);
      const km = INUM_RESULT.exec(k);
      if (mm && km && mm[1] === km[1]) {
        const err = inums.bind(modelKey(state, mm[1]!, Number(mm[2])), km[2]!, releasedIn(state));
        agree = err === null;
        if (err !== null) detail = `not one-to-one: ${err}`;
      }
    } else {
      const mm = INUM_RESULT.exec(m);
      if (mm) {
        const err = inums.bind(modelKey(state, mm[1]!, Number(mm[2])), mm[2]!, releasedIn(state));
        agree = err === null;
        if (err !== null) detail = `not one-to-one: ${err}`;
      }
    }
    // the third way: what the trace recorded, against the kernel (the oracle)
    if (step.expect !== undefined && k !== 'TIMEOUT' && !k.startsWith('EXEC_')) {
      const em = INUM_RESULT.exec(step.expect);
      const km = INUM_RESULT.exec(k);
      const same = em && km ? em[1] === km[1] && recorded.bind(`${em[1]}:${em[2]}`, km[2]!) === null : step.expect === k;
      if (!same) {
        dis.push({
          kind: 'expect', index: i, task: step.task, call, model: m, kernel: k,
          detail: `the trace expects ${step.expect}`, signature: sig('expect', step.op.name, abstractResult(step.expect), k),
        });
      }
    }
    out.push({ index: i, task: step.task, call, model: m, kernel: k, agree });
    stepAgrees.push(agree);
    if (k === 'TIMEOUT') {
      timedOut = true;
      dis.push({ kind: 'timeout', index: i, task: step.task, call, model: m, kernel: k, signature: sig('timeout', step.op.name, m, k) });
      break;
    }
    if (!agree) {
      const kind: DisagreementKind = k.startsWith('EXEC_') ? 'executor' : detail !== undefined ? 'identity' : 'result';
      const rule = model.rules[i];
      dis.push({
        kind, index: i, task: step.task, call, model: m, kernel: k,
        ...(rule !== undefined ? { rule } : {}), ...(detail !== undefined ? { detail } : {}),
        signature: sig(kind, step.op.name, m, k),
      });
    } else {
      observe(i, state);
    }
    // liveness after this step, of every namespace both sides have named so far
    const aliveNow = namespaces?.aliveAfter?.[i];
    if (aliveNow) {
      for (const [mk, kk] of nsIds.pairs()) {
        const kst = aliveNow[kk];
        if (livenessReported.has(mk) || (kst !== 'alive' && kst !== 'ESTALE')) continue;
        const modelAlive = !releasedIn(state)(mk);
        if (modelAlive === (kst === 'alive')) continue;
        livenessReported.add(mk);
        const ns = nsByKey(state, mk) ?? lastSeen(model, mk);
        const text = ns ? `${ns.type}:[${ns.inum}]` : mk;
        dis.push({
          kind: 'liveness', index: i, task: step.task, call: `liveness of ${text} after step ${i}`,
          model: modelAlive ? 'alive' : 'freed', kernel: kst === 'alive' ? 'alive' : 'freed (ESTALE)',
          detail: kst === 'alive' ? 'the kernel still has it after waiting; the model freed it' : 'the kernel freed it; the model keeps it alive',
          signature: sig('liveness', ns?.type ?? '?', modelAlive ? 'alive' : 'freed', kst === 'alive' ? 'alive' : 'freed'),
        });
      }
    }
  }

  // liveness at the end
  let liveness: ConformResult['liveness'] = { compared: 0, alive: 0, freed: 0, skipped: 'namespaces not recorded', settledMs: 0 };
  if (namespaces && !timedOut) {
    const final = model.states[model.states.length - 1]!;
    const pairs = nsIds.pairs();
    let compared = 0, alive = 0, freed = 0;
    const unsupported = Object.values(namespaces.alive).find((v) => v !== 'alive' && v !== 'ESTALE');
    for (const [m, k] of pairs) {
      if (livenessReported.has(m)) continue;
      const ns = nsByKey(final, m) ?? lastSeen(model, m);
      const kst = namespaces.alive[k];
      if (!ns || kst === undefined || (kst !== 'alive' && kst !== 'ESTALE')) continue;
      compared++;
      const modelAlive = !ns.freed && nsByKey(final, m) !== undefined;
      const kernelAlive = kst === 'alive';
      if (modelAlive) alive++;
      else freed++;
      if (modelAlive !== kernelAlive) {
        const text = `${ns.type}:[${ns.inum}]`;
        const first = firstSeen(namespaces.observations, k);
        dis.push({
          kind: 'liveness', index: steps.length, task: first?.task ?? '?', call: `liveness of ${text}${first ? ` (first seen ${first.index < 0 ? 'at the start' : `after step ${first.index}`}, ${first.task}'s ${first.entry})` : ''}`,
          model: modelAlive ? 'alive' : 'freed', kernel: kernelAlive ? 'alive' : 'freed (ESTALE)',
          detail: kernelAlive ? `the kernel still has it after waiting ${namespaces.settledMs} ms; the model freed it` : 'the kernel freed it; the model keeps it alive',
          signature: sig('liveness', ns.type, modelAlive ? 'alive' : 'freed', kernelAlive ? 'alive' : 'freed'),
        });
      }
    }
    liveness = unsupported !== undefined && compared === 0
      ? { compared, alive, freed, skipped: `open_by_handle_at: ${unsupported}`, settledMs: namespaces.settledMs }
      : { compared, alive, freed, settledMs: namespaces.settledMs };
  }
  return { steps: out, disagreements: dis, timedOut, liveness };
}

/** The last row a run's states hold for a namespace key (for the text of a freed one). */
function lastSeen(model: ModelRun, key: string): Namespace | undefined {
  for (let i = model.states.length - 1; i >= 0; i--) {
    const ns = nsByKey(model.states[i]!, key);
    if (ns) return { ...ns, freed: true };
  }
  return undefined;
}

function firstSeen(obs: readonly KernelNsObservation[], id: string): { index: number; task: string; entry: string } | undefined {
  for (const o of obs) {
    for (const [entry, v] of Object.entries(o.entries)) if ('id' in v && v.id === id) return { index: o.index, task: o.task, entry };
  }
  return undefined;
}

/**
 * Model-freed namespaces the kernel still shows alive after step `upTo` (or at the end): worth
 * asking the kernel again, since it puts some late (RCU).
 */
function expectDead(sem: Semantics, model: ModelRun, upTo: number) {
  return (alive: Readonly<Record<string, string>>, observations: readonly KernelNsObservation[]): boolean => {
    const now = model.states[Math.min(upTo + 1, model.states.length - 1)]!;
    const released = releasedIn(now);
    for (const o of observations) {
      if (o.index > upTo) continue;
      const state = model.states[o.index + 1];
      if (!state) continue;
      const mine = modelEntries(state, sem, o.task);
      if (!mine) continue;
      for (const [entry, k] of Object.entries(o.entries)) {
        const m = mine[entry];
        if (m === undefined || m === null || !('id' in k)) continue;
        if (released(m) && alive[k.id] === 'alive') return true;
      }
    }
    return false;
  };
}

/** Run steps on both sides and compare; a disagreement is checked by running the kernel again. */
export async function conformSteps(steps: readonly (ParsedStep & { readonly expect?: string })[], sem: Semantics, opts: ConformOptions = {}): Promise<Omit<ConformResult, 'variant'>> {
  const pidLevel = sandboxPidLevel();
  const t0 = process.hrtime.bigint();
  const model = runModel(steps, sem, { pidLevel });
  const t1 = process.hrtime.bigint();
  const withNs = opts.namespaces ?? true;
  const kernelRun = () => runTraceOnKernel(
    { steps: steps.map((s) => ({ task: s.task, op: s.op.name, args: { ...s.raw } })) },
    {
      stepTimeoutMs: opts.stepTimeoutMs ?? 5000,
      namespaces: withNs,
      ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
      ...(withNs ? {
        settle: expectDead(sem, model, steps.length), settleMs: opts.settleMs ?? 2000,
        settleStep: (i: number, alive: Readonly<Record<string, string>>, obs: readonly KernelNsObservation[]) => expectDead(sem, model, i)(alive, obs),
      } : {}),
    },
  );
  const kernel = await kernelRun();
  const t2 = process.hrtime.bigint();
  const c = compareRuns(steps, sem, model, kernel.results, kernel.namespaces);
  let notReproducible: ConformResult['notReproducible'];
  if (c.disagreements.length && (opts.recheck ?? true)) {
    const again = await kernelRun();
    const c2 = compareRuns(steps, sem, model, again.results, again.namespaces);
    const sigs = (d: readonly Disagreement[]) => d.map((x) => `${x.index} ${x.signature}`).sort().join('\n');
    if (sigs(c.disagreements) !== sigs(c2.disagreements)) notReproducible = { second: c2.disagreements };
  }
  return {
    ...c,
    agree: c.disagreements.length === 0,
    modelMs: Number(t1 - t0) / 1e6,
    kernelMs: Number(t2 - t1) / 1e6,
    kernelResults: kernel.results.map((r) => r.result),
    modelResults: model.results,
    pidLevel,
    ...(notReproducible ? { notReproducible } : {}),
  };
}

export async function conformTrace(trace: Trace, sem: Semantics, opts: ConformOptions = {}): Promise<ConformResult> {
  const r = await conformSteps(trace.steps, sem, opts);
  return { ...r, variant: sem.name, ...(trace.title !== undefined ? { title: trace.title } : {}) };
}

// ------------------------------------------------------------------ documented differences

/** test/regressions/model-differences.json: trace path (relative to the repository) → reason. */
export function loadDifferences(file = DIFFERENCES_FILE): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: must be a JSON object path → reason`);
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new Error(`${file}: the reason for ${k} must be a string`);
    out.set(path.resolve(REPO_ROOT, k), v);
  }
  return out;
}

export function documentedReason(differences: ReadonlyMap<string, string>, file: string): string | undefined {
  return differences.get(path.resolve(file));
}

/**
 * The signatures (kind, op, both results) of the disagreements the documented traces show on
 * this kernel: a random disagreement with one of these signatures is a documented one.
 */
export async function documentedSignatures(differences: ReadonlyMap<string, string>, opts: ConformOptions = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of differences.keys()) {
    if (!existsSync(file)) continue;
    const trace = readTrace(file);
    const r = await conformSteps(trace.steps, defaultSemantics(), opts);
    for (const d of r.disagreements) if (!out.has(d.signature)) out.set(d.signature, path.relative(REPO_ROOT, file));
  }
  return out;
}
