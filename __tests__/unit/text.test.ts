import { describe, expect, it } from '@jest/globals';
import { escapeMarkdown, truncate, visible } from '../../src/runner/text.js';

describe('visible', () => {
  it.each([
    ['plain/key.bin', 'plain/key.bin'],
    ['ünïcødé ✓ 日本', 'ünïcødé ✓ 日本'],
    ['line\nbreak\r\ttab', 'line␊break␍␉tab'],
    ['nul\u0000del\u007f', 'nul␀del␡'],
    ['bidi\u202Eevil', 'bidi⟨U+202E⟩evil'],
    ['zero\u200Bwidth', 'zero⟨U+200B⟩width'],
    ['sep\u2028x', 'sep⟨U+2028⟩x'],
    ['lone\uD800surrogate', 'lone⟨U+D800⟩surrogate'],
    ['c1\u0085', 'c1⟨U+0085⟩'],
  ])('shows %j as %j', (text, shown) => {
    expect(visible(text)).toBe(shown);
  });

  it('leaves nothing that could end a line', () => {
    expect(visible('a\n::error::injected\r\nb')).not.toMatch(/[\r\n\u2028\u2029]/);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['ci/run-1/file.bin', 'ci/run-1/file.bin'],
    ['a|b', 'a\\|b'],
    ['<script>alert(1)</script>', '\\<script\\>alert(1)\\</script\\>'],
    ['`code`', '\\`code\\`'],
    ['*bold* _em_ ~del~', '\\*bold\\* \\_em\\_ \\~del\\~'],
    ['[link](http://x)', '\\[link\\](http://x)'],
    ['![img](x)', '\\!\\[img\\](x)'],
    ['&amp; $x$ #1 \\', '\\&amp; \\$x\\$ \\#1 \\\\'],
    ['two\n\nlines', 'two␊␊lines'],
  ])('escapes %j as %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text at code points', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
  });
});
