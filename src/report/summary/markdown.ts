import { longestBacktickRun } from '../../runner/text.js';

// The pieces of GitHub-flavoured Markdown the summary is built of. Text passed in is already
// escaped (escapeMarkdown) unless a function says otherwise.

export function cells(values: string[]): string {
  return `| ${values.join(' | ')} |`;
}

/** A table; `align` has one `l` or `r` per column. */
export function table(header: string[], align: string, rows: string[][]): string {
  const rule = `|${[...align].map((side) => (side === 'r' ? '--:|' : '---|')).join('')}`;
  return [cells(header), rule, ...rows.map(cells)].join('\n');
}

/**
 * A collapsed block. `summary` goes into raw HTML, where Markdown escapes do not apply: it
 * must hold no user data. The blank lines let GitHub render `body` as Markdown.
 */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A fenced code block of any text, its fence longer than any run of backticks in it. */
export function codeBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
