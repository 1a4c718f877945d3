#!/usr/bin/env node
// The nscheck command line. Exit status: 0 all expectations met / no violation, 1 an
// expectation not met / a violation, 2 bad input or usage, 3 internal error, 130 interrupted.
//
// Commands are loaded only when used, so `nscheck --help` and a short replay start fast.

import { helpText, KNOWN_COMMANDS, parseCommand, didYouMean, quote, UsageError, type CommandSpec, type Parsed } from './args';
import { plain, stdio, type Out } from './term';

export { UsageError } from './args';
export type { Out } from './term';

export interface Command {
  readonly spec: CommandSpec;
  run(args: Parsed, io: Out): Promise<number>;
}

/** The commands, in the order the usage lists them, each loaded on first use. */
const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Command }>> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  check: { summary: 'search for a violation: random runs, or every trace up to a depth (--exhaustive)', load: () => (require('./commands/check') as typeof import('./commands/check')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  replay: { summary: 'run trace files through the model and check their expectations', load: () => (require('./commands/replay') as typeof import('./commands/replay')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  variants: { summary: 'list the built-in variants; --check runs the checker on each', load: () => (require('./commands/variants') as typeof import('./commands/variants')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  conform: { summary: 'run traces on the model and on the running kernel and compare them', load: () => (require('./commands/conform') as typeof import('./commands/conform')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  export: { summary: 'write a C program that reproduces a trace on the kernel', load: () => (require('./commands/export') as typeof import('./commands/export')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  diff: { summary: 'the shortest traces that tell two variants apart, grouped by behaviour change', load: () => (require('./commands/diff') as typeof import('./commands/diff')).command },
  scope: { summary: 'print a scope (the action space of a search) and how many actions it allows per state', load: () => (require('./commands/scope') as typeof import('./commands/scope')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  merge: { summary: 'combine the results of the shards of an exhaustive search into one verdict', load: () => (require('./commands/merge') as typeof import('./commands/merge')).command },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ops: { summary: 'list the operations of the trace format, with their arguments and results', load: () => (require('./commands/ops') as typeof import('./commands/ops')).command },
};
KNOWN_COMMANDS.push(...Object.keys(COMMANDS));

export function usage(): string {
  const width = Math.max('help [COMMAND]'.length, ...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'usage: nscheck <command> [options]',
    '',
    'An executable specification of Linux namespace semantics and a model checker around it.',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
    `  ${'help [COMMAND]'.padEnd(width)}this text, or a command's options`,
    '',
    'global options: --help, --version',
    'Run "nscheck help <command>" (or "nscheck <command> --help") for a command\'s options and defaults.',
  ].join('\n') + '\n';
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../model/package') as typeof import('../model/package')).packageVersion();
}

function command(name: string): Command {
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, name)) throw new UsageError(`unknown command ${quote(name)}${didYouMean(name, Object.keys(COMMANDS))}`);
  return COMMANDS[name]!.load();
}

/** Errors a user causes: one line, exit 2. */
function isInputError(e: unknown): boolean {
  const name = (e as { constructor?: { name?: string } } | null)?.constructor?.name;
  return e instanceof UsageError || name === 'InputError' || name === 'VariantError' || name === 'OutputError' || name === 'ScopeError';
}

export async function main(argv: readonly string[], given?: Out): Promise<number> {
  const io = given ? plain(given) : stdio();
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) {
      io.err(usage());
      return 2;
    }
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
      io.out(`nscheck ${version()}\n`);
      return 0;
    }
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      if (rest.length > 1) throw new UsageError('help takes one command name');
      if (rest[0] !== undefined) io.out(helpText(command(rest[0]).spec));
      else io.out(usage());
      return 0;
    }
    if (cmd.startsWith('-')) throw new UsageError(`unknown option ${quote(cmd)} before the command${didYouMean(cmd.replace(/^-+/, ''), ['help', 'version']).replace(/"([^"]+)"/, '"--$1"')}`);
    const c = command(cmd);
    const parsed = parseCommand(c.spec, rest);
    if (parsed.values.help) {
      io.out(helpText(c.spec));
      return 0;
    }
    return await c.run(parsed, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`nscheck: ${oneLine((e as Error).message)}\n`);
      if (e instanceof UsageError) io.err(`Run "nscheck help${cmd && Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? ` ${cmd}` : ''}" for usage.\n`);
      return 2;
    }
    io.err(`nscheck: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 3;
  }
}

/** An error message as one line of bounded length. */
function oneLine(s: string): string {
  const line = s.replace(/\s*\n\s*/g, ' ');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./signals') as typeof import('./signals')).installSignalHandlers();
  // A closed pipe (nscheck ... | head) ends the output quietly.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`nscheck: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
