import { describe, expect, it } from '@jest/globals';
import GithubSlugger from 'github-slugger';
import { readme } from '../support/readme.js';

// README is long: the contents line near its top must lead to every section, by the
// anchors GitHub gives its headings.
const headings = [...readme.matchAll(/^## (.+)$/gm)].map(([, text]) => text);
const contents = readme.split('\n').find((line) => line.startsWith('**Contents:**')) ?? '';
const links = [...contents.matchAll(/\[([^\]]+)\]\(#([^)]+)\)/g)].map(([, text, anchor]) => ({
  text,
  anchor,
}));

describe("README's contents", () => {
  it('comes before the first section', () => {
    expect(readme.indexOf('**Contents:**')).toBeGreaterThan(0);
    expect(readme.indexOf('**Contents:**')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('links every ## heading, in order, to the anchor GitHub gives it', () => {
    const slugger = new GithubSlugger();
    expect(links.map((link) => link.anchor)).toEqual(headings.map((text) => slugger.slug(text)));
    expect(links.map((link) => link.text)).toEqual(headings.map((text) => text.replace(/`/g, '')));
  });
});
