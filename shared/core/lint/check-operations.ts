/**
 * Operation rules: operationId, description, tags, success response, parameters, security.
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import { isObject, type JsonObject, listOperations, type OperationSite } from './spec-walk.js';
import type { RuleContext } from './types.js';

/** Characters allowed unescaped in a URL (RFC 3986), as Spectral's operation-operationId-valid-in-url has it. */
const urlSafe = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]*$/;

export function checkOperations(ctx: RuleContext): void {
  const globalTags = new Set(
    (Array.isArray(ctx.bundle.tags) ? ctx.bundle.tags : []).filter(isObject).map((tag) => tag.name),
  );
  const securityRule =
    ctx.version === '2.0' ? 'oas2-operation-security-defined' : 'oas3-operation-security-defined';
  const seenIds: unknown[] = [];
  checkSecurity(ctx, securityRule, ctx.bundle.security, '/security', 'API');

  for (const site of listOperations(ctx.bundle)) {
    const { operation: op, pointer, label } = site;
    const report = (rule: string, at: string, message?: string) =>
      ctx.report({ rule, pointer: at, operation: label, ...(message === undefined ? {} : { message }) });

    const id = op.operationId;
    if (!id) report('operation-operationId', `${pointer}/operationId`);
    if (Object.hasOwn(op, 'operationId')) {
      if (seenIds.includes(id)) report('operation-operationId-unique', `${pointer}/operationId`);
      else seenIds.push(id);
    }
    if (typeof id === 'string' && !urlSafe.test(id))
      report('operation-operationId-valid-in-url', `${pointer}/operationId`);
    if (!op.description) report('operation-description', `${pointer}/description`);
    checkTags(op, `${pointer}/tags`, globalTags, report);
    checkResponses(ctx, site, report);
    checkParameters(ctx, site, report);
    checkSecurity(ctx, securityRule, op.security, `${pointer}/security`, 'Operation', label);
    if (ctx.version !== '2.0') checkCallbacks(ctx, site);
  }
  checkParameterDescriptions(ctx);
  if (ctx.version === '3.1') checkWebhooks(ctx);
}

/** `oas3-callbacks-in-callbacks`: a callback's operations (Spectral: `callbacks[*][*][*]`) must not nest callbacks. */
function checkCallbacks(ctx: RuleContext, { operation: op, pointer, label }: OperationSite): void {
  const { value: callbacks, pointer: at } = ctx.resolve(op.callbacks, `${pointer}/callbacks`);
  if (!isObject(callbacks)) return;
  for (const name of Object.keys(callbacks)) {
    const { value: callback, pointer: callbackAt } = ctx.resolve(callbacks[name], appendPointer(at, name));
    if (!isObject(callback)) continue;
    for (const expression of Object.keys(callback)) {
      const item = ctx.resolve(callback[expression], appendPointer(callbackAt, expression));
      for (const [, member] of membersOf(ctx, item)) {
        if (isObject(member.value) && member.value.callbacks !== undefined)
          ctx.report({
            rule: 'oas3-callbacks-in-callbacks',
            pointer: `${member.pointer}/callbacks`,
            operation: label,
          });
      }
    }
  }
}

/**
 * `oas3_1-servers-in-webhook` and `oas3_1-callbacks-in-webhook`, on the nodes Spectral checks: each webhook's
 * members (`webhooks[*][*]`: its operations) and a webhook that is itself named `servers`.
 */
function checkWebhooks(ctx: RuleContext): void {
  const webhooks = ctx.bundle.webhooks;
  if (!isObject(webhooks)) return;
  if (webhooks.servers !== undefined)
    ctx.report({ rule: 'oas3_1-servers-in-webhook', pointer: '/webhooks/servers' });
  for (const name of Object.keys(webhooks)) {
    const item = ctx.resolve(webhooks[name], appendPointer('/webhooks', name));
    for (const [, member] of membersOf(ctx, item)) {
      if (!isObject(member.value)) continue;
      for (const [key, rule] of [
        ['servers', 'oas3_1-servers-in-webhook'],
        ['callbacks', 'oas3_1-callbacks-in-webhook'],
      ] as const) {
        if (member.value[key] !== undefined) ctx.report({ rule, pointer: `${member.pointer}/${key}` });
      }
    }
  }
}

/** The members of an object (refs followed), each with the pointer where its value is defined. */
function membersOf(
  ctx: RuleContext,
  { value, pointer }: { value: unknown; pointer: string },
): [string, { value: unknown; pointer: string }][] {
  if (!isObject(value)) return [];
  return Object.keys(value).map((key) => [key, ctx.resolve(value[key], appendPointer(pointer, key))]);
}

type Report = (rule: string, pointer: string, message?: string) => void;

function checkTags(op: JsonObject, at: string, globalTags: Set<unknown>, report: Report): void {
  if (!Array.isArray(op.tags) || op.tags.length === 0) report('operation-tags', at);
  if (!Array.isArray(op.tags)) return;
  if (op.tags.length > 1) report('operation-singular-tag', at);
  op.tags.forEach((tag, index) => {
    if (!globalTags.has(tag)) report('operation-tag-defined', `${at}/${index}`);
  });
}

/** Spectral's oasOpSuccessResponse: a 200–399 code (or `2XX`/`3XX` in 3.x) among the responses, when there are any. */
function checkResponses(ctx: RuleContext, { operation: op, pointer }: OperationSite, report: Report): void {
  const { value: responses } = ctx.resolve(op.responses, `${pointer}/responses`);
  if (!isObject(responses)) return;
  const success = Object.keys(responses).some(
    (code) =>
      (ctx.version !== '2.0' && (code === '2XX' || code === '3XX')) ||
      (Number(code) >= 200 && Number(code) < 400),
  );
  if (!success) report('operation-success-response', `${pointer}/responses`);
}

