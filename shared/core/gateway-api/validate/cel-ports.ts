/**
 * The `x-kubernetes-validations` CEL rules of the vendored CRDs (HTTPRoute, ReferenceGrant, SecurityPolicy,
 * BackendTrafficPolicy, ClientTrafficPolicy), each ported to TypeScript. A port is keyed by the exact text of
 * the rule it ports (whitespace collapsed), so the rule is its citation; the validator runs it at every place
 * the schema attaches that rule, on the object after the schema's defaults are applied (as the API server
 * does). Not a CEL interpreter: each entry is the rule written as code. `test/gateway-api/cel-coverage.test.ts`
 * fails when a vendored rule has no port here and is not listed in {@link celRulesNotPorted}.
 * @module
 */
import { parseGoDuration } from '../../kuma/validate/go-duration.js';

// biome-ignore lint/suspicious/noExplicitAny: CEL's values are dynamic; a port reads them as the rule does.
type Cel = any;
/** True when the rule holds for `self`; throwing is CEL's evaluation error (e.g. a missing field read). */
export type CelPort = (self: Cel) => boolean;

/** CEL's `has()`: the field is set. */
const has = (value: unknown): boolean => value !== undefined && value !== null;
const count = (list: Cel[], predicate: (item: Cel) => boolean): number => list.filter(predicate).length;
const sum = (list: Cel[], term: (item: Cel) => number): number =>
  list.reduce((total: number, item) => total + term(item), 0);
const oneOf = (...set: boolean[]): boolean => set.filter(Boolean).length === 1;
const lowerAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const upperAscii = (text: string): string => text.replace(/[a-z]/g, (c) => c.toUpperCase());
const gatewayGroup = 'gateway.networking.k8s.io';

/** CEL's `duration()` of a Go duration string, in milliseconds; an unparsable one is an evaluation error. */
function duration(text: unknown): number {
  const ms = typeof text === 'string' ? parseGoDuration(text) : undefined;
  if (ms === undefined) throw new Error(`not a duration: ${String(text)}`);
  return ms;
}

/** A CEL map literal's lookup: a missing key is an evaluation error. */
function lookup(map: Record<string, number>, key: unknown): number {
  const value = typeof key === 'string' ? map[key] : undefined;
  if (value === undefined) throw new Error(`no such key: ${String(key)}`);
  return value;
}
const minTls = { Auto: 0, '1.0': 1, '1.1': 2, '1.2': 3, '1.3': 4 };
const maxTls = { '1.0': 1, '1.1': 2, '1.2': 3, '1.3': 4, Auto: 5 };

/** HTTPRoute parentRefs: same group, kind, name and (empty-or-equal) namespace. */
function sameParent(p1: Cel, p2: Cel): boolean {
  const noNamespace = (p: Cel) => !has(p.namespace) || p.namespace === '';
  return (
    p1.group === p2.group &&
    p1.kind === p2.kind &&
    p1.name === p2.name &&
    ((noNamespace(p1) && noNamespace(p2)) ||
      (has(p1.namespace) && has(p2.namespace) && p1.namespace === p2.namespace))
  );
}
const noSection = (p: Cel): boolean => !has(p.sectionName) || p.sectionName === '';
const sameSection = (p1: Cel, p2: Cel): boolean =>
  (noSection(p1) && noSection(p2)) ||
  (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName === p2.sectionName);

/** A RequestRedirect or URLRewrite filter body with `path.type: ReplacePrefixMatch` and its value. */
const replacesPrefix = (filter: Cel): boolean =>
  has(filter) &&
  has(filter.path) &&
  filter.path.type === 'ReplacePrefixMatch' &&
  has(filter.path.replacePrefixMatch);
/** The rule has exactly one match, and it is a PathPrefix path match. */
const onePrefixMatch = (rule: Cel): boolean =>
  !(rule.matches.length !== 1 || !has(rule.matches[0].path) || rule.matches[0].path.type !== 'PathPrefix');
const literalPath = (match: Cel): boolean => ['Exact', 'PathPrefix'].includes(match.type);

/** Every targetRef, targetRefs[*] and targetSelectors[*] has one of `kinds`. */
const targetsOnly = (policy: Cel, kinds: string[]): boolean =>
  (!has(policy.targetRef) || kinds.includes(policy.targetRef.kind)) &&
  (!has(policy.targetRefs) || policy.targetRefs.every((ref: Cel) => kinds.includes(ref.kind))) &&
  (!has(policy.targetSelectors) || policy.targetSelectors.every((sel: Cel) => kinds.includes(sel.kind)));

