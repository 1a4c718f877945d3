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
 * The SVG as an element to inline in HTML: without the XML prolog, doctype and comments, and
 * checked, tag by tag, to carry nothing active: no script or foreignObject element, no event
 * handler attribute, no link. Labels are text between tags, which Graphviz escapes (`<` is
 * `&lt;`), so a label that merely reads like code (`x onerror=1`, `javascript:`) is shown, never
 * refused; the check looks at element and attribute names only.
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('Graphviz returned no <svg> element');
  // Graphviz's comments only repeat node names; dropping them keeps reports smaller
  const el = svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '').trimEnd();
  for (const tag of el.matchAll(/<\/?([A-Za-z][\w:.-]*)([^>]*)>/g)) {
    const name = tag[1]!.toLowerCase();
    if (name === 'script' || name === 'foreignobject' || name === 'iframe' || name === 'object' || name === 'embed') throw new Error(`refusing to inline an SVG with a <${name}> element`);
    // attribute names: the text before each =, outside the quoted values
    const attrs = tag[2]!.replace(/"[^"]*"|'[^']*'/g, '');
    for (const a of attrs.matchAll(/([^\s=/]+)\s*=/g)) {
      const an = a[1]!.toLowerCase();
      if (an.startsWith('on') || an === 'href' || an.endsWith(':href') || an === 'src' || an === 'style' && /url\(/i.test(tag[2]!)) throw new Error(`refusing to inline an SVG with a ${an}= attribute`);
    }
  }
  return el;
}