/** Spectral's oasOpParams and oasOpFormDataConsumeCheck, on the operation's own parameter list. */
function checkParameters(ctx: RuleContext, { operation: op, pointer }: OperationSite, report: Report): void {
  if (!Array.isArray(op.parameters)) return;
  const at = `${pointer}/parameters`;
  const params = op.parameters.map((raw, index) => ctx.resolve(raw, `${at}/${index}`).value);
  if (params.length >= 2) {
    const seen = new Set<string>();
    const body: number[] = [];
    let formData = false;
    params.forEach((param, index) => {
      if (!isObject(param)) return;
      const key = `${String(param.in)}-${String(param.name)}`;
      if (seen.has(key))
        report(
          'operation-parameters',
          `${at}/${index}`,
          'A parameter in this operation already exposes the same combination of "name" and "in" values.',
        );
      seen.add(key);
      if (param.in === 'body') body.push(index);
      if (param.in === 'formData') formData = true;
    });
    if (body.length > 0 && formData)
      report(
        'operation-parameters',
        at,
        'Operation must not have both "in:body" and "in:formData" parameters.',
      );
    for (const index of body.slice(1))
      report(
        'operation-parameters',
        `${at}/${index}`,
        'Operation must not have more than a single instance of the "in:body" parameter.',
      );
  }
  // Spectral checks only an operation that has its own `consumes` (the document's does not count).
  if (ctx.version === '2.0' && Array.isArray(op.consumes)) {
    const forms = /(application\/x-www-form-urlencoded|multipart\/form-data)/;
    if (params.some((p) => isObject(p) && p.in === 'formData') && !forms.test(op.consumes.join(',')))
      report('oas2-operation-formData-consume-check', pointer);
  }
}

/**
 * `oas2-parameter-description` / `oas3-parameter-description` on the parameters Spectral selects: in 2.0 every
 * `parameters` entry with an `in` anywhere; in 3.x path items', operations' and `components.parameters`. A
 * `$ref`'d parameter is reported once, at its component.
 */
function checkParameterDescriptions(ctx: RuleContext): void {
  const rule = ctx.version === '2.0' ? 'oas2-parameter-description' : 'oas3-parameter-description';
  if (!ctx.enabled(rule)) return;
  const check = (raw: unknown, at: string) => {
    const { value, pointer } = ctx.resolve(raw, at);
    if (isObject(value) && value.in !== undefined && !value.description)
      ctx.report({ rule, pointer: `${pointer}/description` });
  };
  const eachIn = (list: unknown, at: string) => {
    if (Array.isArray(list))
      list.forEach((raw, index) => {
        check(raw, `${at}/${index}`);
      });
    else if (isObject(list)) for (const name of Object.keys(list)) check(list[name], appendPointer(at, name));
  };
  const seenItems = new Set<string>();
  for (const site of listOperations(ctx.bundle)) {
    if (!seenItems.has(site.pathItemPointer)) {
      seenItems.add(site.pathItemPointer);
      eachIn(site.pathItem.parameters, `${site.pathItemPointer}/parameters`);
    }
    eachIn(site.operation.parameters, `${site.pointer}/parameters`);
  }
  if (ctx.version === '2.0') eachIn(ctx.bundle.parameters, '/parameters');
  else if (isObject(ctx.bundle.components))
    eachIn(ctx.bundle.components.parameters, '/components/parameters');
}

/**
 * Spectral's oasSecurityDefined: each scheme a security requirement names is defined, and each scope it asks for
 * is one of the scheme's (2.0 `scopes`, 3.x any flow's `scopes`).
 */
function checkSecurity(
  ctx: RuleContext,
  rule: string,
  security: unknown,
  at: string,
  object: 'API' | 'Operation',
  operation?: string,
): void {
  if (!Array.isArray(security)) return;
  const v2 = ctx.version === '2.0';
  const components = isObject(ctx.bundle.components) ? ctx.bundle.components : {};
  const schemes = v2 ? ctx.bundle.securityDefinitions : components.securitySchemes;
  const where = v2 ? 'securityDefinitions' : 'components.securitySchemes';
  const op = operation ? { operation } : {};
  security.forEach((requirement, index) => {
    if (!isObject(requirement)) return;
    for (const name of Object.keys(requirement)) {
      const pointer = appendPointer(`${at}/${index}`, name);
      const scheme = isObject(schemes) && Object.hasOwn(schemes, name) ? schemes[name] : undefined;
      if (scheme === undefined) {
        const message = `${object} "security" values must match a scheme defined in the "${where}" object.`;
        ctx.report({ rule, pointer, message, ...op });
        continue;
      }
      const scopes = requirement[name];
      if (!Array.isArray(scopes)) continue;
      scopes.forEach((scope, i) => {
        if (!hasScope(scheme, String(scope), v2))
          ctx.report({
            rule,
            pointer: `${pointer}/${i}`,
            message: `"${String(scope)}" must be listed among scopes.`,
            ...op,
          });
      });
    }
  });
}

function hasScope(scheme: unknown, scope: string, v2: boolean): boolean {
  if (!isObject(scheme)) return false;
  if (v2) return isObject(scheme.scopes) && scope in scheme.scopes;
  if (!isObject(scheme.flows)) return false;
  return Object.values(scheme.flows).some(
    (flow) => isObject(flow) && isObject(flow.scopes) && scope in flow.scopes,
  );
}
