/**
 * A parser for the subset of RE2 syntax we can reason about exactly: literals and escapes, `\Q…\E`, character
 * classes (ranges, negation, Perl `\d\s\w` and POSIX `[:alpha:]` classes, with RE2's ASCII definitions),
 * groups (capturing, `(?:`, named), `|`, `* + ? {m,n}` and their lazy forms (same language), and `^`/`$`/`\A`/`\z`
 * only at the very start/end of a whole-match regex (where they are no-ops). Everything else — flags such as
 * `(?i)`/`(?s)`, `\C`, `\b`, Unicode classes `\pN`, octal escapes, a literal `{` — is refused rather than
 * approximated. The result is an AST over Unicode code points that automaton.ts turns into an NFA, and that
 * {@link serializeRe2} writes back in one canonical form, so a regex we emit never contains the user's text.
 * Acceptance is cross-checked with re2js: we accept nothing RE2 itself would refuse.
 * @module
 */
import { RE2JS } from 're2js';

/** Inclusive code-point range. */
export type Range = readonly [number, number];

export type RegexNode =
  /** One code point from the (sorted, disjoint) ranges. */
  | { type: 'set'; ranges: Range[] }
  | { type: 'concat'; items: RegexNode[] }
  | { type: 'alt'; items: RegexNode[] }
  | { type: 'repeat'; item: RegexNode; min: number; max: number };

export type ParseResult =
  /** `branches`: how many alternatives the top level has (`a|b` → 2, `(?:a|b)` → 1). */
  { ok: true; node: RegexNode; branches: number } | { ok: false; reason: string };

export const maxCodePoint = 0x10ffff;
/** RE2's own limit for `{m,n}`. */
const maxRepeat = 1000;
const maxPatternLength = 2000;

const digit: Range[] = [[0x30, 0x39]];
const space: Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const word: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const posixClasses: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};
const simpleEscapes: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

class Refused extends Error {}

/**
 * Parses `pattern`. With `edgeAnchors`, a leading `^`/`\A` and a trailing `$`/`\z` (of the whole regex or of
 * each top-level alternative) are accepted and dropped: under whole-match semantics (Envoy's `safe_regex`, our
 * segment patterns) they change nothing. Anchors anywhere else are refused.
 */
