// Documents that must stay true: the trace format's op table and JSON Schema against the op
// table of the model, the schema against the corpus, the README's "Not modelled" list against
// the spec, the corpus counts of test/regressions/README.md against the corpus.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { traceSchema, traceSchemaText } from '../model/schema';
import { OPS } from '../spec/ops';
import { NOT_MODELLED } from '../spec/not-modelled';

const ROOT = path.resolve(__dirname, '..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

function traceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...traceFiles(p));
    else if (e.endsWith('.trace.json')) out.push(p);
  }
  return out;
}

test('docs/trace-format.md lists every op with exactly its arguments', () => {
  const full = read('docs/trace-format.md');
  const start = full.indexOf('## Operations');
  assert.ok(start >= 0, 'docs/trace-format.md has an "## Operations" section');
  const doc = full.slice(start, full.indexOf('\n## ', start + 5));
  const rows = new Map<string, string[]>();
  for (const m of doc.matchAll(/^\| `([a-z_]+)` \|([^|]*)\|/gm)) {
    const args = [...m[2]!.matchAll(/`([a-z]+)(\??)`: [a-z]+/g)].map((a) => `${a[1]}${a[2]}`);
    rows.set(m[1]!, args);
  }
  for (const op of OPS) {
    const want = Object.entries(op.args).map(([n, a]) => `${n}${a.optional ? '?' : ''}`);
    assert.ok(rows.has(op.name), `docs/trace-format.md has no row for ${op.name}`);
    assert.equal(rows.get(op.name), want, `docs/trace-format.md: the arguments of ${op.name}`);
  }
  for (const name of rows.keys()) assert.ok(OPS.some((o) => o.name === name), `docs/trace-format.md documents ${name}, which is not an op`);
});

test('docs/trace.schema.json is the schema the op table gives (nscheck ops --schema > docs/trace.schema.json)', () => {
  assert.is(read('docs/trace.schema.json'), traceSchemaText());
});

test('the JSON Schema accepts every trace of the corpus and rejects malformed ones', () => {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  const validate = ajv.compile(traceSchema() as object);
  const files = [...traceFiles(path.join(ROOT, 'test', 'regressions')), ...traceFiles(path.join(ROOT, 'spec', 'variants', 'controls'))];
  assert.ok(files.length > 300);
  for (const f of files) {
    const ok = validate(JSON.parse(readFileSync(f, 'utf8')));
    assert.ok(ok, `${path.relative(ROOT, f)}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
  }
  const bad: unknown[] = [
    { format: 'nscheck-trace/2', steps: [] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'frobnicate' }] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'fork' }] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'unshare', args: { flags: ['CLONE_BOGUS'] } }] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'unshare', args: { flags: 4294967296 } }] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'close', args: { fd: 'x', extra: 1 } }] },
    { format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'getpid', expect: 'maybe' }] },
    { format: 'nscheck-trace/1', steps: [], bogus: 1 },
  ];
  for (const doc of bad) assert.not.ok(validate(doc), `the schema accepts ${JSON.stringify(doc)}`);
});

test('the README\'s "Not modelled" list is spec/not-modelled.ts', () => {
  const readme = read('README.md');
  const start = readme.indexOf('### Not modelled');
  assert.ok(start >= 0, 'README.md has a "### Not modelled" section');
  const section = readme.slice(start, readme.indexOf('\n#', start + 5));
  const items = [...section.matchAll(/^- \*\*(.+?)\*\*: (.+)$/gm)].map((m) => ({ what: m[1], why: m[2] }));
  assert.equal(items, NOT_MODELLED.map((o) => ({ what: o.what, why: o.why })));
});

test('test/regressions/README.md counts the traces there are', () => {
  const readme = read('test/regressions/README.md');
  const dir = path.join(ROOT, 'test', 'regressions');
  const subdirs = readdirSync(dir).filter((d) => statSync(path.join(dir, d)).isDirectory());
  for (const d of subdirs) {
    const count = traceFiles(path.join(dir, d)).length;
    const m = new RegExp(`^\\| \`${d}/\` \\| (\\d+) \\|`, 'm').exec(readme);
    assert.ok(m, `test/regressions/README.md has no row for ${d}/`);
    assert.is(Number(m![1]), count, `test/regressions/README.md: ${d}/ has ${count} traces`);
  }
});

test.run();
