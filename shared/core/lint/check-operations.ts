/**
 * Operation rules: operationId, description, tags, success response, parameters, security.
 * @module
 */
import { appendPointer } from '../spec/json-pointer.js';
import {
  isNonEmptyString,
  isObject,
  type JsonObject,
  listOperations,
  type OperationSite,
  quote,
} from './spec-walk.js';
import type { RuleContext } from './types.js';

/** Characters allowed unescaped in a URL (RFC 3986), as Spectral's operation-operationId-valid-in-url has it. */
const urlSafe = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]*$/;

export function checkOperations(ctx: RuleContext): void {
  const globalTags = new Set(
    (Array.isArray(ctx.bundle.tags) ? ctx.bundle.tags : [])
      .filter(isObject)
      .map((tag) => tag.name)
      .filter((name): name is string => typeof name === 'string'),
  );
  const schemes = securitySchemeNames(ctx);
  const firstById = new Map<string, string>();
  checkSecurity(ctx, ctx.bundle.security, '/security', schemes, undefined);

  for (const site of listOperations(ctx.bundle)) {
    const { operation: op, pointer, label } = site;
    const report = (rule: string, at: string, message: string) =>
      ctx.report({ rule, pointer: at, message, operation: label });

    const id = op.operationId;
    if (!isNonEmptyString(id)) {
      report(
        'operation-operationId',
        pointer,
        `${label} has no operationId: add a unique one (client generators name methods after it).`,
      );
    } else {
      const first = firstById.get(id);
      if (first !== undefined) {
        report(
          'operation-operationId-unique',
          `${pointer}/operationId`,
          `operationId ${quote(id)} is already used by ${first}: make it unique.`,
        );
      } else firstById.set(id, label);
      if (!urlSafe.test(id)) {
        report(
          'operation-operationId-valid-in-url',
          `${pointer}/operationId`,
          `operationId ${quote(id)} has characters that are not URL-safe: use letters, digits, "-", "_" or ".".`,
        );
      }
    }
    if (!isNonEmptyString(op.description)) {
      report('operation-description', pointer, `${label} has no description: say what it does.`);
    }
    checkTags(site, globalTags, report);
    checkResponses(ctx, site, report);
    checkParameters(ctx, site, report);
    checkSecurity(ctx, op.security, `${pointer}/security`, schemes, label);
  }
}

type Report = (rule: string, pointer: string, message: string) => void;

function checkTags(
  { operation: op, pointer, label }: OperationSite,
  globalTags: Set<string>,
  report: Report,
): void {
  if (!Array.isArray(op.tags) || op.tags.length === 0) {
    report(
      'operation-tags',
      pointer,
      `${label} has no tags: add at least one so documentation can group it.`,
    );
    return;
  }
  if (op.tags.length > 1) {
    report('operation-singular-tag', `${pointer}/tags`, `${label} has ${op.tags.length} tags: keep one.`);
  }
  op.tags.forEach((tag, index) => {
    if (typeof tag === 'string' && !globalTags.has(tag)) {
      report(
        'operation-tag-defined',
        `${pointer}/tags/${index}`,
        `Tag ${quote(tag)} is not defined in the top-level "tags": add it there.`,
      );
    }
  });
}

function checkResponses(
  ctx: RuleContext,
  { operation: op, pointer, label }: OperationSite,
  report: Report,
): void {
  const { value: responses } = ctx.resolve(op.responses, `${pointer}/responses`);
  const codes = isObject(responses) ? Object.keys(responses) : [];
  if (!codes.some((code) => /^[23](\d\d|XX)$/i.test(code))) {
    const at = isObject(op.responses) ? `${pointer}/responses` : pointer;
    report(
      'operation-success-response',
      at,
      `${label} has no 2xx or 3xx response: document what success looks like.`,
    );
  }
}

function checkParameters(ctx: RuleContext, site: OperationSite, report: Report): void {
  const { operation: op, pointer, label } = site;
  const description = ctx.version === '2.0' ? 'oas2-parameter-description' : 'oas3-parameter-description';
  const seen = new Set<string>();
  let body = 0;
  let formData = false;
  const list = Array.isArray(op.parameters) ? op.parameters : [];
  list.forEach((raw, index) => {
    const at = `${pointer}/parameters/${index}`;
    const { value: param } = ctx.resolve(raw, at);
    if (!isObject(param)) return;
    const key = `${String(param.in)}:${String(param.name)}`;
    if (seen.has(key)) {
      report(
        'operation-parameters',
        at,
        `${label} declares parameter "${String(param.name)}" in ${String(param.in)} twice: keep one.`,
      );
    }
    seen.add(key);
    if (param.in === 'body') body++;
    if (param.in === 'formData') formData = true;
    if (!isNonEmptyString(param.description)) {
      report(description, at, `Parameter "${String(param.name)}" has no description.`);
    }
    if (param.in === 'body' && body === 2) {
      report(
        'operation-parameters',
        at,
        `${label} has more than one body parameter: an operation has at most one.`,
      );
    }
  });
  if (ctx.version !== '2.0') return;
  if (body > 0 && formData) {
    report(
      'operation-parameters',
      `${pointer}/parameters`,
      `${label} mixes "in: body" and "in: formData" parameters: use one or the other.`,
    );
  }
  if (formData) {
    const consumes = Array.isArray(op.consumes) ? op.consumes : ctx.bundle.consumes;
    const forms = ['application/x-www-form-urlencoded', 'multipart/form-data'];
    if (!Array.isArray(consumes) || !consumes.some((c) => forms.includes(String(c)))) {
      report(
        'oas2-operation-formData-consume-check',
        pointer,
        `${label} has formData parameters: "consumes" must include application/x-www-form-urlencoded or multipart/form-data.`,
      );
    }
  }
}

function securitySchemeNames(ctx: RuleContext): Set<string> {
  const schemes =
    ctx.version === '2.0'
      ? ctx.bundle.securityDefinitions
      : isObject(ctx.bundle.components)
        ? ctx.bundle.components.securitySchemes
        : undefined;
  return new Set(isObject(schemes) ? Object.keys(schemes) : []);
}

function checkSecurity(
  ctx: RuleContext,
  security: unknown,
  at: string,
  schemes: Set<string>,
  operation: string | undefined,
): void {
  if (!Array.isArray(security)) return;
  const rule = ctx.version === '2.0' ? 'oas2-operation-security-defined' : 'oas3-operation-security-defined';
  const where = ctx.version === '2.0' ? 'securityDefinitions' : 'components.securitySchemes';
  security.forEach((requirement, index) => {
    if (!isObject(requirement)) return;
    for (const name of Object.keys(requirement as JsonObject)) {
      if (!schemes.has(name)) {
        const message = `Security scheme ${quote(name)} is not defined in ${where}: define it or fix the name.`;
        ctx.report({
          rule,
          pointer: appendPointer(`${at}/${index}`, name),
          message,
          ...(operation ? { operation } : {}),
        });
      }
    }
  });
}