export function parseRe2(pattern: string, options: { edgeAnchors?: boolean } = {}): ParseResult {
  if (pattern.length > maxPatternLength) return { ok: false, reason: 'it is too long' };
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    return { ok: false, reason: `RE2 refuses it (${error instanceof Error ? error.message : 'invalid'})` };
  }
  try {
    const parser = new Parser(pattern, options.edgeAnchors === true);
    const node = parser.parseTop();
    return { ok: true, node, branches: parser.branches };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

const anchor = Symbol('anchor');
type Item = RegexNode | { type: typeof anchor; end: boolean };

class Parser {
  private i = 0;
  branches = 1;
  private topAlternation = false;
  private readonly chars: string[];
  constructor(
    pattern: string,
    private readonly edgeAnchors: boolean,
  ) {
    this.chars = Array.from(pattern);
  }

  parseTop(): RegexNode {
    const node = this.parseAlternation(true);
    if (this.i < this.chars.length) throw new Refused('it has an unbalanced ")"');
    this.branches = node.type === 'alt' && this.topAlternation ? node.items.length : 1;
    return node;
  }

  private parseAlternation(top: boolean): RegexNode {
    const branches: RegexNode[] = [this.parseConcat(top)];
    while (this.peek() === '|') {
      this.i += 1;
      branches.push(this.parseConcat(top));
    }
    if (top && branches.length > 1) this.topAlternation = true;
    return branches.length === 1 ? branches[0]! : { type: 'alt', items: branches };
  }

  private parseConcat(top: boolean): RegexNode {
    const items: Item[] = [];
    for (;;) {
      const char = this.peek();
      if (char === undefined || char === '|' || char === ')') break;
      if (char === '\\' && this.chars[this.i + 1] === 'Q') {
        // \Q…\E: literal characters; a repetition after it applies to the last one only.
        const quoted = this.readQuoted();
        const last = quoted.pop();
        items.push(...quoted);
        if (last) items.push(this.parseRepeat(last));
        continue;
      }
      const atom = this.parseAtom();
      if ('end' in atom) {
        items.push(atom);
        continue;
      }
      items.push(this.parseRepeat(atom));
    }
    // Anchors: harmless only first (start) or last (end) in a top-level branch.
    const nodes: RegexNode[] = [];
    items.forEach((item, index) => {
      if (!('end' in item)) {
        nodes.push(item as RegexNode);
        return;
      }
      const harmless = this.edgeAnchors && top && (item.end ? index === items.length - 1 : index === 0);
      if (!harmless) throw new Refused('it has an anchor (^, $, \\A, \\z) inside the expression');
    });
    return nodes.length === 1 ? nodes[0]! : { type: 'concat', items: nodes };
  }

  private parseAtom(): Item {
    const char = this.next();
    switch (char) {
      case '(':
        return this.parseGroup();
      case '[':
        return this.parseClass();
      case '.':
        return {
          type: 'set',
          ranges: [
            [0, 0x09],
            [0x0b, maxCodePoint],
          ],
        };
      case '^':
        return { type: anchor, end: false };
      case '$':
        return { type: anchor, end: true };
      case '\\':
        return this.parseEscape(false);
      case '*':
      case '+':
      case '?':
        throw new Refused(`it has a repetition "${char}" with nothing to repeat`);
      case '{':
        throw new Refused('it has a literal "{" (write \\{)');
      default:
        return literal(char!.codePointAt(0)!);
    }
  }

  private parseGroup(): RegexNode {
    if (this.peek() === '?') {
      this.i += 1;
      const rest = this.chars.slice(this.i, this.i + 2).join('');
      if (rest.startsWith(':')) this.i += 1;
      else if (rest === 'P<' || rest.startsWith('<')) {
        this.i += rest === 'P<' ? 2 : 1;
        let name = '';
        while (this.peek() !== undefined && this.peek() !== '>') name += this.next();
        if (this.next() !== '>' || !/^[A-Za-z0-9_]+$/.test(name))
          throw new Refused('it has a bad group name');
      } else throw new Refused('it sets flags such as (?i) or (?s), which we do not model');
    }
    const node = this.parseAlternation(false);
    if (this.next() !== ')') throw new Refused('it has an unclosed "("');
    return node;
  }

  private parseRepeat(atom: RegexNode): RegexNode {
    let node = atom;
    let repeated = false;
    for (;;) {
      const char = this.peek();
      let min: number;
      let max: number;
      if (char === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
      else if (char === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
      else if (char === '?') [min, max] = [0, 1];
      else if (char === '{') {
        const match = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.i, this.i + 12).join(''));
        if (!match) throw new Refused('it has a literal "{" (write \\{)');
        min = Number(match[1]);
        max = match[2] === undefined ? min : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
        if (min > maxRepeat || (max !== Number.POSITIVE_INFINITY && (max > maxRepeat || max < min)))
          throw new Refused('it has a bad repetition count');
        this.i += match[0].length - 1;
      } else return node;
      if (repeated) throw new Refused('it repeats a repetition');
      this.i += 1;
      if (this.peek() === '?') this.i += 1; // lazy: same language
      node = { type: 'repeat', item: node, min, max };
      repeated = true;
    }
  }

  /** After a `\`. Inside a class only single characters and Perl classes are allowed. */
  private parseEscape(inClass: boolean): RegexNode | { type: typeof anchor; end: boolean } {
    const char = this.next();
    if (char === undefined) throw new Refused('it ends with "\\"');
    if (!inClass && (char === 'A' || char === 'z')) return { type: anchor, end: char === 'z' };
    const perl: Record<string, Range[]> = { d: digit, s: space, w: word };
    if (char.toLowerCase() in perl && /[dswDSW]/.test(char)) {
      const ranges = perl[char.toLowerCase()]!;
      return { type: 'set', ranges: char === char.toLowerCase() ? ranges : complement(ranges) };
    }
    if (char in simpleEscapes) return literal(simpleEscapes[char]!);
    if (char === 'x') {
      let hex: string;
      if (this.peek() === '{') {
        this.i += 1;
        hex = '';
        while (this.peek() !== undefined && this.peek() !== '}') hex += this.next();
        if (this.next() !== '}') throw new Refused('it has a bad \\x{…} escape');
      } else hex = (this.next() ?? '') + (this.next() ?? '');
      const code = /^[0-9A-Fa-f]{1,8}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
      if (!(code <= maxCodePoint)) throw new Refused('it has a bad \\x escape');
      return literal(code);
    }
    const code = char.codePointAt(0)!;
    if (code < 0x80 && !/[A-Za-z0-9]/.test(char)) return literal(code);
    throw new Refused(`it uses \\${char}, which we do not model`);
  }

  private readQuoted(): RegexNode[] {
    this.i += 2;
    const items: RegexNode[] = [];
    while (this.i < this.chars.length && !(this.peek() === '\\' && this.chars[this.i + 1] === 'E')) {
      items.push(literal(this.next()!.codePointAt(0)!));
    }
    if (this.i < this.chars.length) this.i += 2;
    return items;
  }

  private parseClass(): RegexNode {
    const negated = this.peek() === '^';
    if (negated) this.i += 1;
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      const char = this.peek();
      if (char === undefined) throw new Refused('it has an unclosed "["');
      if (char === ']' && !first) {
        this.i += 1;
        break;
      }
      first = false;
      if (char === '[' && this.chars[this.i + 1] === ':') {
        const rest = this.chars.slice(this.i, this.i + 12).join('');
        const match = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        const known = match ? posixClasses[match[2]!] : undefined;
        if (!match || !known) throw new Refused('it has an unknown POSIX class');
        ranges.push(...(match[1] ? complement(known) : known));
        this.i += match[0].length;
        continue;
      }
      const lo = this.readClassChar();
      if (lo.type !== 'set' || lo.ranges.length !== 1 || lo.ranges[0]![0] !== lo.ranges[0]![1]) {
        ranges.push(...(lo as { ranges: Range[] }).ranges);
        continue;
      }
      if (this.peek() === '-' && this.chars[this.i + 1] !== ']' && this.chars[this.i + 1] !== undefined) {
        this.i += 1;
        const hi = this.readClassChar();
        if (hi.type !== 'set' || hi.ranges.length !== 1 || hi.ranges[0]![0] !== hi.ranges[0]![1])
          throw new Refused('it has a bad class range');
        const [from, to] = [lo.ranges[0]![0], hi.ranges[0]![0]];
        if (from > to) throw new Refused('it has a bad class range');
        ranges.push([from, to]);
        continue;
      }
      ranges.push(lo.ranges[0]!);
    }
    const set = normalize(ranges);
    return { type: 'set', ranges: negated ? complement(set) : set };
  }

  private readClassChar(): RegexNode {
    const char = this.next()!;
    if (char === '\\') {
      const escaped = this.parseEscape(true);
      if ('end' in escaped) throw new Refused('it has an anchor in a class');
      return escaped;
    }
    if (char === '[') throw new Refused('it has a "[" inside a class (write \\[)');
    return literal(char.codePointAt(0)!);
  }

  private peek(): string | undefined {
    return this.chars[this.i];
  }

  private next(): string | undefined {
    const char = this.chars[this.i];
    this.i += 1;
    return char;
  }
}

