// nscheck export TRACE --c [-o FILE]: a standalone C reproducer of a trace (model/export-c.ts).

import { TraceInputError } from '../model/executor/kernel';
import { exportC } from '../model/export-c';
import { InputError, readTrace } from '../model/trace';
import { writeAtomic } from './check-cmd';
import { parse, UsageError, type Out } from './cli';

const HELP = `usage: nscheck export TRACE --c [-o FILE] [--timeout MS]

Writes a standalone C program that reproduces the trace on the running kernel and checks every
step's result against the trace's expect, printing TAP (ok N / not ok N, expected and actual).
It builds its own sandbox (new mount, uts, ipc, net and pid namespaces, like the native executor,
whose code it embeds), so it cannot change the host. Compiles with "cc -Wall -Werror"; run it as
root. The program exits 0 when the kernel behaves as the trace expects, 1 when not, 2 when the
sandbox cannot be built. Without -o the program goes to standard output.
Exit 0 written, 2 usage or bad input.`;

export async function exportCommand(argv: string[], io: Out): Promise<number> {
  const { values, positionals } = parse(argv, {
    c: { type: 'boolean' }, output: { type: 'string', short: 'o' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP + '\n');
    return 0;
  }
  if (!values.c) throw new UsageError('export needs a target language: --c');
  if (positionals.length !== 1) throw new UsageError('export takes exactly one trace file');
  const file = positionals[0]!;
  let timeout = 5000;
  if (values.timeout !== undefined) {
    if (!/^\d+$/.test(values.timeout) || Number(values.timeout) < 100) throw new UsageError(`--timeout needs a whole number ≥ 100, not "${values.timeout}"`);
    timeout = Number(values.timeout);
  }
  const trace = readTrace(file);
  let text: string;
  try {
    text = exportC(trace, { source: file, stepTimeoutMs: timeout });
  } catch (e) {
    if (e instanceof TraceInputError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
  if (values.output !== undefined) {
    writeAtomic(values.output, text);
    io.err(`nscheck: wrote ${values.output} (${trace.steps.length} steps); build: cc -Wall -Werror -o repro ${values.output}\n`);
  } else {
    io.out(text);
  }
  return 0;
}
