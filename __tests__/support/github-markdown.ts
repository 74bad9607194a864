import { execFileSync } from 'node:child_process';
import { load, type CheerioAPI } from 'cheerio';

/**
 * Markdown rendered as GitHub renders a job summary: cmark-gfm, GitHub's fork of cmark
 * (Debian package cmark-gfm), with GitHub's extensions, and raw HTML kept, as GitHub keeps
 * it until its sanitizer; so an element that user data made would show here.
 */
export function renderAsGitHub(markdown: string): string {
  const extensions = ['table', 'strikethrough', 'autolink', 'tagfilter', 'tasklist'];
  try {
    return execFileSync(
      'cmark-gfm',
      ['--unsafe', '--github-pre-lang', ...extensions.flatMap((name) => ['-e', name])],
      { input: markdown, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'cmark-gfm is not installed; `npm run setup` installs it (Debian package cmark-gfm)',
        { cause: error },
      );
    }
    throw error;
  }
}

/** The rendered summary, to query with CSS selectors. */
export function summaryDom(markdown: string): CheerioAPI {
  return load(renderAsGitHub(markdown));
}

/** The elements the summary itself is made of; any other one came from user data. */
const SUMMARY_ELEMENTS = [
  'html',
  'head',
  'body', // cheerio's document
  'h2',
  'h3',
  'p',
  'strong',
  'em',
  'a',
  'code',
  'pre',
  'ul',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
];
/** The attributes the summary's own elements carry. */
const SUMMARY_ATTRIBUTES = ['href', 'align', 'lang'];

/** Every element or attribute of the rendered summary that the summary itself does not make. */
export function foreignMarkup($: CheerioAPI): string[] {
  const foreign: string[] = [];
  for (const element of $('*').toArray() as Array<{ tagName: string; attribs: object }>) {
    const { tagName, attribs } = element;
    if (!SUMMARY_ELEMENTS.includes(tagName)) foreign.push(`<${tagName}>`);
    for (const name of Object.keys(attribs)) {
      if (!SUMMARY_ATTRIBUTES.includes(name)) foreign.push(`<${tagName} ${name}>`);
    }
  }
  $('a').each((_, link) => {
    const href = $(link).attr('href') ?? '';
    if (!href.startsWith('https://github.com/')) foreign.push(`<a href="${href}">`);
  });
  return foreign;
}

/** A table's rows (header row first) as the text of their cells. */
export function tableRows($: CheerioAPI, tableElement: Parameters<CheerioAPI>[0]): string[][] {
  return $(tableElement)
    .find('tr')
    .toArray()
    .map((row) =>
      $(row)
        .children('th, td')
        .toArray()
        .map((cell) => $(cell).text()),
    );
}

/** The text of the summary's section headings, in order. */
export function headings($: CheerioAPI): string[] {
  return $('h3')
    .toArray()
    .map((heading) => $(heading).text());
}

/** The table that follows the heading with this text. */
export function tableAfter($: CheerioAPI, heading: string): string[][] {
  const title = $('h3')
    .filter((_, element) => $(element).text() === heading)
    .first();
  if (title.length === 0) throw new Error(`no heading "${heading}" in the summary`);
  return tableRows($, title.nextAll('table').first());
}

/** The text of the first paragraph that starts with `start`, or '' when there is none. */
export function paragraph($: CheerioAPI, start: string): string {
  return (
    $('p')
      .toArray()
      .map((element) => $(element).text())
      .find((text) => text.startsWith(start)) ?? ''
  );
}
