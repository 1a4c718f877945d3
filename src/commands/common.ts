// Pieces every command shares.

import type { LoadedVariant } from '../../model/variants';
import { checkOutputDir, checkOutputFile } from '../../reports/write';
import type { Parsed } from '../args';

/** Check every output path before any work: a typo must not cost a long run. */
export function checkOutputs(v: Parsed['values'], dirs: readonly string[], files: readonly string[]): void {
  for (const d of dirs) if (typeof v[d] === 'string') checkOutputDir(v[d] as string, `--${d}`);
  for (const f of files) if (typeof v[f] === 'string') checkOutputFile(v[f] as string, `--${f}`);
}

/** What a variant expects of the checker: "holds", or the property it must break. */
export function expectedOf(v: LoadedVariant): string {
  const e = v.def.expect;
  return e === undefined || e === 'holds' ? 'holds' : e.violates;
}
