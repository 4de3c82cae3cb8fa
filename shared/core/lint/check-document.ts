/**
 * Document-level rules: info, global tags, servers (3.x) and host/schemes (2.0).
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { isObject, listOperations } from './spec-walk.js';
import type { RuleContext } from './types.js';

export function checkDocument(ctx: RuleContext): void {
  checkInfo(ctx);
  checkTags(ctx);
  if (ctx.version === '2.0') {
    checkHost(ctx);
    checkDiscriminators(ctx);
  } else checkServers(ctx);
}

/** `oas2-discriminator`: a definition's `discriminator` names one of its properties, and a required one. */
function checkDiscriminators(ctx: RuleContext): void {
  const definitions = ctx.bundle.definitions;
  if (!isObject(definitions)) return;
  for (const name of Object.keys(definitions)) {
    const { value: schema, pointer } = ctx.resolve(definitions[name], appendPointer('/definitions', name));
    if (!isObject(schema) || typeof schema.discriminator !== 'string') continue;
    const property = schema.discriminator;
    if (!isObject(schema.properties) || !Object.hasOwn(schema.properties, property)) {
      const message = 'The discriminator property must be defined in this schema.';
      ctx.report({ rule: 'oas2-discriminator', pointer: `${pointer}/properties`, message });
    }
    if (!Array.isArray(schema.required) || !schema.required.includes(property)) {
      const message = 'The discriminator property must be in the required property list.';
      ctx.report({ rule: 'oas2-discriminator', pointer: `${pointer}/required`, message });
    }
  }
}

/** Spectral's `truthy`: present and not false, 0, "" or null. */
const truthy = (value: unknown): boolean => Boolean(value);

function checkInfo(ctx: RuleContext): void {
  const info = isObject(ctx.bundle.info) ? ctx.bundle.info : {};
  const license = isObject(info.license) ? info.license : {};
  if (!truthy(info.description)) ctx.report({ rule: 'info-description', pointer: '/info/description' });
  if (!truthy(info.contact)) ctx.report({ rule: 'info-contact', pointer: '/info/contact' });
  if (!truthy(info.license)) ctx.report({ rule: 'info-license', pointer: '/info/license' });
  if (!truthy(license.url)) ctx.report({ rule: 'license-url', pointer: '/info/license/url' });
  if (isObject(info.contact)) {
    for (const field of ['name', 'url', 'email']) {
      if (!truthy(info.contact[field]))
        ctx.report({ rule: 'contact-properties', pointer: `/info/contact/${field}` });
    }
  }
}

function checkTags(ctx: RuleContext): void {
  const tags = ctx.bundle.tags;
  if (!Array.isArray(tags) || tags.length === 0) {
    ctx.report({ rule: 'openapi-tags', pointer: '/tags' });
    return;
  }
  const names = tags.map((tag) => (isObject(tag) ? tag.name : undefined));
  names.forEach((name, index) => {
    if (typeof name === 'string' && names.indexOf(name) !== index) {
      const message = `"tags" object contains duplicate tag name "${name}".`;
      ctx.report({ rule: 'openapi-tags-uniqueness', pointer: `/tags/${index}/name`, message });
    }
  });
  // Spectral's alphabetical (keyed by name): one finding for the list, when two neighbours are out of order.
  const sortable = tags.every(isObject) && names.every((n) => typeof n === 'string' || typeof n === 'number');
  if (sortable && names.some((name, i) => i > 0 && compareAlphabetically(names[i - 1], name) >= 1))
    ctx.report({ rule: 'openapi-tags-alphabetical', pointer: '/tags' });
  tags.forEach((tag, index) => {
    if (isObject(tag) && !truthy(tag.description))
      ctx.report({ rule: 'tag-description', pointer: `/tags/${index}/description` });
  });
}

/** Spectral's order for `alphabetical`: numbers by value, everything else by `localeCompare`. */
function compareAlphabetically(a: unknown, b: unknown): number {
  if (
    (typeof a === 'number' || Number.isNaN(Number(a))) &&
    (typeof b === 'number' || !Number.isNaN(Number(b)))
  )
    return Math.min(1, Math.max(-1, Number(a) - Number(b)));
  return typeof a === 'string' && typeof b === 'string' ? a.localeCompare(b) : 0;
}

function checkHost(ctx: RuleContext): void {
  const { host, schemes } = ctx.bundle;
  if (!truthy(host)) ctx.report({ rule: 'oas2-api-host', pointer: '/host' });
  if (typeof host === 'string') {
    if (host.endsWith('/')) ctx.report({ rule: 'oas2-host-trailing-slash', pointer: '/host' });
    if (/example\.com/.test(host)) ctx.report({ rule: 'oas2-host-not-example', pointer: '/host' });
  }
  if (!Array.isArray(schemes) || schemes.length === 0 || !schemes.every((s) => typeof s === 'string'))
    ctx.report({ rule: 'oas2-api-schemes', pointer: '/schemes' });
}