function literal(code: number): RegexNode {
  return { type: 'set', ranges: [[code, code]] };
}

/** Sorted, merged ranges. */
export function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= maxCodePoint) out.push([next, maxCodePoint]);
  return out;
}

export function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i += 1;
    else j += 1;
  }
  return out;
}

/**
 * The node in one canonical RE2 form, wrapped in `(?:…)` so it cannot change the expression around it:
 * every ASCII punctuation character escaped, everything outside printable ASCII as `\x{…}`, classes as sorted
 * ranges.
 */
export function serializeRe2(node: RegexNode): string {
  return `(?:${write(node)})`;
}

function write(node: RegexNode): string {
  switch (node.type) {
    case 'set': {
      const [only] = node.ranges;
      if (node.ranges.length === 1 && only![0] === only![1]) return char(only![0]);
      if (node.ranges.length === 0) return '[^\\x{0}-\\x{10ffff}]';
      return `[${node.ranges.map(([lo, hi]) => (lo === hi ? char(lo) : `${char(lo)}-${char(hi)}`)).join('')}]`;
    }
    case 'concat':
      return node.items.map((item) => (item.type === 'alt' ? `(?:${write(item)})` : write(item))).join('');
    case 'alt':
      return node.items.map(write).join('|');
    case 'repeat': {
      const inner = node.item.type === 'set' ? write(node.item) : `(?:${write(node.item)})`;
      const { min, max } = node;
      const op =
        max === Number.POSITIVE_INFINITY
          ? min === 0
            ? '*'
            : min === 1
              ? '+'
              : `{${min},}`
          : min === max
            ? `{${min}}`
            : min === 0 && max === 1
              ? '?'
              : `{${min},${max}}`;
      return inner + op;
    }
  }
}

/** Letters, digits and `_` as they are; other printable ASCII escaped with `\\`; anything else `\\x{…}`. */
function char(code: number): string {
  const text = String.fromCodePoint(code);
  if (/[A-Za-z0-9_]/.test(text)) return text;
  if (code > 0x20 && code < 0x7f) return `\\${text}`;
  return `\\x{${code.toString(16)}}`;
}
