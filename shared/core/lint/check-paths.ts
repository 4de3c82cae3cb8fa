/**
 * Path rules: path keys, path parameters declared and used (with equivalent paths), ambiguous paths.
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { httpMethods, isObject, type JsonObject, quote } from './spec-walk.js';
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
  if (path.includes('{}')) ctx.report({ rule: 'path-declarations-must-exist', pointer });
  if (/.\/$/.test(path)) ctx.report({ rule: 'path-keys-no-trailing-slash', pointer });
  if (path.includes('?')) ctx.report({ rule: 'path-not-include-query', pointer });
}

/** Spectral's path template parameter: `{name}`, `{;name}`, `{?name}`, `{name*}` with a plain name. */
const templateParameter = /\{;?\??[a-zA-Z0-9_-]+\*?\}/g;

/**
 * `path-params`, as Spectral's oasPathParam decides it: paths equal once their parameters are blanked out,
 * parameters used twice in a path, and per operation the path parameters it declares (its own and its path
 * item's) against those its path uses. A problem of a `$ref`'d parameter is reported at the component.
 */
function checkPathParams(ctx: RuleContext): void {
  if (!ctx.enabled('path-params')) return;
  const paths = ctx.bundle.paths as JsonObject;
  const report = (pointer: string, message: string, operation?: string) =>
    ctx.report({ rule: 'path-params', pointer, message, ...(operation ? { operation } : {}) });
  const seenTemplates = new Map<string, string>();
  for (const path of Object.keys(paths)) {
    const pathPointer = appendPointer('/paths', path);
    const { value: pathItem, pointer: itemPointer } = ctx.resolve(paths[path], pathPointer);
    if (!isObject(pathItem)) continue;
    const normalized = path.replace(templateParameter, '%');
    const first = seenTemplates.get(normalized);
    if (first !== undefined) report(pathPointer, `Paths "${first}" and "${path}" must not be equivalent.`);
    else seenTemplates.set(normalized, path);
    const names: string[] = [];
    for (const [token] of path.matchAll(templateParameter)) {
      const name = token.replace(/[{}?*;]/g, '');
      if (names.includes(name))
        report(pathPointer, `Path "${path}" must not use parameter "{${name}}" multiple times.`);
      else names.push(name);
    }
    const shared = declaredPathParams(ctx, pathItem.parameters, `${itemPointer}/parameters`, report);
    for (const method of httpMethods) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const at = `${itemPointer}/${method}`;
      const label = `${method.toUpperCase()} ${path}`;
      const own = declaredPathParams(ctx, operation.parameters, `${at}/parameters`, report, label);
      const declared = new Map([...shared, ...own]);
      for (const [name, pointer] of declared) {
        if (!names.includes(name))
          report(pointer, `Parameter "${name}" must be used in path "${path}".`, label);
      }
      for (const name of names) {
        if (!declared.has(name))
          report(at, `Operation must define parameter "{${name}}" as expected by path "${path}".`, label);
      }
    }
  }
}

/** The named `in: path` parameters of a list (refs followed), by name → where each is defined. */
function declaredPathParams(
  ctx: RuleContext,
  list: unknown,
  at: string,
  report: (pointer: string, message: string, operation?: string) => void,
  operation?: string,
): Map<string, string> {
  const declared = new Map<string, string>();
  if (!Array.isArray(list)) return declared;
  list.forEach((raw, index) => {
    const { value, pointer } = ctx.resolve(raw, `${at}/${index}`);
    if (!isObject(value) || value.in !== 'path' || value.name === undefined) return;
    const name = String(value.name);
    if (value.required !== true)
      report(
        pointer,
        `Path parameter "${name}" must have "required" property that is set to "true".`,
        operation,
      );
    if (declared.has(name))
      report(pointer, `Path parameter "${name}" must not be defined multiple times.`, operation);
    else declared.set(name, pointer);
  });
  return declared;
}

type Segment = { kind: 'param' } | { kind: 'literal'; text: string };

function segmentsOf(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((text) => (/^\{[^}]*\}$/.test(text) ? { kind: 'param' } : { kind: 'literal', text }));
}

/**
 * `no-ambiguous-paths` (kuma-api-forge:paths): two paths where each is more specific in a different segment
 * (`/{a}/b` vs `/a/{b}`): which one a request matches depends on the router. Equivalent paths (`/a/{x}` vs
 * `/a/{y}`) are Spectral's `path-params`.
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
        if (relation !== 'ambiguous') continue;
        const message = `Paths ${quote(a.path)} and ${quote(b.path)} are ambiguous: a request can match both. Make one of them literal where the other has a parameter.`;
        ctx.report({ rule: 'no-ambiguous-paths', pointer: appendPointer('/paths', b.path), message });
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
