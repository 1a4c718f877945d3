// The variant API: a variant is a small object that names what it changes relative to a base
// profile (by default linux-6.18). It may disable guards, change their errno, switch named
// behaviours, override entries of the namespace-type table, replace any of the kernel functions
// in spec/hooks.ts (references, allocation, the comparisons in rules, exit and reaping), and
// scale the kernel's limits down. Every override receives what it replaces, so it can wrap it.
// See docs/variants.md.

import { HOOK_NAMES, type HookOverrides } from '../hooks';
import { NS_TABLE } from '../ns-types';
import type { NsTypeOps } from '../ns-types/ops';
import { ERRNOS, isRuleName, type Errno, type RuleName } from '../rules';
import { buildSemantics, EFFECT_NAMES, KERNEL_LIMITS, type EffectName, type Limits, type Semantics } from '../semantics';
import { NS_TYPES, type NsType, type State } from '../state';

export type { HookOverrides, HookOverride, Hooks, HookName } from '../hooks';
export type { NsTypeOps, NsSet, CreateRequest, CreateCall } from '../ns-types/ops';
export type { Limits, Semantics, Failure } from '../semantics';
export type { Call, Tx, Outcome } from '../tx';
export type { State, Namespace, Task, NsId, TaskId } from '../state';

/** What a known finding's matcher sees of a violation (properties/types.ts Violation). */
export interface ViolationLike {
  readonly message: string;
  /** `kind:id` of the objects involved: `task:3`, `ns:4`, `fs:2`, ... */
  readonly objects: readonly string[];
}

/**
 * A behaviour of the real kernel that breaks a property (a finding, with a trace in
 * test/regressions/findings/). Search under the variant does not stop on it: only the violations
 * `matches` accepts are muted, so the property stays checked for everything else.
 */
export interface KnownFinding {
  readonly property: string;
  /** one sentence: what the kernel does */
  readonly doc: string;
  /** the trace that shows it */
  readonly trace?: string;
  /** which violations are this finding (default: every violation of the property) */
  readonly matches?: (violation: ViolationLike, state: State) => boolean;
}

export type NsTypeOverride = { readonly [K in keyof NsTypeOps]?: (base: NsTypeOps) => NsTypeOps[K] };

export interface VariantDef {
  /** a short name, e.g. "linux-3.8" or "M10a" */
  readonly name: string;
  /** one sentence: what the variant is */
  readonly doc: string;
  /** kernel version as major*1000+minor (default 6018) */
  readonly kernel?: number;
  /** guards (spec/rules.ts) that do not exist in this variant */
  readonly disable?: readonly RuleName[];
  /** guards that return another errno */
  readonly errno?: Readonly<Partial<Record<RuleName, Errno>>>;
  /** named behaviours (spec/semantics.ts EFFECTS) switched on or off */
  readonly effects?: Readonly<Partial<Record<EffectName, boolean>>>;
  /** entries of the namespace-type table replaced; each gets the entry it replaces */
  readonly nsTypes?: Readonly<Partial<Record<NsType, NsTypeOverride>>>;
  /** kernel functions replaced (spec/hooks.ts); each gets the function it replaces and the table */
  readonly hooks?: HookOverrides;
  /** the kernel's limits, scaled (small-scope constants) */
  readonly limits?: Partial<Limits>;
  /** a built-in profile this variant changes (default linux-6.18): its kernel version and known findings */
  readonly base?: string;
  /** what the checker should find: "holds", or the invariant a mutant must break */
  readonly expect?: 'holds' | { readonly violates: string };
  /**
   * Properties the real kernel of this profile is known to violate (a finding, with a trace in
   * test/regressions/findings/): random search under this variant does not stop on them.
   * Replay still judges them.
   */
  readonly knownFindings?: readonly (string | KnownFinding)[];
  /**
   * An explicit trace (path from the repository root) that must break `expect.violates` under
   * this variant: the negative control for a mutant random search cannot reach in its budget
   * (33 nested namespaces, say). The test gate and `variants --check` fall back to it.
   */
  readonly control?: string;
  /** where the variant comes from (a digest row, a commit) */
  readonly source?: string;
}

export class VariantError extends Error {}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The entries of a namespace type a variant may override: its functions (install and getParent are optional). */
const OVERRIDABLE: readonly string[] = [...new Set(['install', 'getParent', ...NS_TABLE.flatMap((b) => Object.keys(b).filter((k) => typeof (b as unknown as Record<string, unknown>)[k] === 'function'))])];

