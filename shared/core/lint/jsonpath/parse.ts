/**
 * The JSONPath a repo ruleset may use, parsed into data we evaluate ourselves (./evaluate.ts). Spectral's own
 * engines compile filter expressions to JavaScript; here nothing from a ruleset is ever compiled or run.
 *
 * Accepted: `$` or an alias reference `#Name`, then segments `.name`, `['name']`/`["name"]`, `.*`/`[*]`,
 * recursive descent `..name`/`..*`/`..[…]`, unions `[a,'b',0]`, indexes (negative too), slices `[s:e:step]`, and
 * filters `[?(…)]` in a small comparison grammar: `@`, `@.name`, `@['name']`, `@[0]`, `@property`, string /
 * number / boolean / null / `undefined` / `void 0` literals, `== != === !== < <= > >=`, `&& || !` and parentheses.
 * Everything else (calls, `.match()`, `.constructor` chains used as code, assignments, templates, `;`, other
 * `@name` variables, script expressions `[(…)]`, `~`) is refused with a reason.
 * @module
 */

export type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step: number }
  | { kind: 'filter'; expr: FilterExpr };

export interface Segment {
  /** `..`: apply the selectors to the node and every node below it. */
  descendant: boolean;
  selectors: Selector[];
}

export interface JsonPath {
  /** `#Name…`: the path continues an alias of the ruleset. */
  alias?: string;
  segments: Segment[];
}

export type Literal = string | number | boolean | null | undefined;
export type CompareOp = '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=';

export type FilterExpr =
  | { kind: 'literal'; value: Literal }
  /** `@` followed by member accesses, each an own property of the value before it. */
  | { kind: 'current'; members: (string | number)[] }
  /** `@property`: the key (or index) of the current node in its parent. */
  | { kind: 'property' }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'compare'; op: CompareOp; left: FilterExpr; right: FilterExpr };

export type ParseResult = { ok: true; path: JsonPath } | { ok: false; reason: string };

/** Longer paths are surely not hand-written rules; the bound keeps parsing trivially cheap. */
export const maxPathLength = 4096;
const maxFilterDepth = 32;

class Refused extends Error {}

/** Characters of a dot-notation name (`$.x-kuma`, `$.$ref`, `.200`, `.título`). */
const nameChar = /[A-Za-z0-9_$\-:{}/%+\u0080-\uffff]/;
const identifierStart = /[A-Za-z_$]/;
const identifierChar = /[A-Za-z0-9_$]/;

