import type { Out } from './cli';
import { BUILTIN_VARIANTS } from '../spec/variants';
export async function variantsCommand(_argv: string[], io: Out): Promise<number> {
  for (const v of BUILTIN_VARIANTS) io.out(`${v.name.padEnd(12)} ${v.doc}\n`);
  return 0;
}
