/**
 * Adapter: the App's secrets from SSM Parameter Store (SecureString), read once per container.
 *
 * The deployed functions get parameter NAMES in their environment (`GITHUB_APP_PRIVATE_KEY_PARAM`,
 * `GITHUB_WEBHOOK_SECRET_PARAM`), never the values: Lambda environment variables show in the console, in
 * `GetFunctionConfiguration` and in CloudFormation. `loadSecrets` resolves those names and returns the environment
 * with the values filled in (`GITHUB_APP_PRIVATE_KEY`, …), ready for `loadSettings`. Without any `*_PARAM`
 * variable (local runs, tests) it reads nothing and returns the environment as given.
 * @module
 */
import { GetParametersCommand, type GetParametersCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import { UpstreamError } from '../core/errors.js';
import { fromAwsError } from './aws-errors.js';

export type Env = Record<string, string | undefined>;

/** The settings that may hold a secret; `<NAME>_PARAM` names the SSM parameter that holds `<NAME>`. */
export const secretSettings = [
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
  'GITHUB_WEBHOOK_SECRET_PREVIOUS',
] as const;

/**
 * Settings whose parameter need not exist: the previous webhook secret is there only during a rotation, while its
 * parameter name is always configured.
 */
const optionalSecrets: ReadonlySet<string> = new Set(['GITHUB_WEBHOOK_SECRET_PREVIOUS']);

export interface LoadSecretsOptions {
  /** Builds the SSM client only when a parameter is to be read, so local runs never touch the AWS SDK. */
  client: () => Pick<SSMClient, 'send'>;
}

/** A parameter that is missing or unreadable; the message names it and the variable that pointed at it. */
export class SecretsError extends UpstreamError {
  override name = 'SecretsError';
}

// GetParameters takes at most 10 names per call; we have three.
const cache = new Map<string, Promise<Env>>();

/**
 * The environment with each `<NAME>_PARAM` replaced by the decrypted value as `<NAME>`. The result is cached per
 * set of parameter names for the life of the container; a failed read is not cached, so the next cold start (or
 * call) tries again.
 */
export function loadSecrets(env: Env, options: LoadSecretsOptions): Promise<Env> {
  const wanted = secretSettings.flatMap((name) => {
    const param = env[`${name}_PARAM`]?.trim();
    return param ? [{ name, param }] : [];
  });
  if (wanted.length === 0) return Promise.resolve(env);
  const key = wanted.map((w) => `${w.name}=${w.param}`).join('\n');
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = readParameters(wanted, options.client());
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded.then((values) => ({ ...env, ...values }));
}

async function readParameters(
  wanted: { name: string; param: string }[],
  client: Pick<SSMClient, 'send'>,
): Promise<Env> {
  let output: GetParametersCommandOutput;
  try {
    output = await client.send(
      new GetParametersCommand({ Names: wanted.map((w) => w.param), WithDecryption: true }),
    );
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const { retryable, status } = fromAwsError('SSM', error);
    throw new SecretsError(`cannot read SSM parameters ${wanted.map((w) => w.param).join(', ')}: ${reason}`, {
      service: 'SSM',
      retryable,
      ...(status !== undefined ? { status } : {}),
      cause: error,
    });
  }
  const values: Env = {};
  for (const { name, param } of wanted) {
    const value = output.Parameters?.find((p) => p.Name === param)?.Value;
    if (!value) {
      if (optionalSecrets.has(name)) continue;
      throw new SecretsError(`SSM parameter ${param} (from ${name}_PARAM) does not exist or is empty`, {
        service: 'SSM',
        retryable: false,
      });
    }
    values[name] = value;
  }
  return values;
}
