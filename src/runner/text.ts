// Characters that would let user data (object keys come from whoever writes to the bucket)
// break a log line or a table, or hide what it says: C0/C1 controls, format characters such
// as bidi overrides and zero-width spaces, line and paragraph separators, lone surrogates.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * The text with every invisible or line-breaking character shown as a visible stand-in:
 * C0 controls as their Unicode control pictures (`␊` for a newline), others as `⟨U+202E⟩`.
 * A key printed this way stays on one line, so it can never start a workflow command.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20) return String.fromCodePoint(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  });
}

// Punctuation that can start inline Markdown or HTML (code, emphasis, links, tags, entities,
// strikethrough, math) or end a table cell. A backslash makes each one literal in GFM.
const MARKDOWN_ACTIVE = /[\\`*_[\]<>&~|$!#]/g;

/** User text made safe for a Markdown table cell or line: literal, visible, one line. */
export function escapeMarkdown(text: string): string {
  return visible(text).replace(MARKDOWN_ACTIVE, (char) => `\\${char}`);
}

/**
 * User text as an inline code span: shown literally, as GitHub renders nothing inside one
 * (no emphasis, HTML or link, not even the links it makes of bare URLs and e-mail addresses,
 * which no escape prevents). Visible and on one line; in a table cell, pipes are escaped,
 * which GitHub undoes inside the span.
 */
export function codeSpan(text: string, { inTable = false } = {}): string {
  const shown = inTable ? visible(text).replace(/\|/g, '\\|') : visible(text);
  if (shown === '') return '';
  const fence = '`'.repeat(longestBacktickRun(shown) + 1);
  // A span's first and last space are dropped when both are there, so pad to keep them,
  // and to keep a backtick at either end from joining the fence.
  const pad = /^`|`$/.test(shown) || /^ [^]* $/.test(shown) ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** The length of the longest run of backticks in the text, for a fence longer than it. */
export function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/** At most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
