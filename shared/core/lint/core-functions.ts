/**
 * The functions a repo ruleset may name: Spectral's core functions, and nothing that runs repo code.
 * `typedEnum` lives in Spectral's OAS ruleset package, not in its functions package; ours is equivalent.
 * @module
 */
import {
  createRulesetFunction,
  type RulesetFunction,
  type RulesetFunctionWithValidator,
} from '@stoplight/spectral-core';
import {
  alphabetical,
  casing,
  defined,
  enumeration,
  falsy,
  length,
  or,
  pattern,
  schema,
  truthy,
  undefined as undefinedFunction,
  unreferencedReusableObject,
  xor,
} from '@stoplight/spectral-functions';
import { enumTypes, isObject, matchesJsonType, quote } from './spec-walk.js';

// biome-ignore lint/suspicious/noExplicitAny: Spectral's function types are generic over input and options.
type AnyRulesetFunction = RulesetFunction<any, any> | RulesetFunctionWithValidator<any, any>;

const typedEnum = createRulesetFunction<unknown, null>(
  { input: null, options: null },
  (input, _options, context) => {
    if (!isObject(input) || !Array.isArray(input.enum)) return;
    const types = enumTypes(input);
    if (!types) return;
    return input.enum.flatMap((value, index) =>
      matchesJsonType(value, types)
        ? []
        : [
            {
              message: `Enum value ${quote(value)} must be of type ${types.join(' or ')}`,
              path: [...context.path, 'enum', index],
            },
          ],
    );
  },
);

export const coreFunctions: ReadonlyMap<string, AnyRulesetFunction> = new Map<string, AnyRulesetFunction>([
  ['alphabetical', alphabetical],
  ['casing', casing],
  ['defined', defined],
  ['enumeration', enumeration],
  ['falsy', falsy],
  ['length', length],
  ['or', or],
  ['pattern', pattern],
  ['schema', schema],
  ['truthy', truthy],
  ['typedEnum', typedEnum],
  ['undefined', undefinedFunction],
  ['unreferencedReusableObject', unreferencedReusableObject],
  ['xor', xor],
]);
