// All built-in variants by name: the history profiles, the unmerged designs and the mutants.

import { semanticsOf, VariantError, type VariantDef } from './define';
import { HISTORY, LINUX_6_18 } from './history';
import { MUTANTS, withBase } from './mutants';
import { DESIGNS } from './designs';
import type { Semantics } from '../semantics';

export const BUILTIN_VARIANTS: readonly VariantDef[] = [...HISTORY, ...DESIGNS, ...MUTANTS];
export const DEFAULT_VARIANT = LINUX_6_18;

export function builtinVariant(name: string): VariantDef | undefined {
  return BUILTIN_VARIANTS.find((v) => v.name === name);
}

/**
 * A variant from a file, on its base profile (VariantDef.base, default linux-6.18): the
 * profile's kernel version and known findings come with it.
 */
export function onBase(def: VariantDef): VariantDef {
  const baseName = def.base ?? DEFAULT_VARIANT.name;
  const base = HISTORY.find((v) => v.name === baseName);
  if (!base) throw new VariantError(`variant ${def.name}: no profile named "${baseName}" to base it on (one of ${HISTORY.map((v) => v.name).join(', ')})`);
  return withBase(def, base);
}

const cache = new Map<string, Semantics>();
/** Semantics of a built-in variant by name (cached). */
export function builtinSemantics(name: string): Semantics | undefined {
  let s = cache.get(name);
  if (!s) {
    const def = builtinVariant(name);
    if (!def) return undefined;
    s = semanticsOf(def);
    cache.set(name, s);
  }
  return s;
}

export const defaultSemantics = (): Semantics => builtinSemantics(DEFAULT_VARIANT.name)!;
