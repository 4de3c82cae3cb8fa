/**
 * Reusable objects nobody references (`oas3-unused-component`, `oas2-unused-definition`), as Spectral decides:
 * a component is used when some `$ref` anywhere in the document (extensions such as `x-webhooks`, examples, other
 * unused components), outside the component itself, names exactly it. A `$ref` into a component
 * (`#/components/schemas/A/properties/b`) does not use the component, and neither does a discriminator mapping
 * (not a `$ref`). Security schemes are referenced by name and left out; 2.0 checks only `definitions`.
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

export function checkUnused(ctx: RuleContext): void {
  const v2 = ctx.version === '2.0';
  if (!ctx.enabled(v2 ? 'oas2-unused-definition' : 'oas3-unused-component')) return;
  const used = collectRefTargets(ctx.bundle);
  const report = (rule: string, at: string, map: unknown) => {
    if (!isObject(map)) return;
    for (const name of Object.keys(map)) {
      if (!used.has(`${at}/${name}`)) ctx.report({ rule, pointer: appendPointer(at, name) });
    }
  };
  if (v2) {
    report('oas2-unused-definition', '/definitions', ctx.bundle.definitions);
    return;
  }
  const components = ctx.bundle.components;
  if (!isObject(components)) return;
  for (const kind of componentKinds) report('oas3-unused-component', `/components/${kind}`, components[kind]);
}

/**
 * Every internal `$ref` target in the document, decoded (`#/a/b~1c%20d` → `/a/b/c d`), except a reference from
 * inside its own target (a recursive schema alone is still unused, as Spectral finds: its dependency graph has no
 * edge from a node to itself; a cycle through two components uses both).
 */
function collectRefTargets(document: unknown): Set<string> {
  const targets = new Set<string>();
  const stack: [unknown, string][] = [[document, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop() as [unknown, string];
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        stack.push([item, `${at}/${index}`]);
      });
      continue;
    }
    if (!isObject(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (!value.startsWith('#')) continue;
        const target = decodeRef(value.slice(1));
        if (at !== target && !at.startsWith(`${target}/`)) targets.add(target);
      } else if (typeof value === 'object' && value !== null) stack.push([value, `${at}/${key}`]);
    }
  }
  return targets;
}

function decodeRef(pointer: string): string {
  let text = pointer;
  try {
    text = decodeURIComponent(pointer);
  } catch {}
  return text.replace(/~1/g, '/').replace(/~0/g, '~');
}