/**
 * Servers as Spectral checks them: the document's list must be a non-empty list of objects; its URLs (only the
 * document's, as in Spectral) must not end with a slash or point at example.com; every server object (the
 * document's, a path item's, an operation's, a link's) must define exactly the variables its URL uses.
 */
function checkServers(ctx: RuleContext): void {
  const servers = ctx.bundle.servers;
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every(isObject))
    ctx.report({ rule: 'oas3-api-servers', pointer: '/servers' });
  if (Array.isArray(servers)) {
    servers.forEach((server, index) => {
      if (!isObject(server) || typeof server.url !== 'string') return;
      const pointer = `/servers/${index}/url`;
      if (/.\/$/.test(server.url)) ctx.report({ rule: 'oas3-server-trailing-slash', pointer });
      if (/example\.com/.test(server.url)) ctx.report({ rule: 'oas3-server-not-example.com', pointer });
    });
  }
  if (!ctx.enabled('oas3-server-variables')) return;
  const each = (list: unknown, at: string, operation?: string) => {
    if (Array.isArray(list))
      list.forEach((server, i) => {
        checkServerVariables(ctx, server, `${at}/${i}`, operation);
      });
  };
  each(servers, '/servers');
  const seenItems = new Set<string>();
  for (const site of listOperations(ctx.bundle)) {
    if (!seenItems.has(site.pathItemPointer)) {
      seenItems.add(site.pathItemPointer);
      each(site.pathItem.servers, `${site.pathItemPointer}/servers`);
    }
    each(site.operation.servers, `${site.pointer}/servers`, site.label);
  }
  const links = isObject(ctx.bundle.components) ? ctx.bundle.components.links : undefined;
  if (isObject(links)) {
    for (const name of Object.keys(links)) {
      const link = links[name];
      if (isObject(link) && link.server !== undefined)
        checkServerVariables(ctx, link.server, `${appendPointer('/components/links', name)}/server`);
    }
  }
}

/** Spectral's serverVariables (with `checkSubstitutions` and `requireDefault`), worded as it words them. */
function checkServerVariables(ctx: RuleContext, server: unknown, at: string, operation?: string): void {
  if (!isObject(server) || typeof server.url !== 'string') return;
  const report = (pointer: string, message: string) =>
    ctx.report({ rule: 'oas3-server-variables', pointer, message, ...(operation ? { operation } : {}) });
  const url = server.url;
  const variables = isObject(server.variables) ? server.variables : undefined;
  const found = (url.match(/{(.+?)}/g) ?? []).map((v) => v.slice(1, -1));
  const defined = variables ? Object.keys(variables) : [];
  for (const name of defined) {
    if (!found.includes(name))
      report(
        appendPointer(`${at}/variables`, name),
        `Server's "variables" object has unused defined "${name}" url variable.`,
      );
  }
  if (found.length === 0) return;
  const missing = found.filter((name) => !defined.includes(name));
  if (missing.length > 0)
    report(
      `${at}/variables`,
      `Not all server's variables are described with "variables" object. Missed: ${missing.join(', ')}.`,
    );
  if (!variables) return;
  const substitutions: [string, string[]][] = [];
  for (const name of defined) {
    if (!found.includes(name)) continue;
    const variable = variables[name];
    if (!isObject(variable)) continue;
    const where = appendPointer(`${at}/variables`, name);
    if (Array.isArray(variable.enum)) {
      substitutions.push([name, variable.enum.map(String)]);
      if (variable.default !== undefined && !variable.enum.includes(variable.default))
        report(`${where}/default`, `Server Variable "${name}" has a default not listed in the enum.`);
    } else substitutions.push([name, variable.default === undefined ? [] : [String(variable.default)]]);
    if (variable.default === undefined) report(where, `Server Variable "${name}" has a missing default.`);
  }
  const invalid = invalidSubstitutions(url, substitutions);
  if (invalid.length === 5)
    report(
      `${at}/variables`,
      `At least 5 substitutions of server variables resulted in invalid URLs: ${invalid.join(', ')} and more`,
    );
  else if (invalid.length > 0)
    report(
      `${at}/variables`,
      `A few substitutions of server variables resulted in invalid URLs: ${invalid.join(', ')}`,
    );
}

/** Up to five URLs, out of every combination of the variables' values, that do not parse as absolute URLs. */
function invalidSubstitutions(url: string, variables: [string, string[]][]): string[] {
  if (variables.length === 0) return [];
  const invalid: string[] = [];
  const visit = (text: string, i: number): void => {
    if (invalid.length === 5) return;
    if (i === variables.length) {
      if (!URL.canParse(text)) invalid.push(text);
      return;
    }
    const [name, values] = variables[i] as [string, string[]];
    for (const value of values) visit(text.replaceAll(`{${name}}`, encodeURI(value)), i + 1);
  };
  visit(url, 0);
  return invalid;
}
