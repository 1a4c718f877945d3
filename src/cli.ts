// The nscheck command line. Exit status: 0 all expectations met / no violation, 1 an
// expectation not met / a violation, 2 bad input or usage, 3 internal error.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../model/trace';
import { VariantError } from '../spec/variants/define';
import { replayCommand } from './replay-cmd';
import { checkCommand } from './check-cmd';
import { variantsCommand } from './variants-cmd';

export class UsageError extends Error {}

export const USAGE = `usage: nscheck <command> [options]

commands:
  check                 explore random syscall sequences; shrink and save any violation
  replay TRACE...       run trace files through the model and check their expectations
  variants [--check]    list the variants (history profiles, mutants); --check runs the checker on each
  conform TRACE...      run traces on the model and the running kernel and compare them (--random N: random traces)
  export TRACE --c      write a standalone C program that reproduces the trace and checks every step
  help                  this text

Run "nscheck <command> --help" for the options of a command.`;

export type Out = { out: (s: string) => void; err: (s: string) => void };
const std: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

export async function main(argv: string[], io: Out = std): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'replay':
        return await replayCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'variants':
        return await variantsCommand(rest, io);
      case 'conform': return await (require('./conform-cmd') as typeof import('./conform-cmd')).conformCommand(rest, io);
      case 'export': return await (require('./export-cmd') as typeof import('./export-cmd')).exportCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`nscheck: ${e.message}\n${USAGE.split('\n')[0]}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof VariantError) {
      io.err(`nscheck: ${e.message}\n`);
      return 2;
    }
    io.err(`nscheck: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
}
