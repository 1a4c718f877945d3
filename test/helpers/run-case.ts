// Running one fuzz case through the command line (in-process), and judging the outcome: a
// legitimate 0 or 1, or 2 with one line on stderr; never 3, a stack trace, or several lines.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli';
import type { FuzzCase } from './hostile';

export type Outcome = 'ok' | 'mismatch' | 'rejected' | 'crash' | 'noisy';

export interface Judged {
  readonly outcome: Outcome;
  readonly code: number;
  readonly err: string;
}

export async function runCase(c: FuzzCase, dir: string, n: number): Promise<Judged> {
  const file = join(dir, `case-${n}.trace.json`);
  writeFileSync(file, c.text);
  const report = join(dir, `report-${n}`);
  let out = '';
  let err = '';
  const code = await main(['replay', file, ...(c.report ? ['--report', report, '--summary', join(report, 's.md'), '--junit', join(report, 'j.xml')] : [])], {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
  });
  rmSync(file, { force: true });
  if (c.report) rmSync(report, { recursive: true, force: true });
  const lines = err.trim() === '' ? 0 : err.trim().split('\n').length;
  if (code === 3 || / {4}at /.test(err) || / {4}at /.test(out) || err.includes('internal error')) return { outcome: 'crash', code, err };
  if (code === 2) return { outcome: lines === 1 ? 'rejected' : 'noisy', code, err };
  if (code === 0) return { outcome: 'ok', code, err };
  if (code === 1) return { outcome: 'mismatch', code, err };
  return { outcome: 'crash', code, err };
}

export function scratch(base: string): string {
  mkdirSync(base, { recursive: true });
  return base;
}
