/**
 * API keys are never written into git: a key literal in the spec's x-kuma, in an apiKey security scheme, or as a
 * header value the routes would send is an error, and nothing is rendered from it. Keys live in Secrets that the
 * config names (`apiKeys.<scheme>.secretRefs`). Pure.
 * @module
 */
import type { Finding } from '../findings.js';
import { readSchemes } from '../kuma/render/build-auth.js';
import { isObject } from '../kuma/render/resolve-ref.js';
import { collectXKumaBlocks } from '../kuma/render/x-kuma-blocks.js';
import { appendPointer } from '../spec/json-pointer.js';
import type { EdgeInput } from './edge.js';

/** Field names that carry a credential when they hold text (`value`, `keys`, `x-api-key`, `token`, …). */
const credentialField = /^(?:x-)?(?:api[-_]?)?(?:keys?|values?|secrets?|tokens?|passwords?|credentials?)$/i;
/** In an apiKey scheme, an example or default value is a key too. */
const schemeValueField = /^(?:x-)?(?:examples?|default)$/i;
/** The standard fields of a security scheme: `name` is the header/parameter name, not a key. */
const schemeFields = new Set(['type', 'name', 'in', 'description', 'scheme', 'bearerFormat']);

export function findKeyLiterals(input: EdgeInput): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const report = (pointer: string, where: string, operation?: string) => {
    if (reported.has(pointer)) return;
    reported.add(pointer);
    findings.push({
      kind: 'routing',
      id: 'gateway-api-apikey-literal',
      severity: 'error',
      ...input.locate(pointer),
      ...(operation ? { operation } : {}),
      message: `${where} holds what looks like an API key or other credential written into the spec: keys must never be in git; put them in a Secret and name it in apiKeys.<scheme>.secretRefs of .kuma-api-forge.yaml (nothing is rendered from this value)`,
    });
  };
  for (const block of collectXKumaBlocks(input.bundle)) {
    for (const pointer of findTextFields(block.value, block.pointer, credentialField)) {
      report(pointer, describe(pointer), block.operation);
    }
  }
  const { schemes, pointer: schemesPointer } = readSchemes(input.bundle);
  const headerKeys = new Set<string>();
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || scheme.type !== 'apiKey') continue;
    if (scheme.in === 'header' && typeof scheme.name === 'string') headerKeys.add(scheme.name.toLowerCase());
    const own = Object.fromEntries(Object.entries(scheme).filter(([key]) => !schemeFields.has(key)));
    const at = appendPointer(schemesPointer, name);
    for (const pointer of [
      ...findTextFields(own, at, credentialField),
      ...findTextFields(own, at, schemeValueField),
    ]) {
      report(pointer, `security scheme "${name}": ${pointer.slice(at.length + 1).replaceAll('/', '.')}`);
    }
  }
  // A request header the routes set to a fixed value, named like an apiKey scheme's header: a key in the spec.
  for (const operation of input.routes.flatMap((route) => route.operations)) {
    const changes = operation.settings.requestHeaders;
    for (const verb of ['set', 'add'] as const) {
      for (const header of Object.keys(changes?.[verb] ?? {})) {
        if (!headerKeys.has(header.toLowerCase())) continue;
        const origin = operation.origins.requestHeaders;
        const pointer = origin ? appendPointer(origin, verb, header) : operation.pointer;
        report(
          pointer,
          `x-kuma.requestHeaders.${verb}.${header}${origin ? '' : ' (from the config defaults)'} (the header of an apiKey scheme)`,
          operation.label,
        );
      }
    }
  }
  return findings;
}

/**
 * Pointers of fields whose name matches and whose value is text or a list of text. A map under such a name is
 * walked instead (`auth.token` is a JWT provider named "token", its fields are not keys).
 */
function findTextFields(value: unknown, pointer: string, names: RegExp): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => findTextFields(item, `${pointer}/${index}`, names));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = appendPointer(pointer, key);
    return names.test(key) && holdsText(child) ? [at] : findTextFields(child, at, names);
  });
}

function holdsText(value: unknown): boolean {
  if (typeof value === 'string') return value !== '';
  return Array.isArray(value) && value.some(holdsText);
}

/** `/paths/~1pets/get/x-kuma/apiKey` → `x-kuma.apiKey` at that place. */
function describe(pointer: string): string {
  const index = pointer.lastIndexOf('/x-kuma');
  return `x-kuma${pointer.slice(index + '/x-kuma'.length).replaceAll('/', '.')}`;
}
