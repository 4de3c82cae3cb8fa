/**
 * Reusable objects nobody references (`oas3-unused-component`, `oas2-unused-definition`). Like Spectral, a
 * reference from another unused component counts as use; security schemes are referenced by name, not `$ref`,
 * and are left out.
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { isObject } from './spec-walk.js';
import type { RuleContext } from './types.js';

const componentKinds = [
  'schemas',
  'responses',
  'parameters',
  'examples',
  'requestBodies',
  'headers',
  'links',
  'callbacks',
];

export function checkUnused(ctx: RuleContext, refs: ReadonlySet<string>): void {
  const used = new Set<string>();
  // A ref into a component (`…/schemas/A/properties/b`) uses the component.
  // 2.0 components sit three segments deep (`/definitions/A`), 3.x four (`/components/schemas/A`).
  for (const ref of refs) {
    const segments = ref.split('/');
    used.add(segments.slice(0, 3).join('/'));
    used.add(segments.slice(0, 4).join('/'));
  }
  if (ctx.version === '2.0') {
    for (const kind of ['definitions', 'parameters', 'responses']) {
      report(ctx, 'oas2-unused-definition', `/${kind}`, ctx.bundle[kind], used);
    }
    return;
  }
  const components = ctx.bundle.components;
  if (!isObject(components)) return;
  for (const kind of componentKinds) {
    report(ctx, 'oas3-unused-component', `/components/${kind}`, components[kind], used);
  }
}

function report(ctx: RuleContext, rule: string, at: string, map: unknown, used: Set<string>): void {
  if (!isObject(map)) return;
  for (const name of Object.keys(map)) {
    const pointer = appendPointer(at, name);
    if (used.has(pointer)) continue;
    const message = `${at.slice(1).replace('/', '.')} "${name}" is not referenced anywhere: remove it or use it.`;
    ctx.report({ rule, pointer, message });
  }
}
