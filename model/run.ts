// Running steps with every invariant and transition property checked after each one. The
// replay command, the checker and the reports all step through here.
//
// A step that throws inside the semantics (a variant's hook, or a model bug) is not a crash of
// the tool: it is rolled back and reported as the property ModelError, with the exception's
// message, and is shrunk and saved like any other counterexample.

import { INVARIANTS, TRANSITIONS, type Violation } from '../properties';
import { execStep, resultText, type ParsedStep, type StepExec } from '../spec/ops';
import type { Semantics } from '../spec/semantics';
import type { State, World } from '../spec/state';
import { TABLE_BIT, type Outcome } from '../spec/tx';
import { knownFinding, type KnownFinding } from '../spec/variants/define';
import { stateBefore } from '../spec/world';

export interface PropertyFailure {
  readonly property: string;
  readonly violation: Violation;
}

/** The pseudo-property of a step whose semantics threw, and the result text such a step has. */
export const MODEL_ERROR = 'ModelError';

export interface StepResult {
  /** the outcome; null when the semantics threw */
  readonly outcome: Outcome | null;
  /** the result in the trace notation: ok, an errno, key=value, or ModelError */
  readonly result: string;
  /** the state after the step (the world the step ran in) */
  readonly after: State;
  /** the first broken property, in registry order */
  readonly broken?: PropertyFailure;
  /** every property broken by this step */
  readonly allBroken: readonly PropertyFailure[];
}

const NONE: readonly PropertyFailure[] = [];

/** The first line of an exception's message, at most 300 characters. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Findings a search does not stop on (VariantDef.knownFindings), in their full form. */
export type Muted = readonly (string | KnownFinding)[];

/**
 * The first violation of an invariant that no known finding explains: with muted findings for
 * it, every violation the invariant reports is tried against their matchers.
 */
function unmuted(inv: (typeof INVARIANTS)[number], state: State, sem: Semantics, muted: readonly KnownFinding[]): Violation | undefined {
  const mine = muted.filter((f) => f.property === inv.name);
  if (mine.length === 0) return inv.check(state, sem);
  if (mine.some((f) => f.matches === undefined)) return undefined;
  const all = inv.violations ? inv.violations(state, sem) : [inv.check(state, sem)].filter((v): v is Violation => v !== undefined);
  for (const v of all) if (!mine.some((f) => f.matches!(v, state))) return v;
  return undefined;
}

/** Each invariant's read set as table bits (all bits: it reads everything). */
const READ_MASKS: readonly number[] = INVARIANTS.map((inv) => (inv.reads ? inv.reads.reduce((m, t) => m | TABLE_BIT[t], 0) : 0xff));

/**
 * The state invariants broken in `world` (muted findings aside). With `touched` (the table bits
 * the last step wrote, the state before it having held every invariant) an invariant that reads
 * none of those tables is skipped.
 */
export function checkState(sem: Semantics, world: State, mutes: readonly KnownFinding[], touched?: number): PropertyFailure[] | undefined {
  let out: PropertyFailure[] | undefined;
  for (let i = 0; i < INVARIANTS.length; i++) {
    const inv = INVARIANTS[i]!;
    if (touched !== undefined && (READ_MASKS[i]! & touched) === 0) continue;
    const v = mutes.length ? unmuted(inv, world, sem, mutes) : inv.check(world, sem);
    if (v) (out ??= []).push({ property: inv.name, violation: v });
  }
  return out;
}

/** The transition properties broken by one executed step (muted findings aside). */
export function checkEdge(sem: Semantics, world: State, step: ParsedStep, exec: StepExec, mutes: readonly KnownFinding[], into?: PropertyFailure[]): PropertyFailure[] | undefined {
  const { outcome, tx } = exec;
  let out = into;
  let before: State | undefined;
  const view = {
    get before() {
      return (before ??= stateBefore(world, tx));
    },
    after: world, step, outcome, sem, changes: tx.changes,
  };
  for (const t of TRANSITIONS) {
    const v = t.check(view);
    if (v && !mutes.some((f) => f.property === t.name && (f.matches === undefined || f.matches(v, world)))) (out ??= []).push({ property: t.name, violation: v });
  }
  return out;
}

/** The ModelError failure of a step whose semantics threw. */
export function modelError(step: ParsedStep, e: unknown): PropertyFailure {
  return { property: MODEL_ERROR, violation: { message: `the semantics threw during ${step.task}: ${step.op.name}: ${errorText(e)}`, objects: [] } };
}

/** Whether a step wrote anything (an unchanged state was checked when it was made). */
export function changedState(exec: StepExec): boolean {
  return exec.tx.changes.length > 0 || exec.tx.touchedNames;
}

/** Run one step in `world` and check every property (muted findings aside). */
export function runChecked(sem: Semantics, world: World, step: ParsedStep, muted: Muted = [], incremental = false): StepResult {
  const mutes = muted.map(knownFinding);
  let exec: StepExec;
  try {
    exec = execStep(sem, world, step);
  } catch (e) {
    const failure = modelError(step, e);
    return { outcome: null, result: MODEL_ERROR, after: world, broken: failure, allBroken: [failure] };
  }
  const out = checkEdge(sem, world, step, exec, mutes, changedState(exec) ? checkState(sem, world, mutes, incremental ? exec.tx.touched : undefined) : undefined);
  const result = resultText(exec.outcome);
  const first = out?.[0];
  return first ? { outcome: exec.outcome, result, after: world, broken: first, allBroken: out! } : { outcome: exec.outcome, result, after: world, allBroken: NONE };
}
