// Resolving a variant argument: a built-in name, or a TypeScript/JavaScript file exporting a
// VariantDef (default export, or `variant`). Problems become one-line VariantErrors.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { semanticsOf, validateVariant, VariantError, type VariantDef } from '../spec/variants/define';
import { BUILTIN_VARIANTS, builtinVariant } from '../spec/variants';
import type { Semantics } from '../spec/semantics';

export function looksLikeFile(arg: string): boolean {
  return arg.includes('/') || /\.(ts|js|cjs)$/.test(arg);
}

export function loadVariantFile(file: string): VariantDef {
  const path = resolve(file);
  if (!existsSync(path)) throw new VariantError(`${file}: no such variant file`);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path) as Record<string, unknown>;
  } catch (e) {
    const first = String((e as Error).message ?? e).split('\n')[0];
    throw new VariantError(`${file}: does not load: ${first}`);
  }
  const def = (mod.default ?? mod.variant) as VariantDef | undefined;
  if (!def || typeof def !== 'object') throw new VariantError(`${file}: exports no variant (export default defineVariant({...}))`);
  try {
    validateVariant(def);
  } catch (e) {
    throw new VariantError(`${file}: ${(e as Error).message}`);
  }
  return def;
}

export function resolveVariant(arg: string): { def: VariantDef; sem: Semantics } {
  const def = looksLikeFile(arg) ? loadVariantFile(arg) : builtinVariant(arg);
  if (!def) throw new VariantError(`unknown variant "${arg}" (built-in: ${BUILTIN_VARIANTS.map((v) => v.name).join(', ')})`);
  return { def, sem: semanticsOf(def) };
}
