import type { Out } from './cli';
import { UsageError } from './cli';
export async function checkCommand(_argv: string[], _io: Out): Promise<number> {
  throw new UsageError('check: not yet implemented');
}
