// DOT → SVG in-process with @hpcc-js/wasm-graphviz (Graphviz 16.1 compiled to WebAssembly; no
// system Graphviz needed). The package is ESM-only; Node 20.20 loads it from CommonJS through
// require(esm). The WebAssembly instance is loaded once and cached for the process.

import { Graphviz } from '@hpcc-js/wasm-graphviz';

let instance: Promise<Graphviz> | undefined;

/** The cached Graphviz instance (loaded on first use). */
export function graphviz(): Promise<Graphviz> {
  instance ??= Graphviz.load().catch((e: unknown) => {
    instance = undefined; // let a later call retry
    throw e;
  });
  return instance;
}

/** Render DOT to a standalone SVG document. */
export async function renderSvg(dot: string): Promise<string> {
  return (await graphviz()).dot(dot, 'svg');
}

/**
 * The SVG as an element to inline in HTML: without the XML prolog, doctype and comments, and checked to
 * carry nothing active. Graphviz writes labels as escaped text and the DOT never sets URL,
 * href or similar attributes, so this check can only fail if that stops being true.
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('Graphviz returned no <svg> element');
  // Graphviz's comments only repeat node names; dropping them keeps reports smaller
  const el = svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '').trimEnd();
  if (/<script|<foreignObject|\son[a-z]+\s*=|href\s*=|javascript:/i.test(el)) throw new Error('refusing to inline an SVG with active content');
  return el;
}
