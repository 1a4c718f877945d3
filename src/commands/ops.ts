// nscheck ops: the operations of the trace format, from the one table the model, the validator
// and the executor share (spec/ops.ts).

import { traceSchemaText } from '../../model/schema';
import { OPS, KIND_DOC } from '../../spec/ops';
import type { CommandSpec, Parsed } from '../args';
import type { Out } from '../term';

const spec: CommandSpec = {
  name: 'ops',
  summary: 'Lists every operation of the nscheck-trace/1 format with its arguments (kind, optional or not) and results.\nThe full format is in docs/trace-format.md.',
  options: {
    json: { type: 'bool', help: 'one JSON document on stdout' },
    schema: { type: 'bool', help: 'print the JSON Schema of trace files instead (docs/trace.schema.json)' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
};

async function run({ values }: Parsed, io: Out): Promise<number> {
  if (values.schema) {
    io.out(traceSchemaText());
    return 0;
  }
  if (values.json) {
    io.out(JSON.stringify({
      kinds: KIND_DOC,
      ops: OPS.map((o) => ({
        name: o.name, doc: o.doc, results: o.results,
        args: Object.entries(o.args).map(([name, a]) => ({ name, kind: a.kind, optional: a.optional === true })),
        ...(o.oneOf ? { oneOf: o.oneOf } : {}),
      })),
    }, null, 2) + '\n');
    return 0;
  }
  for (const o of OPS) {
    const args = Object.entries(o.args).map(([n, a]) => `${n}${a.optional ? '?' : ''}: ${a.kind}`).join(', ');
    io.out(`${o.name}(${args})\n    ${o.doc}\n    results: ${o.results}${o.oneOf ? `\n    needs: ${o.oneOf.map((g) => g.join(' and ')).join(', or ')}` : ''}\n`);
  }
  io.out('\nargument kinds:\n');
  for (const [k, d] of Object.entries(KIND_DOC)) io.out(`  ${k.padEnd(6)} ${d}\n`);
  return 0;
}

export const command = { spec, run };
