// Escaping for every output format the reports write. Anything that came from a trace (a title,
// a bind target, a hostname, a task name) or from a violation message passes through one of
// these before it reaches a file: DOT, HTML, XML or Markdown injection must be impossible, and
// characters that would act instead of showing (controls, bidi overrides such as U+202E, lone
// surrogates) are shown as visible `\uXXXX` in every medium (`visible`).

/**
 * The text with every character a terminal, a browser or a viewer would act on instead of
 * showing replaced by a visible `\uXXXX`: C0 and C1 controls (newline and tab kept unless
 * `oneLine`), DEL, bidi controls and lone surrogates. Inside a JSON string the escape is the same
 * character, so JSON stays valid and means the same.
 */
export function visible(s: string, oneLine = false): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\n\t]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    if ((c === '\n' || c === '\t') && !oneLine) return c;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * A DOT double-quoted string, delimiters included. Backslashes are doubled first, so input can
 * never form an escString sequence (`\N`, `\G`, `\l`); quotes are escaped; newlines become the
 * centred line break `\n`; other control characters are dropped. `&`, `<` and `>` become
 * entities: Graphviz decodes entities in ordinary labels, so the label shows exactly the input
 * (`&lt;` in a trace stays `&lt;` on screen) and its SVG writer escapes the text again.
 */
export function dotString(s: string): string {
  const body = visible(s)
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return `"${body}"`;
}

/** Lines of a DOT label, each escaped, joined by `\n`. */
export function dotLabel(lines: readonly string[]): string {
  return dotString(lines.join('\n'));
}

/** Text and attribute values for HTML and XML (the five special characters). */
export function html(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** XML 1.0 text or attribute: the five entities, minus characters XML cannot carry at all. */
export function xml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return html(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\uFFFD'));
}

/** Markdown inline text (tables and headings): HTML-special characters and Markdown punctuation. */
export function md(s: string): string {
  return html(visible(s, true).replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1').replace(/\r\n|\r|\n/g, ' '));
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function mdCode(raw: string, lang = ''): string {
  const text = visible(raw);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}
