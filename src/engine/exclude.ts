import picomatch from 'picomatch';

// A predicate for keys matching any of the glob patterns, e.g. `**/keep-*` or `ci/pinned/**`.
// `/` separates segments as in file paths: `*` stays within one, `**` crosses them. Names
// starting with a dot match like any other, since keys have no hidden files.
export function excludeMatcher(patterns: string[]): ((key: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  return picomatch(patterns, { dot: true });
}
