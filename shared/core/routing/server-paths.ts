/**
 * The path prefixes an API is served under, read once for render, check and (through the rendered routes)
 * tenancy: the repo config's `basePath` when it sets one, else every server of the spec (OpenAPI 3 `servers`,
 * Swagger 2 `basePath`), else the root.
 *
 * A server contributes only its path: the scheme and host say where clients reach the API, which is the
 * gateway's listeners and the config's `hostnames` to decide (a host never becomes part of the path; with
 * `//api.example.com/v1` the prefix is `/v1`). Server variables in the path are not pinned to their default: an
 * `enum` variable becomes its alternatives (one value: plain text), a free variable any one path segment
 * (`[^/]+`); a leading variable whose every value is an origin (`{server}/v1`, `https://api.example.com`)
 * stands for scheme and host. Several servers with different paths are all routed (`server-paths-routed` says
 * which), except servers on a loopback host (`localhost`, 127/8, `[::1]`, `0.0.0.0`) beside other servers:
 * those are the developer's machine, never a gateway (`server-url-local`). A server whose path cannot be routed
 * as written is not routed, with `server-url-unroutable` on its `url` line: a warning beside a routed server,
 * an error when no server is left (then nothing is exposed):
 * - a relative URL (`v1`, `./v1`): it resolves against wherever the document is served, unknown here;
 * - a variable whose value may contain `/`, `?` or `#` (the default or an enum value): its segments are unknown;
 * - an enum value that is empty or not a routable segment (`..`, `%2F`, whitespace…), more than
 *   {@link maxEnumAlternatives} alternatives, or literal text a proxy rewrites (`//`, `/../`).
 * @module
 */
import type { Finding } from '../findings.js';
import { escapeRegex, type PathSegment } from '../kuma/render/path-match.js';
import type { LoadedSpec } from '../spec/types.js';
import { findUnroutablePath } from './unroutable-path.js';

/** More alternatives than this in one server variable make the server unroutable (say which one to serve). */
export const maxEnumAlternatives = 64;

export interface ServerBase {
  /** The prefix as written, variables kept: `` (the root), `/v1`, `/{version}/api`. */
  template: string;
  /** For people and for change detection: enum variables spelt out, `/{v1|v2}/api`; `/` for the root. */
  display: string;
  /** Its segments after the leading `/` (none for the root); a variable's segment carries its regex. */
  segments: PathSegment[];
}

export interface ServerPaths {
  /** Distinct prefixes, in the order of the servers; empty when no server can be routed. */
  bases: ServerBase[];
  /** Where they come from. */
  source: 'config' | 'servers' | 'swagger' | 'default';
  /** `server-url-unroutable` (error, or warning beside a routed server); `server-url-local`, `server-paths-routed` (info). */
  findings: Finding[];
}

const root: ServerBase = { template: '', display: '/', segments: [] };

export function readServerPaths(spec: LoadedSpec, configBasePath?: string): ServerPaths {
  const bundle = spec.bundle ?? {};
  if (configBasePath !== undefined)
    return { bases: [literalBase(configBasePath)], source: 'config', findings: [] };
  if (spec.version === '2.0') {
    const basePath = typeof bundle.basePath === 'string' ? bundle.basePath : '';
    return { bases: [literalBase(basePath)], source: 'swagger', findings: [] };
  }
  const servers = Array.isArray(bundle.servers) ? bundle.servers : [];
  const read = servers.flatMap((server, index) => {
    const value = isObject(server) ? server : {};
    if (typeof value.url !== 'string') return [];
    const variables = isObject(value.variables) ? value.variables : {};
    const read = readServer(value.url, variables);
    return [
      {
        index,
        url: value.url,
        ...read,
        ...('problem' in read ? { example: pathAtDefaults(value.url, variables) } : {}),
      },
    ];
  });
  if (read.length === 0) return { bases: [root], source: 'default', findings: [] };
  const findings: Finding[] = [];
  // A server on the developer's machine is not where a gateway serves the API: not routed beside real ones.
  const local = read.filter((server) => 'loopback' in server && server.loopback);
  const skipLocal = local.length < read.filter((server) => !('problem' in server)).length;
  const bases = new Map<string, { base: ServerBase; servers: number[] }>();
  for (const server of read) {
    if ('problem' in server || (skipLocal && server.loopback)) continue;
    const key = server.base.segments.map((segment) => segment.pattern ?? escapeRegex(segment.text)).join('/');
    const known = bases.get(key);
    if (known) known.servers.push(server.index);
    else bases.set(key, { base: server.base, servers: [server.index] });
  }
  for (const server of read) {
    if (!('problem' in server)) continue;
    // Beside a routed server this one is only not served (a warning); with none, nothing is (an error).
    const consequence =
      bases.size > 0
        ? 'this server is not routed; set basePath in the repo config to choose the path'
        : 'no server of the spec can be routed, so no operation is exposed; set basePath in the repo config';
    const example = server.example
      ? `; with its variables at their defaults the path is ${JSON.stringify(server.example)}`
      : '';
    findings.push({
      kind: 'routing',
      id: 'server-url-unroutable',
      severity: bases.size > 0 ? 'warning' : 'error',
      message: `server ${JSON.stringify(server.url)} cannot be routed: ${server.problem}; ${consequence}${example}`,
      ...spec.locate(`/servers/${server.index}/url`),
    });
  }
  if (skipLocal) {
    for (const server of local) {
      findings.push({
        kind: 'routing',
        id: 'server-url-local',
        severity: 'info',
        message: `server ${JSON.stringify(server.url)} is on the developer's machine (a loopback host), not a gateway: its path is not routed`,
        ...spec.locate(`/servers/${server.index}/url`),
      });
    }
  }
  if (bases.size > 1) {
    const list = [...bases.values()]
      .map(
        ({ base, servers }) =>
          `\`${base.display}\` (server${servers.length > 1 ? 's' : ''} ${servers.join(', ')})`,
      )
      .join(', ');
    findings.push({
      kind: 'routing',
      id: 'server-paths-routed',
      severity: 'info',
      message: `the servers have ${bases.size} different paths and every operation is routed under each: ${list}; set basePath in the repo config to serve only one`,
      ...spec.locate('/servers'),
    });
  }
  return { bases: [...bases.values()].map(({ base }) => base), source: 'servers', findings };
}

