// The variant API: a variant is a small object that names what it changes relative to a base
// (by default linux-6.18). It may disable guards, change their errno, switch named behaviours,
// or override entries of the namespace-type table (each override receives the entry it
// replaces, so it can wrap it). See README "Writing a variant".

import { NS_TABLE } from '../ns-types';
import type { NsTypeOps } from '../ns-types/ops';
import { isRuleName, type Errno, type RuleName } from '../rules';
import { buildSemantics, EFFECT_NAMES, type EffectName, type Semantics } from '../semantics';
import { NS_TYPES, type NsType } from '../state';

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
  /** what the checker should find: "holds", or the invariant a mutant must break */
  readonly expect?: 'holds' | { readonly violates: string };
  /**
   * Properties the real kernel of this profile is known to violate (a finding, with a trace in
   * test/regressions/findings/): random search under this variant does not stop on them.
   * Replay still judges them.
   */
  readonly knownFindings?: readonly string[];
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

/** Check a definition's names; throws VariantError with a one-line reason. */
export function validateVariant(def: VariantDef): void {
  if (typeof def.name !== 'string' || def.name === '') throw new VariantError('variant has no name');
  for (const r of def.disable ?? []) if (!isRuleName(r)) throw new VariantError(`variant ${def.name}: no rule named "${r}" (see spec/rules.ts)`);
  for (const r of Object.keys(def.errno ?? {})) if (!isRuleName(r)) throw new VariantError(`variant ${def.name}: no rule named "${r}" (see spec/rules.ts)`);
  for (const e of Object.keys(def.effects ?? {})) {
    if (!(EFFECT_NAMES as string[]).includes(e)) throw new VariantError(`variant ${def.name}: no behaviour named "${e}" (one of ${EFFECT_NAMES.join(', ')})`);
  }
  for (const t of Object.keys(def.nsTypes ?? {})) {
    if (!(NS_TYPES as readonly string[]).includes(t)) throw new VariantError(`variant ${def.name}: no namespace type "${t}"`);
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
  });
}

/** Identity helper for variant files: gives editor completion and type checking. */
export function defineVariant(def: VariantDef): VariantDef {
  return def;
}
