/**
 * Document-level rules: info, global tags, servers (3.x) and host/schemes (2.0).
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { isNonEmptyString, isObject, type JsonObject, listOperations, quote } from './spec-walk.js';
import type { RuleContext } from './types.js';

export function checkDocument(ctx: RuleContext): void {
  checkInfo(ctx);
  checkTags(ctx);
  if (ctx.version === '2.0') checkHost(ctx);
  else checkServers(ctx);
}

function checkInfo(ctx: RuleContext): void {
  const info = isObject(ctx.bundle.info) ? ctx.bundle.info : {};
  const at = isObject(ctx.bundle.info) ? '/info' : '';
  if (!isNonEmptyString(info.description)) {
    ctx.report({
      rule: 'info-description',
      pointer: at,
      message: 'Add a non-empty info.description: say what the API is for.',
    });
  }
  if (!isObject(info.contact)) {
    ctx.report({
      rule: 'info-contact',
      pointer: at,
      message: 'Add info.contact so consumers know who owns this API.',
    });
  } else {
    for (const field of ['name', 'url', 'email']) {
      if (!isNonEmptyString(info.contact[field])) {
        const message = `Add info.contact.${field}.`;
        ctx.report({ rule: 'contact-properties', pointer: '/info/contact', message });
      }
    }
  }
  if (!isObject(info.license)) {
    ctx.report({ rule: 'info-license', pointer: at, message: 'Add info.license.' });
  } else if (!isNonEmptyString(info.license.url)) {
    ctx.report({ rule: 'license-url', pointer: '/info/license', message: 'Add info.license.url.' });
  }
}

function checkTags(ctx: RuleContext): void {
  const tags = ctx.bundle.tags;
  if (!Array.isArray(tags) || tags.length === 0) {
    ctx.report({ rule: 'openapi-tags', pointer: '', message: 'Add a non-empty top-level "tags" list.' });
    return;
  }
  const seen = new Map<string, number>();
  let previous: string | undefined;
  tags.forEach((tag, index) => {
    if (!isObject(tag) || typeof tag.name !== 'string') return;
    const pointer = `/tags/${index}`;
    const first = seen.get(tag.name);
    if (first !== undefined) {
      const message = `Tag ${quote(tag.name)} is already defined at tags[${first}]: remove the duplicate.`;
      ctx.report({ rule: 'openapi-tags-uniqueness', pointer: `${pointer}/name`, message });
    } else seen.set(tag.name, index);
    if (previous !== undefined && tag.name.localeCompare(previous) < 0) {
      const message = `Tag ${quote(tag.name)} should come before ${quote(previous)}: keep tags in alphabetical order.`;
      ctx.report({ rule: 'openapi-tags-alphabetical', pointer, message });
    }
    previous = tag.name;
    if (!isNonEmptyString(tag.description)) {
      const message = `Tag ${quote(tag.name)} needs a description.`;
      ctx.report({ rule: 'tag-description', pointer, message });
    }
  });
}

function checkHost(ctx: RuleContext): void {
  const { host, schemes } = ctx.bundle;
  if (!isNonEmptyString(host)) {
    const pointer = host === undefined ? '' : '/host';
    ctx.report({ rule: 'oas2-api-host', pointer, message: 'Add "host": the API needs an address.' });
  } else {
    if (host.endsWith('/')) {
      ctx.report({
        rule: 'oas2-host-trailing-slash',
        pointer: '/host',
        message: 'Remove the trailing slash from "host".',
      });
    }
    if (/example\.com/.test(host)) {
      ctx.report({
        rule: 'oas2-host-not-example',
        pointer: '/host',
        message: '"host" points at example.com.',
      });
    }
  }
  if (!Array.isArray(schemes) || schemes.length === 0 || !schemes.every((s) => typeof s === 'string')) {
    const pointer = schemes === undefined ? '' : '/schemes';
    ctx.report({ rule: 'oas2-api-schemes', pointer, message: 'Add "schemes", e.g. [https].' });
  }
}

function checkServers(ctx: RuleContext): void {
  const servers = ctx.bundle.servers;
  if (!Array.isArray(servers) || servers.length === 0) {
    const pointer = servers === undefined ? '' : '/servers';
    const message =
      'Add "servers" with at least one URL so clients and the gateway know where the API lives.';
    ctx.report({ rule: 'oas3-api-servers', pointer, message });
  } else {
    checkServerList(ctx, servers, '/servers', undefined);
  }
  for (const site of listOperations(ctx.bundle)) {
    // Path-level servers are checked once, with the first operation of the path.
    if (Array.isArray(site.pathItem.servers) && site.method === firstMethod(site.pathItem)) {
      checkServerList(ctx, site.pathItem.servers, `${site.pathItemPointer}/servers`, undefined);
    }
    if (Array.isArray(site.operation.servers)) {
      checkServerList(ctx, site.operation.servers, `${site.pointer}/servers`, site.label);
    }
  }
}

function firstMethod(pathItem: JsonObject): string | undefined {
  return ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].find((m) =>
    isObject(pathItem[m]),
  );
}

function checkServerList(
  ctx: RuleContext,
  servers: unknown[],
  at: string,
  operation: string | undefined,
): void {
  const op = operation === undefined ? {} : { operation };
  servers.forEach((server, index) => {
    const pointer = `${at}/${index}`;
    if (!isObject(server) || !isNonEmptyString(server.url)) {
      ctx.report({
        rule: 'oas3-api-servers',
        pointer,
        message: 'Give this server a non-empty "url".',
        ...op,
      });
      return;
    }
    const url = server.url;
    const variables = isObject(server.variables) ? server.variables : {};
    const used = [...url.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');
    if (!isValidServerUrl(url, variables)) {
      const message = `Server URL ${quote(url)} is not a valid URL: use an absolute URL or a path starting with "/".`;
      ctx.report({ rule: 'oas3-api-servers', pointer: `${pointer}/url`, message, ...op });
    }
    if (/.\/$/.test(url)) {
      const message = `Remove the trailing slash from server URL ${quote(url)}: paths already start with "/".`;
      ctx.report({ rule: 'oas3-server-trailing-slash', pointer: `${pointer}/url`, message, ...op });
    }
    if (/example\.com/.test(url)) {
      const message = `Server URL ${quote(url)} points at example.com.`;
      ctx.report({ rule: 'oas3-server-not-example.com', pointer: `${pointer}/url`, message, ...op });
    }
    for (const name of new Set(used)) {
      if (!Object.hasOwn(variables, name)) {
        const message = `Server URL uses {${name}} but "variables" does not define it: add variables.${name} with a default.`;
        ctx.report({ rule: 'oas3-server-variables', pointer: `${pointer}/url`, message, ...op });
      }
    }
    for (const [name, variable] of Object.entries(variables)) {
      const varPointer = appendPointer(`${pointer}/variables`, name);
      if (!used.includes(name)) {
        const message = `Server variable "${name}" is not used in the URL: remove it or use {${name}}.`;
        ctx.report({ rule: 'oas3-server-variables', pointer: varPointer, message, ...op });
      }
      if (!isObject(variable) || typeof variable.default !== 'string') {
        const message = `Server variable "${name}" needs a string "default".`;
        ctx.report({ rule: 'oas3-server-variables', pointer: varPointer, message, ...op });
      } else if (Array.isArray(variable.enum) && !variable.enum.includes(variable.default)) {
        const message = `Default ${quote(variable.default)} of server variable "${name}" is not one of its enum values.`;
        ctx.report({ rule: 'oas3-server-variables', pointer: `${varPointer}/default`, message, ...op });
      }
    }
  });
}

/** A server URL is valid when, with its variables at their defaults, it is an absolute or relative URL. */
function isValidServerUrl(url: string, variables: JsonObject): boolean {
  const expanded = url.replace(/\{([^}]*)\}/g, (_, name: string) => {
    const variable = variables[name];
    return isObject(variable) && typeof variable.default === 'string' ? variable.default : 'x';
  });
  if (/\s/.test(expanded)) return false;
  try {
    new URL(expanded, 'https://relative.invalid/');
    return true;
  } catch {
    return false;
  }
}