/** A literal prefix (the config's `basePath`, Swagger 2 `basePath`): no variables, no trailing `/`. */
function literalBase(path: string): ServerBase {
  const trimmed = path.trim().replace(/\/+$/, '');
  if (trimmed === '') return root;
  const template = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return {
    template,
    display: template,
    segments: template
      .slice(1)
      .split('/')
      .map((text) => ({ text })),
  };
}

/** A variable's stand-in while the URL's structure is parsed: one private-use character per variable. */
const placeholderBase = 0xe000;

/** `https://host:port` or `//host`: an origin, no path. */
const origin = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]+$/;

/** A host on the developer's own machine (RFC 6761 `localhost`, 127/8, ::1, 0.0.0.0), never a gateway. */
function isLoopback(authority: string): boolean {
  const host = authority.replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase();
  return /^(?:localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)\.?$/.test(host);
}

function readServer(
  url: string,
  variables: Record<string, unknown>,
): { base: ServerBase; loopback: boolean } | { problem: string } {
  // A leading variable whose every value is an origin (`{server}/v1`, default `https://api.example.com`) stands
  // for scheme and host: only the rest is a path.
  const leading = /^\{([^{}/]*)\}(?=$|[/?#])/.exec(url);
  const originValues = leading ? listValues(variables[leading[1]!]) : [];
  const isOrigin = originValues.length > 0 && originValues.every((value) => origin.test(value));
  if (leading && !isOrigin) {
    const known =
      originValues.length > 0 ? ` (${originValues.map((v) => JSON.stringify(v)).join(', ')})` : '';
    return {
      problem: `variable "${leading[1]}" stands for the start of the URL and its values${known} are not all origins like "https://host", so the server's path is not known`,
    };
  }
  const rest = isOrigin ? url.slice(leading![0].length) : url;
  const parsed = readServerPath(isOrigin ? `//origin${rest}` : rest, variables);
  if ('problem' in parsed) return parsed;
  const loopback = isOrigin
    ? originValues.every((value) => isLoopback(value.replace(/^[^/]*\/\//, '')))
    : parsed.loopback;
  return { base: parsed.base, loopback };
}

function readServerPath(
  url: string,
  variables: Record<string, unknown>,
): { base: ServerBase; loopback: boolean } | { problem: string } {
  // Variables are replaced by stand-ins so `://`, `/`, `?` and `#` are found in the literal text only; a
  // variable whose values hold one of them would move them, so it is refused first.
  const names: string[] = [];
  const shape = url.replace(/\{([^{}/]*)\}/g, (_, name: string) => {
    names.push(name);
    return String.fromCharCode(placeholderBase + names.length - 1);
  });
  if (names.length > 0x1000) return { problem: 'it has too many variables' };
  for (const name of new Set(names)) {
    const spanning = listValues(variables[name]).find((value) => /[/?#]/.test(value));
    if (spanning !== undefined)
      return {
        problem: `variable "${name}" may be ${JSON.stringify(spanning)}, which contains "${/[/?#]/.exec(spanning)![0]}", so the server's path segments are not known`,
      };
  }
  const authority = /^(?:[^/?#]*:)?\/\/([^/?#]*)/.exec(shape)?.[1];
  const loopback = authority !== undefined && !/[\ue000-\uefff]/.test(authority) && isLoopback(authority);
  const rest = /^[^/?#]*:\/\//.test(shape)
    ? shape.replace(/^[^/?#]*:\/\/[^/?#]*/, '')
    : shape.startsWith('//')
      ? shape.replace(/^\/\/[^/?#]*/, '')
      : shape === '' || shape.startsWith('/') || shape.startsWith('?') || shape.startsWith('#')
        ? shape
        : undefined;
  if (rest === undefined) {
    return {
      problem:
        'a relative URL is resolved against wherever the document itself is served, which the gateway cannot know; write an absolute path ("/v1") or a full URL',
    };
  }
  const path = rest.replace(/[?#].*$/s, '').replace(/\/+$/, '');
  if (path === '') return { base: root, loopback };
  if (/[{}]/.test(path)) return { problem: 'its path has a "{" or "}" that is not a variable' };
  const parts = path.slice(1).split('/');
  const literal = `/${parts.join('/')}`.replace(/[\ue000-\uefff]/g, 'p');
  const unroutable = findUnroutablePath(literal);
  if (unroutable) return { problem: `its path ${unroutable.replace(/^it /, '')}` };
  const segments: PathSegment[] = [];
  const templates: string[] = [];
  const displays: string[] = [];
  for (const part of parts) {
    const pieces = part.split(/([\ue000-\uefff])/);
    let pattern = '';
    let text = '';
    let display = '';
    let templated = false;
    for (const [index, piece] of pieces.entries()) {
      if (index % 2 === 0) {
        pattern += escapeRegex(piece);
        text += piece;
        display += piece;
        continue;
      }
      const name = names[piece.charCodeAt(0) - placeholderBase]!;
      const variable = variables[name];
      const values =
        isObject(variable) && Array.isArray(variable.enum)
          ? variable.enum.filter(isScalar).map(String)
          : undefined;
      if (values === undefined) {
        templated = true;
        pattern += '[^/]+';
        text += `{${name}}`;
        display += `{${name}}`;
        continue;
      }
      const problem = checkAlternatives(name, values);
      if (problem) return { problem };
      const distinct = [...new Set(values)];
      if (distinct.length === 1) {
        pattern += escapeRegex(distinct[0]!);
        text += distinct[0];
        display += distinct[0];
        continue;
      }
      templated = true;
      pattern += `(?:${distinct.map(escapeRegex).join('|')})`;
      text += `{${name}}`;
      display += `{${distinct.join('|')}}`;
    }
    segments.push(templated ? { text, pattern } : { text });
    templates.push(text);
    displays.push(display);
  }
  return {
    base: { template: `/${templates.join('/')}`, display: `/${displays.join('/')}`, segments },
    loopback,
  };
}

/** Why an enum's values cannot all be one path segment's alternatives; undefined when they can. */
function checkAlternatives(name: string, values: string[]): string | undefined {
  if (values.length === 0) return `variable "${name}" has an empty enum, so no request can match it`;
  if (values.length > maxEnumAlternatives)
    return `variable "${name}" has ${values.length} values, more than the ${maxEnumAlternatives} a route may spell out; pick the one to serve with basePath in the repo config`;
  for (const value of values) {
    if (value === '')
      return `variable "${name}" may be empty, which would leave an empty path segment a proxy merges`;
    const reason = findUnroutablePath(`/${value}`);
    if (reason)
      return `variable "${name}" may be ${JSON.stringify(value)}, and then ${reason.replace(/^it /, 'the path ')}`;
  }
  return undefined;
}

/** The path the URL has with every variable at its default, as a basePath to suggest; undefined if none. */
function pathAtDefaults(url: string, variables: Record<string, unknown>): string | undefined {
  const filled = url.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    const variable = variables[name];
    return isObject(variable) && isScalar(variable.default) ? String(variable.default) : '';
  });
  try {
    const path = new URL(filled).pathname.replace(/\/+$/, '');
    return path !== '' && findUnroutablePath(path) === undefined ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The values a server variable may take that we know of: its `enum`, and its `default`. */
function listValues(variable: unknown): string[] {
  if (!isObject(variable)) return [];
  const values = Array.isArray(variable.enum) ? variable.enum.filter(isScalar).map(String) : [];
  if (isScalar(variable.default)) values.push(String(variable.default));
  return values;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
