/**
 * Search words, pure. The user's words never reach FTS5 as syntax: each one
 * becomes a quoted string (a double quote inside is doubled), so `AND`, `OR`,
 * `NEAR`, `*`, `:`, `^`, parentheses and column filters are plain text, and
 * a query cannot fail to parse. The in-memory store matches the same way.
 */

/** Letters and digits (any script); everything else separates words, as FTS5's unicode61 does. */
const WORD = /[\p{L}\p{N}]+/gu;

/** Words longer than this are cut: an FTS5 token over a few hundred bytes only wastes time. */
const MAX_WORD = 100;

/** At most this many words per query; more is not a search anyone types. */
export const MAX_WORDS = 16;

/** Lower-case, accents folded (é -> e), as unicode61 with remove_diacritics 2. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The searchable words of a text, folded; [] when it has none. */
export function searchTokens(text: string): string[] {
  if (typeof text !== 'string') return [];
  return (text.match(WORD) ?? []).map((w) => foldWord(w.slice(0, MAX_WORD)));
}

/** The distinct words of a query, in order, at most MAX_WORDS. */
export function queryWords(words: string): string[] {
  return [...new Set(searchTokens(words))].slice(0, MAX_WORDS);
}

/**
 * An FTS5 MATCH expression that finds rows holding every word, or null when
 * `words` has no searchable word (then nothing matches). Each token is already
 * letters and digits only, but it is quoted anyway: safety by construction.
 */
export function ftsMatchExpression(words: string): string | null {
  const tokens = queryWords(words);
  if (tokens.length === 0) return null;
  return tokens.map((t) => `"${t.replaceAll('"', '""')}"`).join(' ');
}

/** Does `text` hold every query word (whole words, case and accents ignored)? */
export function matchesWords(text: string, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  const have = new Set(searchTokens(text));
  return tokens.every((t) => have.has(t));
}