/** Check a definition's names and shapes; throws VariantError with a one-line reason. */
export function validateVariant(def: VariantDef): void {
  if (!isPlainObject(def)) throw new VariantError('a variant must be an object');
  if (typeof def.name !== 'string' || def.name === '' || def.name.length > 100) throw new VariantError('variant has no name (a string of at most 100 characters)');
  if (typeof def.doc !== 'string') throw new VariantError(`variant ${def.name}: "doc" must be a string`);
  if (def.kernel !== undefined && (typeof def.kernel !== 'number' || !Number.isInteger(def.kernel) || def.kernel < 2006 || def.kernel > 99999)) throw new VariantError(`variant ${def.name}: "kernel" must be a version as major*1000+minor (6018)`);
  for (const k of ['disable', 'knownFindings'] as const) if (def[k] !== undefined && !Array.isArray(def[k])) throw new VariantError(`variant ${def.name}: "${k}" must be a list`);
  for (const k of ['errno', 'effects', 'nsTypes', 'hooks', 'limits'] as const) if (def[k] !== undefined && !isPlainObject(def[k])) throw new VariantError(`variant ${def.name}: "${k}" must be an object`);
  for (const h of Object.keys(def.hooks ?? {})) {
    if (!(HOOK_NAMES as readonly string[]).includes(h)) throw new VariantError(`variant ${def.name}: no hook named "${h}" (one of ${HOOK_NAMES.join(', ')})`);
    if (typeof (def.hooks as Record<string, unknown>)[h] !== 'function') throw new VariantError(`variant ${def.name}: hook "${h}" must be a function (base) => replacement`);
  }
  for (const [k, v] of Object.entries(def.limits ?? {})) {
    if (!own(KERNEL_LIMITS, k)) throw new VariantError(`variant ${def.name}: no limit named "${k}" (one of ${Object.keys(KERNEL_LIMITS).join(', ')})`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new VariantError(`variant ${def.name}: limit "${k}" must be a whole number`);
  }
  for (const f of def.knownFindings ?? []) {
    if (typeof f === 'string') continue;
    if (!isPlainObject(f) || typeof f.property !== 'string' || typeof f.doc !== 'string' || (f.matches !== undefined && typeof f.matches !== 'function')) {
      throw new VariantError(`variant ${def.name}: a known finding is a property name or {property, doc, matches?}`);
    }
  }
  for (const r of def.disable ?? []) if (!isRuleName(r)) throw new VariantError(`variant ${def.name}: no rule named "${r}" (see spec/rules.ts)`);
  for (const [r, e] of Object.entries(def.errno ?? {})) {
    if (!isRuleName(r)) throw new VariantError(`variant ${def.name}: no rule named "${r}" (see spec/rules.ts)`);
    if (!(ERRNOS as readonly unknown[]).includes(e)) throw new VariantError(`variant ${def.name}: errno of rule "${r}" must be one of ${ERRNOS.join(', ')}`);
  }
  for (const [e, v] of Object.entries(def.effects ?? {})) {
    if (!(EFFECT_NAMES as string[]).includes(e)) throw new VariantError(`variant ${def.name}: no behaviour named "${e}" (one of ${EFFECT_NAMES.join(', ')})`);
    if (typeof v !== 'boolean') throw new VariantError(`variant ${def.name}: behaviour "${e}" must be true or false`);
  }
  for (const [t, entry] of Object.entries(def.nsTypes ?? {})) {
    const base = NS_TABLE.find((b) => b.name === t);
    if (!base) throw new VariantError(`variant ${def.name}: no namespace type "${t}" (one of ${NS_TYPES.join(', ')})`);
    if (!isPlainObject(entry)) throw new VariantError(`variant ${def.name}: nsTypes.${t} must be an object of overrides`);
    for (const [k, make] of Object.entries(entry)) {
      if (!OVERRIDABLE.includes(k)) throw new VariantError(`variant ${def.name}: nsTypes.${t} has no entry "${k}" to override (one of ${OVERRIDABLE.join(', ')})`);
      if (typeof make !== 'function') throw new VariantError(`variant ${def.name}: nsTypes.${t}.${k} must be a function (base) => replacement`);
    }
  }
}

export function semanticsOf(def: VariantDef): Semantics {
  validateVariant(def);
  const types = NS_TABLE.map((base) => {
    const o = def.nsTypes?.[base.name];
    if (!o) return base;
    const out: Record<string, unknown> = { ...base };
    for (const [k, make] of Object.entries(o)) if (typeof make === 'function') out[k] = make(base);
    return out as unknown as NsTypeOps;
  });
  return buildSemantics({
    name: def.name,
    doc: def.doc,
    kernel: def.kernel ?? 6018,
    disable: def.disable ?? [],
    errno: def.errno ?? {},
    effects: def.effects ?? {},
    types,
    ...(def.hooks ? { hooks: def.hooks } : {}),
    ...(def.limits ? { limits: def.limits } : {}),
  });
}

/** Identity helper for variant files: gives editor completion and type checking. */
export function defineVariant(def: VariantDef): VariantDef {
  return def;
}

/** A known finding in its full form (a bare property name mutes every violation of it). */
export function knownFinding(f: string | KnownFinding): KnownFinding {
  return typeof f === 'string' ? { property: f, doc: `every violation of ${f} (a known finding)` } : f;
}