export function parseJsonPath(text: string): ParseResult {
  if (text.length > maxPathLength) return { ok: false, reason: `longer than ${maxPathLength} characters` };
  try {
    return { ok: true, path: new Parser(text).parsePath() };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parsePath(): JsonPath {
    let alias: string | undefined;
    if (this.peek() === '#') {
      this.at++;
      alias = this.readWhile(/[A-Za-z0-9_-]/);
      if (!alias) this.refuse('"#" must be followed by an alias name');
    } else this.expect('$');
    const segments: Segment[] = [];
    while (this.at < this.text.length) segments.push(this.parseSegment());
    return alias === undefined ? { segments } : { alias, segments };
  }

  private parseSegment(): Segment {
    const c = this.peek();
    if (c === '[') return { descendant: false, selectors: this.parseBracket() };
    if (c !== '.') this.refuse(`unexpected ${describe(c)}`);
    this.at++;
    const descendant = this.peek() === '.';
    if (descendant) this.at++;
    const next = this.peek();
    if (descendant && next === '[') return { descendant, selectors: this.parseBracket() };
    if (next === '*') {
      this.at++;
      return { descendant, selectors: [{ kind: 'wildcard' }] };
    }
    const name = this.readWhile(nameChar);
    if (!name) this.refuse(`a name must follow "${descendant ? '..' : '.'}", not ${describe(this.peek())}`);
    return { descendant, selectors: [{ kind: 'name', name }] };
  }

  private parseBracket(): Selector[] {
    this.expect('[');
    this.skipSpaces();
    if (this.peek() === '?') {
      this.at++;
      this.skipSpaces();
      this.expect('(');
      const expr = this.parseOr();
      this.skipSpaces();
      this.expect(')');
      this.skipSpaces();
      this.expect(']');
      return [{ kind: 'filter', expr }];
    }
    if (this.peek() === '(') this.refuse('script expressions "[(…)]" are not supported');
    const selectors: Selector[] = [];
    for (;;) {
      this.skipSpaces();
      selectors.push(this.parseSelector());
      this.skipSpaces();
      if (this.peek() === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return selectors;
    }
  }

  private parseSelector(): Selector {
    const c = this.peek();
    if (c === '*') {
      this.at++;
      return { kind: 'wildcard' };
    }
    if (c === "'" || c === '"') return { kind: 'name', name: this.readString() };
    if (c === '-' || c === ':' || /[0-9]/.test(c)) {
      const start = this.readInteger();
      if (this.peek() !== ':') {
        if (start === undefined) this.refuse('an index must be an integer');
        return { kind: 'index', index: start };
      }
      this.at++;
      const end = this.readInteger();
      let step = 1;
      if (this.peek() === ':') {
        this.at++;
        step = this.readInteger() ?? 1;
        if (step === 0) this.refuse('a slice step cannot be 0');
      }
      return {
        kind: 'slice',
        ...(start === undefined ? {} : { start }),
        ...(end === undefined ? {} : { end }),
        step,
      };
    }
    // Spectral's unions of bare names: `[get,put,post]`.
    const name = this.readWhile(nameChar);
    if (!name) this.refuse(`unexpected ${describe(c)} in brackets`);
    return { kind: 'name', name };
  }

  private readInteger(): number | undefined {
    const digits = this.readWhile(/[-0-9]/);
    if (digits === '') return undefined;
    if (!/^-?(0|[1-9][0-9]{0,15})$/.test(digits)) this.refuse(`"${digits}" is not an integer`);
    return Number(digits);
  }

  // Filter expressions: or → and → unary → comparison → primary.

  private parseOr(): FilterExpr {
    this.enter();
    let left = this.parseAnd();
    while (this.take('||')) left = { kind: 'or', left, right: this.parseAnd() };
    this.depth--;
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.take('&&')) left = { kind: 'and', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): FilterExpr {
    this.skipSpaces();
    if (this.peek() === '!' && this.text[this.at + 1] !== '=') {
      this.at++;
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand };
    }
    const left = this.parsePrimary();
    for (const op of ['===', '!==', '==', '!=', '<=', '>=', '<', '>'] as const) {
      if (this.take(op)) return { kind: 'compare', op, left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): FilterExpr {
    this.skipSpaces();
    const c = this.peek();
    if (c === '(') {
      this.at++;
      const inner = this.parseOr();
      this.skipSpaces();
      this.expect(')');
      return inner;
    }
    if (c === '@') return this.parseCurrent();
    if (c === "'" || c === '"') return { kind: 'literal', value: this.readString() };
    if (c === '-' || /[0-9]/.test(c)) {
      const number = this.readWhile(/[-+0-9.eE]/);
      if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(number))
        this.refuse(`"${number}" is not a number`);
      return { kind: 'literal', value: Number(number) };
    }
    const word = this.readWhile(identifierChar);
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    if (word === 'null') return { kind: 'literal', value: null };
    if (word === 'undefined') return { kind: 'literal', value: undefined };
    if (word === 'void') {
      this.skipSpaces();
      if (this.readWhile(/[0-9]/) !== '0') this.refuse('only "void 0" is supported');
      return { kind: 'literal', value: undefined };
    }
    this.refuse(word ? `"${word}" is not allowed in a filter` : `unexpected ${describe(c)} in a filter`);
  }

  private parseCurrent(): FilterExpr {
    this.expect('@');
    if (identifierStart.test(this.peek())) {
      const variable = this.readWhile(identifierChar);
      if (variable === 'property') return { kind: 'property' };
      this.refuse(`"@${variable}" is not supported (only @, @.name, @['name'] and @property)`);
    }
    const members: (string | number)[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '.') {
        this.at++;
        if (!identifierStart.test(this.peek())) this.refuse(`a property name must follow "@…."`);
        const name = this.readWhile(identifierChar);
        // In JavaScript these reach the prototype (Spectral's `@.type.constructor.name === 'Array'` idiom);
        // here lookups are own-property only, so the idiom would silently mean something else.
        if (prototypeNames.has(name))
          this.refuse(`".${name}" is refused; write @['${name}'] for a property of that name`);
        members.push(name);
      } else if (c === '[') {
        this.at++;
        this.skipSpaces();
        const d = this.peek();
        if (d === "'" || d === '"') members.push(this.readString());
        else {
          const index = this.readInteger();
          if (index === undefined || index < 0) this.refuse("use @['name'] or @[index] in a filter");
          members.push(index);
        }
        this.skipSpaces();
        this.expect(']');
      } else break;
    }
    this.skipSpaces();
    if (this.peek() === '(') this.refuse('function calls are not allowed in a filter');
    return { kind: 'current', members };
  }

  // Lexical helpers.

  private readString(): string {
    const quote = this.text[this.at++];
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.refuse('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e === 'u') {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.refuse('bad \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.at += 4;
      } else if (e !== undefined && e in simpleEscapes) out += simpleEscapes[e];
      else this.refuse(`unsupported escape "\\${e ?? ''}"`);
    }
  }

  private readWhile(pattern: RegExp): string {
    const start = this.at;
    while (this.at < this.text.length && pattern.test(this.text[this.at] as string)) this.at++;
    return this.text.slice(start, this.at);
  }

  private take(token: string): boolean {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.at)) return false;
    // `==` must not swallow the start of `===`; `<` not of `<=`: callers try longer tokens first.
    this.at += token.length;
    return true;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  private peek(): string {
    return this.text[this.at] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.refuse(`expected "${c}" but found ${describe(this.peek())}`);
    this.at++;
  }

  private enter(): void {
    if (++this.depth > maxFilterDepth) this.refuse(`filter nested deeper than ${maxFilterDepth}`);
  }

  private refuse(reason: string): never {
    throw new Refused(`${reason} (at character ${this.at + 1})`);
  }
}

const prototypeNames = new Set(['constructor', '__proto__', 'prototype']);

const simpleEscapes: Record<string, string> = Object.assign(Object.create(null), {
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
});

function describe(c: string): string {
  return c === '' ? 'the end' : `"${c}"`;
}
