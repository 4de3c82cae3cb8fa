/**
 * Settings of the deployed App, read once per container from its environment (Lambda env, later filled from
 * SSM). Pure over the `env` it is given, so tests and the local server pass their own.
 * @module
 */
import type { RepoRef } from '../core/jobs.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Settings {
  /** The GitHub App's id (`GITHUB_APP_ID`). */
  appId: number;
  /** The App's private key, PEM (`GITHUB_APP_PRIVATE_KEY`; `\n`-escaped or base64 are accepted too). */
  privateKey: string;
  /** Secret of the webhook's HMAC signature (`GITHUB_WEBHOOK_SECRET`). */
  webhookSecret: string;
  /** REST base URL (`GITHUB_API_URL`): GitHub Enterprise Server uses `https://HOST/api/v3`. */
  githubApiUrl: string;
  /** The platform team's deploy repo (`DEPLOY_REPO`, `owner/repo`); undefined until deploys are set up. */
  deployRepo?: RepoRef;
  /** The SQS queue (`QUEUE_URL`); undefined in local runs, which use the in-memory queue. */
  queueUrl?: string;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
}

/** Thrown for a missing or malformed setting; the message names the variable. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

export const defaultGitHubApiUrl = 'https://api.github.com';
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadSettings(env: Record<string, string | undefined>): Settings {
  const appId = Number(required(env, 'GITHUB_APP_ID'));
  if (!Number.isSafeInteger(appId) || appId <= 0) {
    throw new SettingsError('GITHUB_APP_ID must be the numeric id of the GitHub App');
  }
  const apiUrl = optional(env, 'GITHUB_API_URL') ?? defaultGitHubApiUrl;
  if (!/^https?:\/\/[^/\s]+/.test(apiUrl)) {
    throw new SettingsError(`GITHUB_API_URL must be an http(s) URL, got "${apiUrl}"`);
  }
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new SettingsError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const deployRepo = optional(env, 'DEPLOY_REPO');
  const queueUrl = optional(env, 'QUEUE_URL');
  return {
    appId,
    privateKey: readPrivateKey(required(env, 'GITHUB_APP_PRIVATE_KEY')),
    webhookSecret: required(env, 'GITHUB_WEBHOOK_SECRET'),
    githubApiUrl: apiUrl.replace(/\/+$/, ''),
    ...(deployRepo ? { deployRepo: parseRepo(deployRepo) } : {}),
    ...(queueUrl ? { queueUrl } : {}),
    logLevel,
  };
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new SettingsError(`${name} is not set`);
  return value;
}

function optional(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Env files and secret stores often flatten the PEM to one line with `\n`, or hold it base64-encoded. */
function readPrivateKey(value: string): string {
  let pem = value.replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(pem)) {
    pem = Buffer.from(pem, 'base64').toString('utf8');
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new SettingsError(
      'GITHUB_APP_PRIVATE_KEY is not a PEM private key (-----BEGIN … PRIVATE KEY-----)',
    );
  }
  return `${pem.trim()}\n`;
}

function parseRepo(value: string): RepoRef {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!match) throw new SettingsError(`DEPLOY_REPO must be "owner/repo", got "${value}"`);
  return { owner: match[1]!, repo: match[2]! };
}
