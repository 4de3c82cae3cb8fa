/**
 * Path rules: path keys, path parameters declared and used, equivalent and ambiguous paths.
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { isObject, type JsonObject, listOperations, quote } from './spec-walk.js';
import type { RuleContext } from './types.js';

export function checkPaths(ctx: RuleContext): void {
  const paths = ctx.bundle.paths;
  if (!isObject(paths)) return;
  for (const path of Object.keys(paths)) checkPathKey(ctx, path);
  checkPathParams(ctx);
  if (ctx.enabled('no-ambiguous-paths')) checkAmbiguousPaths(ctx, Object.keys(paths));
}

function checkPathKey(ctx: RuleContext, path: string): void {
  const pointer = appendPointer('/paths', path);
  if (path.includes('{}')) {
    const message = `Path ${quote(path)} has an empty parameter "{}": name it, e.g. {id}.`;
    ctx.report({ rule: 'path-declarations-must-exist', pointer, message });
  }
  if (/.\/$/.test(path)) {
    const message = `Path ${quote(path)} ends with a slash: remove it (most routers treat "/a/" and "/a" differently).`;
    ctx.report({ rule: 'path-keys-no-trailing-slash', pointer, message });
  }
  if (path.includes('?')) {
    const message = `Path ${quote(path)} contains a query string: declare query parameters with "in: query" instead.`;
    ctx.report({ rule: 'path-not-include-query', pointer, message });
  }
}

interface DeclaredParam {
  name: string;
  /** Where the parameter is attached (its `$ref` when it is one). */
  pointer: string;
  /** Where the parameter is defined (the component when it is a `$ref`). */
  definedAt: string;
  required: unknown;
}

/** The `in: path` parameters of a parameter list, refs followed. */
function pathParamsOf(ctx: RuleContext, list: unknown, at: string): DeclaredParam[] {
  if (!Array.isArray(list)) return [];
  const out: DeclaredParam[] = [];
  list.forEach((raw, index) => {
    const pointer = `${at}/${index}`;
    const { value, pointer: definedAt } = ctx.resolve(raw, pointer);
    if (isObject(value) && value.in === 'path' && typeof value.name === 'string') {
      out.push({ name: value.name, pointer, definedAt, required: value.required });
    }
  });
  return out;
}

function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
}

function checkPathParams(ctx: RuleContext): void {
  if (!ctx.enabled('path-params')) return;
  const byPath = new Map<string, ReturnType<typeof listOperations>>();
  for (const site of listOperations(ctx.bundle)) {
    byPath.set(site.path, [...(byPath.get(site.path) ?? []), site]);
  }
  const paths = ctx.bundle.paths as JsonObject;
  for (const path of Object.keys(paths)) {
    const pathPointer = appendPointer('/paths', path);
    const { value: pathItem, pointer: itemPointer } = ctx.resolve(paths[path], pathPointer);
    if (!isObject(pathItem)) continue;
    const names = templateNames(path);
    const report = (pointer: string, message: string, operation?: string) =>
      ctx.report({ rule: 'path-params', pointer, message, ...(operation ? { operation } : {}) });

    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    for (const name of new Set(repeated)) {
      report(pathPointer, `Path ${quote(path)} uses parameter {${name}} more than once: rename one of them.`);
    }
    const shared = pathParamsOf(ctx, pathItem.parameters, `${itemPointer}/parameters`);
    checkDeclared(shared, names, path, report, undefined);

    const operations = byPath.get(path) ?? [];
    for (const site of operations) {
      const own = pathParamsOf(ctx, site.operation.parameters, `${site.pointer}/parameters`);
      checkDeclared(own, names, path, report, site.label);
      const declared = new Set([...shared, ...own].map((p) => p.name));
      for (const name of new Set(names)) {
        if (!declared.has(name)) {
          const message = `${site.label} must declare path parameter "${name}" (in: path, required: true).`;
          report(site.pointer, message, site.label);
        }
      }
    }
  }
}

function checkDeclared(
  params: DeclaredParam[],
  names: string[],
  path: string,
  report: (pointer: string, message: string, operation?: string) => void,
  operation: string | undefined,
): void {
  const seen = new Set<string>();
  for (const param of params) {
    if (seen.has(param.name)) {
      report(
        param.pointer,
        `Path parameter "${param.name}" is declared more than once: keep one.`,
        operation,
      );
    }
    seen.add(param.name);
    if (!names.includes(param.name)) {
      const message = `Path parameter "${param.name}" is not used in path ${quote(path)}: add {${param.name}} to the path or remove the parameter.`;
      report(param.pointer, message, operation);
    }
    if (param.required !== true) {
      report(param.definedAt, `Path parameter "${param.name}" must have "required: true".`, operation);
    }
  }
}

type Segment = { kind: 'param' } | { kind: 'literal'; text: string };

function segmentsOf(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((text) => (/^\{[^}]*\}$/.test(text) ? { kind: 'param' } : { kind: 'literal', text }));
}

/**
 * Two paths a request cannot tell apart: equivalent (`/a/{x}` vs `/a/{y}`, an error) or ambiguous, where each is
 * more specific in a different segment (`/{a}/b` vs `/a/{b}`, a warning: which one matches depends on the router).
 */
function checkAmbiguousPaths(ctx: RuleContext, paths: string[]): void {
  const groups = new Map<number, { path: string; segments: Segment[] }[]>();
  for (const path of paths) {
    const segments = segmentsOf(path);
    const group = groups.get(segments.length) ?? [];
    group.push({ path, segments });
    groups.set(segments.length, group);
  }
  for (const group of groups.values()) {
    for (let j = 1; j < group.length; j++) {
      const b = group[j]!;
      for (let i = 0; i < j; i++) {
        const a = group[i]!;
        const relation = comparePaths(a.segments, b.segments);
        if (relation === 'distinct') continue;
        const pointer = appendPointer('/paths', b.path);
        if (relation === 'equivalent') {
          const message = `Paths ${quote(a.path)} and ${quote(b.path)} are equivalent (only parameter names differ): merge them into one path.`;
          ctx.report({ rule: 'no-ambiguous-paths', pointer, message });
        } else {
          const message = `Paths ${quote(a.path)} and ${quote(b.path)} are ambiguous: a request can match both. Make one of them literal where the other has a parameter.`;
          ctx.report({ rule: 'no-ambiguous-paths', pointer, message, severity: 'warning' });
        }
      }
    }
  }
}

function comparePaths(a: Segment[], b: Segment[]): 'distinct' | 'equivalent' | 'ambiguous' {
  let aMoreSpecific = false;
  let bMoreSpecific = false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.kind === 'literal' && y.kind === 'literal') {
      if (x.text !== y.text) return 'distinct';
    } else if (x.kind === 'literal') aMoreSpecific = true;
    else if (y.kind === 'literal') bMoreSpecific = true;
  }
  if (!aMoreSpecific && !bMoreSpecific) return 'equivalent';
  return aMoreSpecific && bMoreSpecific ? 'ambiguous' : 'distinct';
}