/** The rule's text as the key of its port: whitespace runs collapsed, ends trimmed. */
export function celRuleKey(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

const ports: [rule: string, holds: CelPort][] = [
  // HTTPRoute
  // sectionName must be specified when parentRefs includes 2 or more references to the same parent
  [
    "self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))",
    (self) =>
      self.every((p1: Cel) =>
        self.every((p2: Cel) => (sameParent(p1, p2) ? noSection(p1) === noSection(p2) : true)),
      ),
  ],
  // sectionName must be unique when parentRefs includes 2 or more references to the same parent
  [
    "self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))",
    (self) => self.every((p1: Cel) => count(self, (p2) => sameParent(p1, p2) && sameSection(p1, p2)) === 1),
  ],
  // While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128
  [
    '(self.size() > 0 ? self[0].matches.size() : 0) + (self.size() > 1 ? self[1].matches.size() : 0) + (self.size() > 2 ? self[2].matches.size() : 0) + (self.size() > 3 ? self[3].matches.size() : 0) + (self.size() > 4 ? self[4].matches.size() : 0) + (self.size() > 5 ? self[5].matches.size() : 0) + (self.size() > 6 ? self[6].matches.size() : 0) + (self.size() > 7 ? self[7].matches.size() : 0) + (self.size() > 8 ? self[8].matches.size() : 0) + (self.size() > 9 ? self[9].matches.size() : 0) + (self.size() > 10 ? self[10].matches.size() : 0) + (self.size() > 11 ? self[11].matches.size() : 0) + (self.size() > 12 ? self[12].matches.size() : 0) + (self.size() > 13 ? self[13].matches.size() : 0) + (self.size() > 14 ? self[14].matches.size() : 0) + (self.size() > 15 ? self[15].matches.size() : 0) <= 128',
    (self) => sum(self.slice(0, 16), (rule) => rule.matches.length) <= 128,
  ],
  // RequestRedirect filter must not be used together with backendRefs
  [
    '(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true',
    (self) =>
      has(self.backendRefs) && self.backendRefs.length > 0
        ? !has(self.filters) || self.filters.every((f: Cel) => !has(f.requestRedirect))
        : true,
  ],
  // When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified
  [
    "(has(self.filters) && self.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true",
    (self) =>
      has(self.filters) && count(self.filters, (f) => replacesPrefix(f.requestRedirect)) === 1
        ? onePrefixMatch(self)
        : true,
  ],
  // When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified
  [
    "(has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true",
    (self) =>
      has(self.filters) && count(self.filters, (f) => replacesPrefix(f.urlRewrite)) === 1
        ? onePrefixMatch(self)
        : true,
  ],
  // Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified
  [
    "(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.requestRedirect) && has(f.requestRedirect.path) && f.requestRedirect.path.type == 'ReplacePrefixMatch' && has(f.requestRedirect.path.replacePrefixMatch))) )) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true",
    (self) =>
      has(self.backendRefs) &&
      count(
        self.backendRefs,
        (b) => has(b.filters) && count(b.filters, (f) => replacesPrefix(f.requestRedirect)) === 1,
      ) === 1
        ? onePrefixMatch(self)
        : true,
  ],
  // Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified
  [
    "(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, has(f.urlRewrite) && has(f.urlRewrite.path) && f.urlRewrite.path.type == 'ReplacePrefixMatch' && has(f.urlRewrite.path.replacePrefixMatch))) )) ? ((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true) : true",
    (self) =>
      has(self.backendRefs) &&
      count(
        self.backendRefs,
        (b) => has(b.filters) && count(b.filters, (f) => replacesPrefix(f.urlRewrite)) === 1,
      ) === 1
        ? onePrefixMatch(self)
        : true,
  ],
  // Must have port for Service reference
  [
    "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
    (self) => (self.group.length === 0 && self.kind === 'Service' ? has(self.port) : true),
  ],
  // May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both
  [
    "!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))",
    (self) =>
      !(
        self.some((f: Cel) => f.type === 'RequestRedirect') && self.some((f: Cel) => f.type === 'URLRewrite')
      ),
  ],
  // CORS filter cannot be repeated
  ["self.filter(f, f.type == 'CORS').size() <= 1", (self) => count(self, (f) => f.type === 'CORS') <= 1],
  // RequestHeaderModifier filter cannot be repeated
  [
    "self.filter(f, f.type == 'RequestHeaderModifier').size() <= 1",
    (self) => count(self, (f) => f.type === 'RequestHeaderModifier') <= 1,
  ],
  // ResponseHeaderModifier filter cannot be repeated
  [
    "self.filter(f, f.type == 'ResponseHeaderModifier').size() <= 1",
    (self) => count(self, (f) => f.type === 'ResponseHeaderModifier') <= 1,
  ],
  // RequestRedirect filter cannot be repeated
  [
    "self.filter(f, f.type == 'RequestRedirect').size() <= 1",
    (self) => count(self, (f) => f.type === 'RequestRedirect') <= 1,
  ],
  // URLRewrite filter cannot be repeated
  [
    "self.filter(f, f.type == 'URLRewrite').size() <= 1",
    (self) => count(self, (f) => f.type === 'URLRewrite') <= 1,
  ],
  // filter.cors must be nil if the filter.type is not CORS
  ["!(has(self.cors) && self.type != 'CORS')", (self) => !(has(self.cors) && self.type !== 'CORS')],
  // filter.cors must be specified for CORS filter.type
  ["!(!has(self.cors) && self.type == 'CORS')", (self) => !(!has(self.cors) && self.type === 'CORS')],
  // filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier
  [
    "!(has(self.requestHeaderModifier) && self.type != 'RequestHeaderModifier')",
    (self) => !(has(self.requestHeaderModifier) && self.type !== 'RequestHeaderModifier'),
  ],
  // filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type
  [
    "!(!has(self.requestHeaderModifier) && self.type == 'RequestHeaderModifier')",
    (self) => !(!has(self.requestHeaderModifier) && self.type === 'RequestHeaderModifier'),
  ],
  // filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier
  [
    "!(has(self.responseHeaderModifier) && self.type != 'ResponseHeaderModifier')",
    (self) => !(has(self.responseHeaderModifier) && self.type !== 'ResponseHeaderModifier'),
  ],
  // filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type
  [
    "!(!has(self.responseHeaderModifier) && self.type == 'ResponseHeaderModifier')",
    (self) => !(!has(self.responseHeaderModifier) && self.type === 'ResponseHeaderModifier'),
  ],
  // filter.requestMirror must be nil if the filter.type is not RequestMirror
  [
    "!(has(self.requestMirror) && self.type != 'RequestMirror')",
    (self) => !(has(self.requestMirror) && self.type !== 'RequestMirror'),
  ],
  // filter.requestMirror must be specified for RequestMirror filter.type
  [
    "!(!has(self.requestMirror) && self.type == 'RequestMirror')",
    (self) => !(!has(self.requestMirror) && self.type === 'RequestMirror'),
  ],
  // filter.requestRedirect must be nil if the filter.type is not RequestRedirect
  [
    "!(has(self.requestRedirect) && self.type != 'RequestRedirect')",
    (self) => !(has(self.requestRedirect) && self.type !== 'RequestRedirect'),
  ],
  // filter.requestRedirect must be specified for RequestRedirect filter.type
  [
    "!(!has(self.requestRedirect) && self.type == 'RequestRedirect')",
    (self) => !(!has(self.requestRedirect) && self.type === 'RequestRedirect'),
  ],
  // filter.urlRewrite must be nil if the filter.type is not URLRewrite
  [
    "!(has(self.urlRewrite) && self.type != 'URLRewrite')",
    (self) => !(has(self.urlRewrite) && self.type !== 'URLRewrite'),
  ],
  // filter.urlRewrite must be specified for URLRewrite filter.type
  [
    "!(!has(self.urlRewrite) && self.type == 'URLRewrite')",
    (self) => !(!has(self.urlRewrite) && self.type === 'URLRewrite'),
  ],
  // filter.extensionRef must be nil if the filter.type is not ExtensionRef
  [
    "!(has(self.extensionRef) && self.type != 'ExtensionRef')",
    (self) => !(has(self.extensionRef) && self.type !== 'ExtensionRef'),
  ],
  // filter.extensionRef must be specified for ExtensionRef filter.type
  [
    "!(!has(self.extensionRef) && self.type == 'ExtensionRef')",
    (self) => !(!has(self.extensionRef) && self.type === 'ExtensionRef'),
  ],
  // AllowHeaders cannot contain '*' alongside other methods
  ["!('*' in self && self.size() > 1)", (self) => !(self.includes('*') && self.length > 1)],
  // Only one of percent or fraction may be specified in HTTPRequestMirrorFilter
  ['!(has(self.percent) && has(self.fraction))', (self) => !(has(self.percent) && has(self.fraction))],
  // numerator must be less than or equal to denominator
  ['self.numerator <= self.denominator', (self) => self.numerator <= self.denominator],
  // replaceFullPath must be specified when type is set to 'ReplaceFullPath'
  [
    "self.type == 'ReplaceFullPath' ? has(self.replaceFullPath) : true",
    (self) => (self.type === 'ReplaceFullPath' ? has(self.replaceFullPath) : true),
  ],
  // type must be 'ReplaceFullPath' when replaceFullPath is set
  [
    "has(self.replaceFullPath) ? self.type == 'ReplaceFullPath' : true",
    (self) => (has(self.replaceFullPath) ? self.type === 'ReplaceFullPath' : true),
  ],
  // replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'
  [
    "self.type == 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) : true",
    (self) => (self.type === 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) : true),
  ],
  // type must be 'ReplacePrefixMatch' when replacePrefixMatch is set
  [
    "has(self.replacePrefixMatch) ? self.type == 'ReplacePrefixMatch' : true",
    (self) => (has(self.replacePrefixMatch) ? self.type === 'ReplacePrefixMatch' : true),
  ],
  // value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? self.value.startsWith('/') : true",
    (self) => (literalPath(self) ? self.value.startsWith('/') : true),
  ],
  // must not contain '//' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('//') : true",
    (self) => (literalPath(self) ? !self.value.includes('//') : true),
  ],
  // must not contain '/./' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('/./') : true",
    (self) => (literalPath(self) ? !self.value.includes('/./') : true),
  ],
  // must not contain '/../' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('/../') : true",
    (self) => (literalPath(self) ? !self.value.includes('/../') : true),
  ],
  // must not contain '%2f' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('%2f') : true",
    (self) => (literalPath(self) ? !self.value.includes('%2f') : true),
  ],
  // must not contain '%2F' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('%2F') : true",
    (self) => (literalPath(self) ? !self.value.includes('%2F') : true),
  ],
  // must not contain '#' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.contains('#') : true",
    (self) => (literalPath(self) ? !self.value.includes('#') : true),
  ],
  // must not end with '/..' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.endsWith('/..') : true",
    (self) => (literalPath(self) ? !self.value.endsWith('/..') : true),
  ],
  // must not end with '/.' when type one of ['Exact', 'PathPrefix']
  [
    "(self.type in ['Exact','PathPrefix']) ? !self.value.endsWith('/.') : true",
    (self) => (literalPath(self) ? !self.value.endsWith('/.') : true),
  ],
  // type must be one of ['Exact', 'PathPrefix', 'RegularExpression']
  [
    "self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression'",
    (self) => literalPath(self) || self.type === 'RegularExpression',
  ],
  // must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']
  [
    '(self.type in [\'Exact\',\'PathPrefix\']) ? self.value.matches(r"""^(?:[-A-Za-z0-9/._~!$&\'()*+,;=:@]|[%][0-9a-fA-F]{2})+$""") : true',
    (self) =>
      literalPath(self) ? /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(self.value) : true,
  ],
  // backendRequest timeout cannot be longer than request timeout
  [
    "!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))",
    (self) =>
      !(
        has(self.request) &&
        has(self.backendRequest) &&
        duration(self.request) !== 0 &&
        duration(self.backendRequest) > duration(self.request)
      ),
  ],
  // SecurityPolicy
  // either targetRef or targetRefs must be used
  [
    '(has(self.targetRef) && !has(self.targetRefs)) || (!has(self.targetRef) && has(self.targetRefs)) || (has(self.targetSelectors) && self.targetSelectors.size() > 0)',
    (self) =>
      oneOf(has(self.targetRef), has(self.targetRefs)) ||
      (has(self.targetSelectors) && self.targetSelectors.length > 0),
  ],
  // this policy can only have a targetRef.group of gateway.networking.k8s.io
  [
    "has(self.targetRef) ? self.targetRef.group == 'gateway.networking.k8s.io' : true",
    (self) => (has(self.targetRef) ? self.targetRef.group === gatewayGroup : true),
  ],
  // this policy can only have a targetRef.kind of Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute
  [
    "has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute'] : true",
    (self) =>
      has(self.targetRef)
        ? ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute'].includes(self.targetRef.kind)
        : true,
  ],
  // this policy can only have a targetRefs[*].group of gateway.networking.k8s.io
  [
    "has(self.targetRefs) ? self.targetRefs.all(ref, ref.group == 'gateway.networking.k8s.io') : true",
    (self) => (has(self.targetRefs) ? self.targetRefs.every((ref: Cel) => ref.group === gatewayGroup) : true),
  ],
  // this policy can only have a targetRefs[*].kind of Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute
  [
    "has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute']) : true",
    (self) =>
      has(self.targetRefs)
        ? self.targetRefs.every((ref: Cel) =>
            ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute'].includes(ref.kind),
          )
        : true,
  ],
  // mergeType can only be used with xRoute targets
  [
    "!has(self.mergeType) || ((!has(self.targetRef) || self.targetRef.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute']) && (!has(self.targetRefs) || self.targetRefs.all(ref, ref.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute'])) && (!has(self.targetSelectors) || self.targetSelectors.all(sel, sel.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute'])))",
    (self) => !has(self.mergeType) || targetsOnly(self, ['HTTPRoute', 'GRPCRoute', 'TCPRoute']),
  ],
  // if authorization.rules.principal.jwt is used, jwt must be defined
  [
    '(has(self.authorization) && has(self.authorization.rules) && self.authorization.rules.exists(r, has(r.principal) ? has(r.principal.jwt) : false)) ? has(self.jwt) : true',
    (self) =>
      has(self.authorization) &&
      has(self.authorization.rules) &&
      self.authorization.rules.some((r: Cel) => (has(r.principal) ? has(r.principal.jwt) : false))
        ? has(self.jwt)
        : true,
  ],
  // exactly one of headers, params, or cookies must be specified
  [
    '(has(self.headers) ? 1 : 0) + (has(self.params) ? 1 : 0) + (has(self.cookies) ? 1 : 0) == 1',
    (self) => oneOf(has(self.headers), has(self.params), has(self.cookies)),
  ],
  // at least one of principal or cel must be specified
  ['has(self.principal) || has(self.cel)', (self) => has(self.principal) || has(self.cel)],
  // at least one of methods or path must be specified
  ['has(self.methods) || has(self.path)', (self) => has(self.methods) || has(self.path)],
  // at least one of clientCIDRs, jwt, headers, or clientIPGeoLocations must be specified
  [
    '(has(self.clientCIDRs) || has(self.jwt) || has(self.headers) || has(self.clientIPGeoLocations))',
    (self) => has(self.clientCIDRs) || has(self.jwt) || has(self.headers) || has(self.clientIPGeoLocations),
  ],
  // at least one of country, region, city, asn, isp, or anonymous must be specified
  [
    'has(self.country) || has(self.region) || has(self.city) || has(self.asn) || has(self.isp) || has(self.anonymous)',
    (self) =>
      has(self.country) ||
      has(self.region) ||
      has(self.city) ||
      has(self.asn) ||
      has(self.isp) ||
      has(self.anonymous),
  ],
  // at least one of isAnonymous, isVPN, isHosting, isTor, or isProxy must be specified
  [
    'has(self.isAnonymous) || has(self.isVPN) || has(self.isHosting) || has(self.isTor) || has(self.isProxy)',
    (self) =>
      has(self.isAnonymous) || has(self.isVPN) || has(self.isHosting) || has(self.isTor) || has(self.isProxy),
  ],
  // at least one of claims or scopes must be specified
  ['(has(self.claims) || has(self.scopes))', (self) => has(self.claims) || has(self.scopes)],
  // one of grpc or http must be specified
  ['(has(self.grpc) || has(self.http))', (self) => has(self.grpc) || has(self.http)],
  // only one of grpc or http can be specified
  [
    '(has(self.grpc) && !has(self.http)) || (!has(self.grpc) && has(self.http))',
    (self) => oneOf(has(self.grpc), has(self.http)),
  ],
  // Exactly one of value or valueRef must be set with correct type.
  [
    "(self.type == 'Value' && has(self.value) && !has(self.valueRef)) || (self.type == 'ValueRef' && !has(self.value) && has(self.valueRef))",
    (self) =>
      (self.type === 'Value' && has(self.value) && !has(self.valueRef)) ||
      (self.type === 'ValueRef' && !has(self.value) && has(self.valueRef)),
  ],
  // Only a reference to an object of kind ConfigMap or Secret belonging to default v1 API group is supported.
  [
    "self.kind in ['ConfigMap', 'Secret'] && self.group in ['', 'v1']",
    (self) => ['ConfigMap', 'Secret'].includes(self.kind) && ['', 'v1'].includes(self.group),
  ],
  // backendRef or backendRefs needs to be set
  [
    'has(self.backendRef) || self.backendRefs.size() > 0',
    (self) => has(self.backendRef) || self.backendRefs.length > 0,
  ],
  // BackendRefs only supports Service, ServiceImport, and Backend kind.
  [
    "has(self.backendRefs) ? self.backendRefs.all(f, f.kind == 'Service' || f.kind == 'ServiceImport' || f.kind == 'Backend') : true",
    (self) =>
      has(self.backendRefs)
        ? self.backendRefs.every((f: Cel) => ['Service', 'ServiceImport', 'Backend'].includes(f.kind))
        : true,
  ],
  // BackendRefs only supports Core, multicluster.x-k8s.io, and gateway.envoyproxy.io groups.
  [
    "has(self.backendRefs) ? (self.backendRefs.all(f, f.group == \"\" || f.group == 'multicluster.x-k8s.io' || f.group == 'gateway.envoyproxy.io')) : true",
    (self) =>
      has(self.backendRefs)
        ? self.backendRefs.every((f: Cel) =>
            ['', 'multicluster.x-k8s.io', 'gateway.envoyproxy.io'].includes(f.group),
          )
        : true,
  ],
  // predictivePercent in preconnect policy only works with RoundRobin or Random load balancers
  [
    "!((has(self.connection) && has(self.connection.preconnect) && has(self.connection.preconnect.predictivePercent)) && !(has(self.loadBalancer) && has(self.loadBalancer.type) && self.loadBalancer.type in ['Random', 'RoundRobin']))",
    (self) =>
      !(
        has(self.connection?.preconnect?.predictivePercent) &&
        !(has(self.loadBalancer?.type) && ['Random', 'RoundRobin'].includes(self.loadBalancer.type))
      ),
  ],
  // If Health Checker type is HTTP, http field needs to be set.
  [
    "self.type == 'HTTP' ? has(self.http) : !has(self.http)",
    (self) => (self.type === 'HTTP' ? has(self.http) : !has(self.http)),
  ],
  // If Health Checker type is TCP, tcp field needs to be set.
  [
    "self.type == 'TCP' ? has(self.tcp) : !has(self.tcp)",
    (self) => (self.type === 'TCP' ? has(self.tcp) : !has(self.tcp)),
  ],
  // The grpc field can only be set if the Health Checker type is GRPC.
  ["has(self.grpc) ? self.type == 'GRPC' : true", (self) => (has(self.grpc) ? self.type === 'GRPC' : true)],
  // a failure type and a success type must both be specified together
  [
    "self.exists(e, e == 'Failure' || e == 'FailureSeriesStart') == self.exists(e, e == 'Success' || e == 'HealthyTransition')",
    (self) =>
      self.some((e: Cel) => e === 'Failure' || e === 'FailureSeriesStart') ===
      self.some((e: Cel) => e === 'Success' || e === 'HealthyTransition'),
  ],
  // If ProxyHealthCheckLogSink type is File, file field needs to be set.
  [
    "self.type == 'File' ? has(self.file) : !has(self.file)",
    (self) => (self.type === 'File' ? has(self.file) : !has(self.file)),
  ],
  // The requestBody field can only be set when method is POST or PUT.
  [
    "!has(self.requestBody) || (has(self.method) && self.method.upperAscii() in ['POST','PUT'])",
    (self) =>
      !has(self.requestBody) || (has(self.method) && ['POST', 'PUT'].includes(upperAscii(self.method))),
  ],
  // If payload type is Text, text field needs to be set.
  [
    "self.type == 'Text' ? has(self.text) : !has(self.text)",
    (self) => (self.type === 'Text' ? has(self.text) : !has(self.text)),
  ],
  // If payload type is Binary, binary field needs to be set.
  [
    "self.type == 'Binary' ? has(self.binary) : !has(self.binary)",
    (self) => (self.type === 'Binary' ? has(self.binary) : !has(self.binary)),
  ],
  // timeout must be less than interval
  [
    '!has(self.timeout) || !has(self.interval) || duration(self.timeout) < duration(self.interval)',
    (self) => !has(self.timeout) || !has(self.interval) || duration(self.timeout) < duration(self.interval),
  ],
  // If LoadBalancer type is consistentHash, consistentHash field needs to be set.
  [
    "self.type == 'ConsistentHash' ? has(self.consistentHash) : !has(self.consistentHash)",
    (self) => (self.type === 'ConsistentHash' ? has(self.consistentHash) : !has(self.consistentHash)),
  ],
  // If LoadBalancer type is BackendUtilization, backendUtilization field needs to be set.
  [
    "self.type == 'BackendUtilization' ? has(self.backendUtilization) : !has(self.backendUtilization)",
    (self) =>
      self.type === 'BackendUtilization' ? has(self.backendUtilization) : !has(self.backendUtilization),
  ],
  // If LoadBalancer type is DynamicModule, dynamicModule field needs to be set.
  [
    "self.type == 'DynamicModule' ? has(self.dynamicModule) : !has(self.dynamicModule)",
    (self) => (self.type === 'DynamicModule' ? has(self.dynamicModule) : !has(self.dynamicModule)),
  ],
  // Currently SlowStart is only supported for RoundRobin, LeastRequest, and BackendUtilization load balancers.
  [
    "self.type in ['Random', 'ConsistentHash', 'DynamicModule'] ? !has(self.slowStart) : true",
    (self) =>
      ['Random', 'ConsistentHash', 'DynamicModule'].includes(self.type) ? !has(self.slowStart) : true,
  ],
  // PreferLocal zone-aware routing is not supported for ConsistentHash load balancers. Use weightedZones instead.
  [
    "self.type == 'ConsistentHash' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true",
    (self) =>
      self.type === 'ConsistentHash' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true,
  ],
  // PreferLocal zone-aware routing is not currently supported for BackendUtilization load balancers. Only WeightedZones can be used with BackendUtilization.
  [
    "self.type == 'BackendUtilization' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true",
    (self) =>
      self.type === 'BackendUtilization' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true,
  ],
  // ZoneAware routing is not supported for DynamicModule load balancers.
  [
    "self.type == 'DynamicModule' ? !has(self.zoneAware) : true",
    (self) => (self.type === 'DynamicModule' ? !has(self.zoneAware) : true),
  ],
  // ZoneAware PreferLocal and WeightedZones cannot be specified together.
  [
    'has(self.zoneAware) ? !(has(self.zoneAware.preferLocal) && has(self.zoneAware.weightedZones)) : true',
    (self) =>
      has(self.zoneAware) ? !(has(self.zoneAware.preferLocal) && has(self.zoneAware.weightedZones)) : true,
  ],
  // EndpointOverride is not supported for DynamicModule load balancers.
  [
    "self.type == 'DynamicModule' ? !has(self.endpointOverride) : true",
    (self) => (self.type === 'DynamicModule' ? !has(self.endpointOverride) : true),
  ],
  // reportingPeriod must be greater than 0
  ["duration(self) > duration('0s')", (self) => duration(self) > 0],
  // If consistent hash type is header, the header field must be set.
  [
    "self.type == 'Header' ? has(self.header) : !has(self.header)",
    (self) => (self.type === 'Header' ? has(self.header) : !has(self.header)),
  ],
  // If consistent hash type is headers, the headers field must be set.
  [
    "self.type == 'Headers' ? has(self.headers) : !has(self.headers)",
    (self) => (self.type === 'Headers' ? has(self.headers) : !has(self.headers)),
  ],
  // If consistent hash type is cookie, the cookie field must be set.
  [
    "self.type == 'Cookie' ? has(self.cookie) : !has(self.cookie)",
    (self) => (self.type === 'Cookie' ? has(self.cookie) : !has(self.cookie)),
  ],
  // If consistent hash type is queryParams, the queryParams field must be set.
  [
    "self.type == 'QueryParams' ? has(self.queryParams) : !has(self.queryParams)",
    (self) => (self.type === 'QueryParams' ? has(self.queryParams) : !has(self.queryParams)),
  ],
  // only one of path or pathOverride can be specified
  ['!(has(self.path) && has(self.pathOverride))', (self) => !(has(self.path) && has(self.pathOverride))],
  // optional and failOpen cannot both be set; failOpen already tolerates a missing JWT
  ['!(has(self.optional) && has(self.failOpen))', (self) => !(has(self.optional) && has(self.failOpen))],
  // claimToHeaders must be specified if recomputeRoute is enabled.
  [
    '(has(self.recomputeRoute) && self.recomputeRoute) ? size(self.claimToHeaders) > 0 : true',
    (self) => (has(self.recomputeRoute) && self.recomputeRoute ? self.claimToHeaders.length > 0 : true),
  ],
  // either remoteJWKS or localJWKS must be specified.
  ['has(self.remoteJWKS) || has(self.localJWKS)', (self) => has(self.remoteJWKS) || has(self.localJWKS)],
  // remoteJWKS and localJWKS cannot both be specified.
  [
    '!(has(self.remoteJWKS) && has(self.localJWKS))',
    (self) => !(has(self.remoteJWKS) && has(self.localJWKS)),
  ],
  // Exactly one of inline or valueRef must be set with correct type.
  [
    "(self.type == 'Inline' && has(self.inline) && !has(self.valueRef)) || (self.type == 'ValueRef' && !has(self.inline) && has(self.valueRef))",
    (self) =>
      (self.type === 'Inline' && has(self.inline) && !has(self.valueRef)) ||
      (self.type === 'ValueRef' && !has(self.inline) && has(self.valueRef)),
  ],
  // BackendRefs must be used, backendRef is not supported.
  ['!has(self.backendRef)', (self) => !has(self.backendRef)],
  // Retry timeout is not supported.
  [
    'has(self.backendSettings)? (has(self.backendSettings.retry)?(has(self.backendSettings.retry.perRetry)? !has(self.backendSettings.retry.perRetry.timeout):true):true):true',
    (self) => !has(self.backendSettings?.retry?.perRetry?.timeout),
  ],
  // HTTPStatusCodes is not supported.
  [
    'has(self.backendSettings)? (has(self.backendSettings.retry)?(has(self.backendSettings.retry.retryOn)? !has(self.backendSettings.retry.retryOn.httpStatusCodes):true):true):true',
    (self) => !has(self.backendSettings?.retry?.retryOn?.httpStatusCodes),
  ],
  // Replace is not a valid MergeType for SecurityPolicy
  ["self != 'Replace'", (self) => self !== 'Replace'],
  // only one of clientID or clientIDRef must be set
  [
    '(has(self.clientID) && !has(self.clientIDRef)) || (!has(self.clientID) && has(self.clientIDRef))',
    (self) => oneOf(has(self.clientID), has(self.clientIDRef)),
  ],
  // forwardAccessToken cannot be true when forwardIDToken.header is Authorization
  [
    "!(has(self.forwardAccessToken) && self.forwardAccessToken && has(self.forwardIDToken) && self.forwardIDToken.header.lowerAscii() == 'authorization')",
    (self) =>
      !(
        has(self.forwardAccessToken) &&
        self.forwardAccessToken &&
        has(self.forwardIDToken) &&
        lowerAscii(self.forwardIDToken.header) === 'authorization'
      ),
  ],
  // header cannot be the Host header
  ["self.lowerAscii() != 'host'", (self) => lowerAscii(self) !== 'host'],
  // group must be gateway.networking.k8s.io
  [
    "has(self.group) ? self.group == 'gateway.networking.k8s.io' : true",
    (self) => (has(self.group) ? self.group === gatewayGroup : true),
  ],
  // selector must be specified when from is Selector
  ["self.from != 'Selector' || has(self.selector)", (self) => self.from !== 'Selector' || has(self.selector)],
  // BackendTrafficPolicy
  // this policy can only have a targetRef.kind of Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute/UDPRoute/TLSRoute
  [
    "has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'] : true",
    (self) =>
      has(self.targetRef)
        ? ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'].includes(
            self.targetRef.kind,
          )
        : true,
  ],
  // this policy can only have a targetRefs[*].kind of Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute/UDPRoute/TLSRoute
  [
    "has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute']) : true",
    (self) =>
      has(self.targetRefs)
        ? self.targetRefs.every((ref: Cel) =>
            ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'].includes(
              ref.kind,
            ),
          )
        : true,
  ],
  // mergeType can only be used with xRoute targets
  [
    "!has(self.mergeType) || ((!has(self.targetRef) || self.targetRef.kind in ['HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute']) && (!has(self.targetRefs) || self.targetRefs.all(ref, ref.kind in ['HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'])) && (!has(self.targetSelectors) || self.targetSelectors.all(sel, sel.kind in ['HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'])))",
    (self) =>
      !has(self.mergeType) ||
      targetsOnly(self, ['HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute']),
  ],
  // either compression or compressor can be set, not both
  [
    '!has(self.compression) || !has(self.compressor)',
    (self) => !has(self.compression) || !has(self.compressor),
  ],
  // requestBuffer cannot be used together with httpUpgrade
  [
    '!has(self.requestBuffer) || !has(self.httpUpgrade) || self.httpUpgrade.size() == 0',
    (self) => !has(self.requestBuffer) || !has(self.httpUpgrade) || self.httpUpgrade.length === 0,
  ],
  // admissionControl can only be used with HTTPRoute, GRPCRoute, Gateway, or ListenerSet targets
  [
    "!has(self.admissionControl) || ((!has(self.targetRef) || self.targetRef.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute']) && (!has(self.targetRefs) || self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute'])) && (!has(self.targetSelectors) || self.targetSelectors.all(sel, sel.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute'])))",
    (self) =>
      !has(self.admissionControl) || targetsOnly(self, ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute']),
  ],
  // minSuccessRate must be between 1 and 100
  [
    '!has(self.minSuccessRate) || (self.minSuccessRate >= 1 && self.minSuccessRate <= 100)',
    (self) => !has(self.minSuccessRate) || (self.minSuccessRate >= 1 && self.minSuccessRate <= 100),
  ],
  // maxRejectionPercent must be between 0 and 100
  [
    '!has(self.maxRejectionPercent) || (self.maxRejectionPercent >= 0 && self.maxRejectionPercent <= 100)',
    (self) =>
      !has(self.maxRejectionPercent) || (self.maxRejectionPercent >= 0 && self.maxRejectionPercent <= 100),
  ],
  // samplingWindow must be at least 1s
  [
    "!has(self.samplingWindow) || duration(self.samplingWindow) >= duration('1s')",
    (self) => !has(self.samplingWindow) || duration(self.samplingWindow) >= 1000,
  ],
  // at least one of request or response must be specified
  ['has(self.request) || has(self.response)', (self) => has(self.request) || has(self.response)],
  // Delay and abort faults are set at least one.
  ['has(self.delay) || has(self.abort)', (self) => has(self.delay) || has(self.abort)],
  // httpStatus and grpcStatus cannot be simultaneously defined.
  [
    '!(has(self.httpStatus) && has(self.grpcStatus))',
    (self) => !(has(self.httpStatus) && has(self.grpcStatus)),
  ],
  // httpStatus and grpcStatus are set at least one.
  ['has(self.httpStatus) || has(self.grpcStatus)', (self) => has(self.httpStatus) || has(self.grpcStatus)],
  // The connect configuration is only allowed when the type is CONNECT.
  ["!has(self.connect) || self.type == 'CONNECT'", (self) => !has(self.connect) || self.type === 'CONNECT'],
  // at least one of headers, methods, path, sourceCIDR or queryParams must be specified
  [
    'has(self.headers) || has(self.methods) || has(self.path) || has(self.sourceCIDR) || has(self.queryParams)',
    (self) =>
      has(self.headers) ||
      has(self.methods) ||
      has(self.path) ||
      has(self.sourceCIDR) ||
      has(self.queryParams),
  ],
  // only one of number or metadata can be specified
  ['!(has(self.number) && has(self.metadata))', (self) => !(has(self.number) && has(self.metadata))],
  // response cost is not supported for Local Rate Limits
  [
    'self.all(r, !has(r.cost) || !has(r.cost.response))',
    (self) => self.every((r: Cel) => !has(r.cost) || !has(r.cost.response)),
  ],
  // limit fromMetadata is not supported for Local Rate Limits
  ['self.all(r, !has(r.limit.fromMetadata))', (self) => self.every((r: Cel) => !has(r.limit.fromMetadata))],
  // exactly one of response or redirect must be specified
  [
    '(has(self.response) && !has(self.redirect)) || (!has(self.response) && has(self.redirect))',
    (self) => oneOf(has(self.response), has(self.redirect)),
  ],
  // at least one of statusCodes or responseHeaders must be specified
  [
    'has(self.statusCodes) || has(self.responseHeaders)',
    (self) => has(self.statusCodes) || has(self.responseHeaders),
  ],
  // value must be set for type Value
  [
    "(!has(self.type) || self.type == 'Value')? has(self.value) : true",
    (self) => (!has(self.type) || self.type === 'Value' ? has(self.value) : true),
  ],
  // range must be set for type Range
  [
    "(has(self.type) && self.type == 'Range')? has(self.range) : true",
    (self) => (has(self.type) && self.type === 'Range' ? has(self.range) : true),
  ],
  // end must be greater than start
  ['self.end > self.start', (self) => self.end > self.start],
  // only ReplaceFullPath is supported for path.type
  ["self.type == 'ReplaceFullPath'", (self) => self.type === 'ReplaceFullPath'],
  // inline must be set for type Inline
  [
    "(!has(self.type) || self.type == 'Inline')? has(self.inline) : true",
    (self) => (!has(self.type) || self.type === 'Inline' ? has(self.inline) : true),
  ],
  // valueRef must be set for type ValueRef
  [
    "(has(self.type) && self.type == 'ValueRef')? has(self.valueRef) : true",
    (self) => (has(self.type) && self.type === 'ValueRef' ? has(self.valueRef) : true),
  ],
  // only ConfigMap is supported for ValueRef
  [
    "has(self.valueRef) ? self.valueRef.kind == 'ConfigMap' : true",
    (self) => (has(self.valueRef) ? self.valueRef.kind === 'ConfigMap' : true),
  ],
  // Remove is not supported for header in CustomResponse
  ['!has(self.remove) || size(self.remove) == 0', (self) => !has(self.remove) || self.remove.length === 0],
  // ClientTrafficPolicy
  // this policy can only have a targetRef.kind of Gateway or ListenerSet
  [
    "has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'ListenerSet'] : true",
    (self) => (has(self.targetRef) ? ['Gateway', 'ListenerSet'].includes(self.targetRef.kind) : true),
  ],
  // this policy can only have a targetRefs[*].kind of Gateway or ListenerSet
  [
    "has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet']) : true",
    (self) =>
      has(self.targetRefs)
        ? self.targetRefs.every((ref: Cel) => ['Gateway', 'ListenerSet'].includes(ref.kind))
        : true,
  ],
  // exactly one of xForwardedFor, customHeader, or directSourceIP must be set
  [
    '[has(self.xForwardedFor), has(self.customHeader), has(self.directSourceIP)].filter(x, x).size() == 1',
    (self) => oneOf(has(self.xForwardedFor), has(self.customHeader), has(self.directSourceIP)),
  ],
  // only one of numTrustedHops or trustedCIDRs must be set
  [
    '(has(self.numTrustedHops) && !has(self.trustedCIDRs)) || (!has(self.numTrustedHops) && has(self.trustedCIDRs))',
    (self) => oneOf(has(self.numTrustedHops), has(self.trustedCIDRs)),
  ],
  // closeDelay can only be configured when value is set
  ['!has(self.closeDelay) || has(self.value)', (self) => !has(self.closeDelay) || has(self.value)],
  // preserveXRequestID and requestID cannot both be set.
  [
    '!(has(self.preserveXRequestID) && has(self.requestID))',
    (self) => !(has(self.preserveXRequestID) && has(self.requestID)),
  ],
  // certDetailsToAdd can only be set when mode is AppendForward or SanitizeSet
  [
    "(has(self.certDetailsToAdd) && self.certDetailsToAdd.size() > 0) ? (self.mode == 'AppendForward' || self.mode == 'SanitizeSet') : true",
    (self) =>
      has(self.certDetailsToAdd) && self.certDetailsToAdd.length > 0
        ? self.mode === 'AppendForward' || self.mode === 'SanitizeSet'
        : true,
  ],
  // setting ciphers has no effect if the minimum possible TLS version is 1.3
  [
    "has(self.minVersion) && self.minVersion == '1.3' ? !has(self.ciphers) : true",
    (self) => (has(self.minVersion) && self.minVersion === '1.3' ? !has(self.ciphers) : true),
  ],
  // minVersion must be smaller or equal to maxVersion
  [
    'has(self.minVersion) && has(self.maxVersion) ? {"Auto":0,"1.0":1,"1.1":2,"1.2":3,"1.3":4}[self.minVersion] <= {"1.0":1,"1.1":2,"1.2":3,"1.3":4,"Auto":5}[self.maxVersion] : !has(self.minVersion) && has(self.maxVersion) ? 3 <= {"1.0":1,"1.1":2,"1.2":3,"1.3":4,"Auto":5}[self.maxVersion] : true',
    (self) =>
      has(self.minVersion) && has(self.maxVersion)
        ? lookup(minTls, self.minVersion) <= lookup(maxTls, self.maxVersion)
        : !has(self.minVersion) && has(self.maxVersion)
          ? 3 <= lookup(maxTls, self.maxVersion)
          : true,
  ],
  // allowExpiredCertificate can only be set when mode is VerifyIfGiven or RequireAndVerify
  [
    "!has(self.allowExpiredCertificate) || !self.allowExpiredCertificate || !has(self.mode) || self.mode in ['VerifyIfGiven', 'RequireAndVerify']",
    (self) =>
      !has(self.allowExpiredCertificate) ||
      !self.allowExpiredCertificate ||
      !has(self.mode) ||
      ['VerifyIfGiven', 'RequireAndVerify'].includes(self.mode),
  ],
];

export const celPorts: ReadonlyMap<string, CelPort> = new Map(
  ports.map(([rule, holds]) => [celRuleKey(rule), holds]),
);

/**
 * Vendored rules deliberately not ported, each with the reason it cannot matter for what we emit (rule text →
 * reason). Empty: every rule of the vendored CRDs is ported.
 */
export const celRulesNotPorted: ReadonlyMap<string, string> = new Map();
