// nscheck export TRACE --c [-o FILE]: a standalone C reproducer of a trace (model/export-c.ts).

import { TraceInputError } from '../../model/executor/kernel';
import { exportC } from '../../model/export-c';
import { InputError, readTrace } from '../../model/trace';
import { writeFileAtomic } from '../../reports/write';
import { UsageError, type CommandSpec, type Parsed } from '../args';
import type { Out } from '../term';
import { checkOutputs } from './common';

const spec: CommandSpec = {
  name: 'export',
  positionals: { name: 'TRACE', min: 1, max: 1 },
  summary: `Writes a standalone C program that reproduces the trace on the running kernel and checks every step's result
against the trace's expect, printing TAP (ok N / not ok N, expected and actual), like the kernel selftests. It
builds its own sandbox (new mount, uts, ipc, net and pid namespaces, like the native executor, whose code it
embeds), so it cannot change the host. Compiles with "cc -Wall -Werror"; run it as root. The program exits 0
when the kernel behaves as the trace expects, 1 when not, 2 when the sandbox cannot be built, 4 (kselftest's
skip) when not root. Without -o the program goes to standard output.`,
  options: {
    c: { type: 'bool', help: 'the target language: C (the only one)' },
    output: { type: 'string', arg: 'FILE', short: 'o', help: 'write the program here' },
    timeout: { type: 'int', arg: 'MS', default: 5000, min: 100, max: 600000, help: 'per-step timeout in the program' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
  details: 'Exit 0 written, 2 usage or bad input.',
};

async function run({ values, positionals }: Parsed, io: Out): Promise<number> {
  if (!values.c) throw new UsageError('export needs a target language: --c');
  const file = positionals[0]!;
  checkOutputs(values, [], ['output']);
  const trace = readTrace(file);
  let text: string;
  try {
    text = exportC(trace, { source: file, stepTimeoutMs: values.timeout as number });
  } catch (e) {
    if (e instanceof TraceInputError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
  if (typeof values.output === 'string') {
    writeFileAtomic(values.output, text);
    io.err(`nscheck: wrote ${values.output} (${trace.steps.length} steps); build: cc -Wall -Werror -o repro ${values.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

export const command = { spec, run };
