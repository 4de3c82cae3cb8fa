/**
 * A short string that an RE2 pattern fully matches, built from the pattern itself (first alternative, minimum
 * repetitions, a readable character from each class: `a`, then `1`, …). Used to turn a route's path regex into
 * a concrete request: `^/users/(?:[0-9]+)$` → `/users/1`, `^/pets/(?:cat|dog)$` → `/pets/cat`.
 * Covers RE2 syntax (groups, flags, classes, escapes, repeats); returns undefined for what it cannot satisfy
 * (e.g. `\pN`), and the result is always checked with RE2 itself.
 * @module
 */
import { RE2JS } from 're2js';

const preferred = 'a1xb0A-_.';

class Parser {
  index = 0;
  constructor(readonly source: string) {}

  /** alternation := sequence ('|' sequence)* — the first alternative that yields a sample wins. */
  alternation(): string | undefined {
    let result = this.sequence();
    while (this.source[this.index] === '|') {
      this.index += 1;
      const next = this.sequence();
      result ??= next;
    }
    return result;
  }

  sequence(): string | undefined {
    let out = '';
    let ok = true;
    while (
      this.index < this.source.length &&
      this.source[this.index] !== '|' &&
      this.source[this.index] !== ')'
    ) {
      const atom = this.atom();
      const min = this.repeatMin();
      if (atom === undefined) {
        if (min > 0) ok = false;
      } else out += atom.repeat(min);
    }
    return ok ? out : undefined;
  }

  /** Consumes a repeat operator after an atom and returns its minimum count (1 when there is none). */
  repeatMin(): number {
    const char = this.source[this.index];
    let min = 1;
    if (char === '*' || char === '?') min = 0;
    else if (char === '+') min = 1;
    else if (char === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.index));
      if (!match) return 1;
      this.index += match[0].length;
      if (this.source[this.index] === '?') this.index += 1;
      return Number(match[1]);
    } else return 1;
    this.index += 1;
    if (this.source[this.index] === '?') this.index += 1;
    return min;
  }

  atom(): string | undefined {
    const char = this.source[this.index] as string;
    this.index += 1;
    switch (char) {
      case '^':
      case '$':
        return '';
      case '.':
        return 'a';
      case '[':
        return this.charClass();
      case '\\':
        return this.escape(false);
      case '(':
        return this.group();
      default:
        return char;
    }
  }

  group(): string | undefined {
    const rest = this.source.slice(this.index);
    const flagsOnly = /^\?[imsU-]*\)/.exec(rest);
    if (flagsOnly) {
      this.index += flagsOnly[0].length;
      return '';
    }
    const prefix = /^\?(?:P?<[^>]+>|[imsU-]*:)/.exec(rest);
    if (prefix) this.index += prefix[0].length;
    const inner = this.alternation();
    this.index += 1; // ')'
    return inner;
  }

  /** An escape outside a class yields a character; inside one it yields the set it stands for. */
  escape(inClass: boolean): string | undefined {
    const char = this.source[this.index] as string;
    this.index += 1;
    const sets: Record<string, string> = { d: '0123456789', w: 'a1_', s: ' ', D: 'a', W: '-', S: 'a' };
    if (char in sets) return inClass ? sets[char] : sets[char]?.[0];
    if ('AzbB'.includes(char) && !inClass) return '';
    if (char === 'x') {
      const match = /^(\{[0-9a-fA-F]+\}|[0-9a-fA-F]{2})/.exec(this.source.slice(this.index));
      if (!match) return undefined;
      this.index += match[0].length;
      return String.fromCodePoint(Number.parseInt(match[0].replace(/[{}]/g, ''), 16));
    }
    if (char === 'Q' && !inClass) {
      const end = this.source.indexOf('\\E', this.index);
      const literal = this.source.slice(this.index, end < 0 ? undefined : end);
      this.index = end < 0 ? this.source.length : end + 2;
      return literal;
    }
    if (char === 'p' || char === 'P') return undefined; // Unicode classes: give up rather than guess
    const controls: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
    return controls[char] ?? char;
  }

  /** Parses `[...]` and returns a preferred member of the set it denotes. */
  charClass(): string | undefined {
    const negated = this.source[this.index] === '^';
    if (negated) this.index += 1;
    const members: [number, number][] = [];
    let first = true;
    while (this.index < this.source.length && (this.source[this.index] !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)(\w+):\]/.exec(this.source.slice(this.index));
      if (posix) {
        this.index += posix[0].length;
        const named: Record<string, string> = {
          alpha: 'a',
          digit: '1',
          alnum: 'a1',
          word: 'a1_',
          lower: 'a',
          upper: 'A',
        };
        for (const c of named[posix[2] as string] ?? 'a')
          members.push([c.codePointAt(0)!, c.codePointAt(0)!]);
        continue;
      }
      let low: string | undefined;
      if (this.source[this.index] === '\\') {
        this.index += 1;
        const set = this.escape(true);
        if (set === undefined) return undefined;
        if (set.length !== 1) {
          for (const c of set) members.push([c.codePointAt(0)!, c.codePointAt(0)!]);
          continue;
        }
        low = set;
      } else {
        low = this.source[this.index] as string;
        this.index += 1;
      }
      let high = low;
      if (this.source[this.index] === '-' && this.source[this.index + 1] !== ']') {
        this.index += 1;
        if (this.source[this.index] === '\\') {
          this.index += 1;
          high = this.escape(true) ?? low;
        } else {
          high = this.source[this.index] as string;
          this.index += 1;
        }
      }
      members.push([low.codePointAt(0)!, high.codePointAt(0)!]);
    }
    this.index += 1; // ']'
    const inSet = (c: string) => {
      const code = c.codePointAt(0)!;
      return members.some(([low, high]) => code >= low && code <= high) !== negated;
    };
    const candidates = [...preferred, ...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))];
    return candidates.find(inSet);
  }
}

/** A string the pattern fully matches, or undefined. */
export function buildRegexExample(pattern: string): string | undefined {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch {
    return undefined;
  }
  const parser = new Parser(pattern);
  const example = parser.alternation();
  return example !== undefined && compiled.matches(example) ? example : undefined;
}
