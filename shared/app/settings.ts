/**
 * Settings of the deployed App, read once per container from its environment (Lambda env, later filled from
 * SSM). Pure over the `env` it is given, so tests and the local server pass their own.
 * @module
 */
import { type Environment, parseEnvironments } from '../core/deploy/environments.js';
import { SetupError } from '../core/errors.js';
import { formatRepoRef, parseRepoRef, type RepoRef, repoKey } from '../core/repo-ref.js';
import type { DeployMode } from '../ports/deploy-repo.js';
import type { LogLevel } from '../ports/logger.js';

export type { LogLevel };

const deployModes: readonly DeployMode[] = ['commit', 'pull-request'];

export interface Settings {
  /** The GitHub App's id (`GITHUB_APP_ID`). */
  appId: number;
  /** The App's private key, PEM (`GITHUB_APP_PRIVATE_KEY`; `\n`-escaped or base64 are accepted too). */
  privateKey: string;
  /** Secret of the webhook's HMAC signature (`GITHUB_WEBHOOK_SECRET`). */
  webhookSecret: string;
  /**
   * `GITHUB_WEBHOOK_SECRET_PREVIOUS`: while the webhook secret is rotated, the old one, still accepted; unset
   * (the usual case) accepts only `webhookSecret`.
   */
  webhookSecretPrevious?: string;
  /** REST base URL (`GITHUB_API_URL`): GitHub Enterprise Server uses `https://HOST/api/v3`. */
  githubApiUrl: string;
  /**
   * The platform team's deploy repo (`DEPLOY_REPO`, `owner/repo`); undefined until deploys are set up (then
   * merges deploy nothing and PR comments show no mesh changes). The App must be installed on its owner too.
   */
  deployRepo?: RepoRef;
  /**
   * `DEPLOY_REPO_INSTALLATION_ID`: the id of the App's installation on the deploy repo's owner (the number at the
   * end of the installation's settings page address), when that is another account than the source repos'.
   * Optional: it spares each new container one lookup (`GET /repos/{owner}/{repo}/installation`); a wrong or
   * stale id costs that lookup back and is logged, never more access (the token is still minted for the deploy
   * repo alone, which GitHub refuses outside that installation).
   */
  deployRepoInstallationId?: number;
  /**
   * `DEPLOY_MODE`: `commit` (default) commits each deploy straight to the deploy branch; `pull-request` commits
   * it to a branch per source repo (`kuma-api-forge/<owner>/<repo>`, `.` and `_` escaped) and opens or updates a PR there, for a
   * platform team that reviews every change before the cluster agent syncs it.
   */
  deployMode: DeployMode;
  /** `DEPLOY_BRANCH`: the branch the cluster agent syncs; default the deploy repo's default branch. */
  deployBranch?: string;
  /**
   * `DEPLOY_ENVIRONMENTS` (instead of `DEPLOY_REPO`/`DEPLOY_BRANCH`): a YAML list of environments in promotion
   * order, each a deploy repo and branch, or a folder of one (`path`); merges deploy to the first (which `deployRepo`/`deployBranch` then
   * name), a release tag matching a later one's `promote.tag` promotes into it (core/deploy/environments.ts), or,
   * with `promote: {approval: true}` (pull-request mode only), the approved merge of the deploy PR before it, or,
   * with `promote: {after: "24h"}` (commit mode only), the scheduled sweep once the commit has run that long.
   */
  environments?: Environment[];
  /** The SQS queue (`QUEUE_URL`); undefined in local runs, which use the in-memory queue. */
  queueUrl?: string;
  /**
   * The SQS queue of deploy jobs (`DEPLOY_QUEUE_URL`), whose worker trigger takes batches: waiting deploys land
   * as one commit. Unset: deploys go to `QUEUE_URL` with the checks, one per invocation.
   */
  deployQueueUrl?: string;
  /**
   * `DEPLOY_COMMENTS_PER_BATCH`: "deployed" comments on merged PRs per deploy batch; the rest are skipped (the
   * deploy commit and `.source.yaml` still name each PR). Unset: every merged PR gets its comment.
   */
  deployCommentsPerBatch?: number;
  /**
   * `MAX_RECEIVE_COUNT`: the queue's redrive `maxReceiveCount`, so the worker knows a job's last try (a failed
   * deploy then says so on the merged PR before it goes to the dead-letter queue). Unset: never the last try.
   */
  maxReceiveCount?: number;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
}

/** Thrown for a missing or malformed setting; the message names the variable. */
export class SettingsError extends SetupError {
  override name = 'SettingsError';
}

/** What a function needs: the worker never sees the webhook secret, the webhook never the private key. */
export type SettingsRole = 'all' | 'worker' | 'webhook';
export type WorkerSettings = Omit<Settings, 'webhookSecret' | 'webhookSecretPrevious'>;
export type WebhookSettings = Omit<Settings, 'privateKey'>;

export const defaultGitHubApiUrl = 'https://api.github.com';
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadSettings(env: Record<string, string | undefined>, role?: 'all'): Settings;
export function loadSettings(env: Record<string, string | undefined>, role: 'worker'): WorkerSettings;
export function loadSettings(env: Record<string, string | undefined>, role: 'webhook'): WebhookSettings;
export function loadSettings(
  env: Record<string, string | undefined>,
  role: SettingsRole = 'all',
): Settings | WorkerSettings | WebhookSettings {
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
  const environments = readEnvironments(env);
  const deployRepo = optional(env, 'DEPLOY_REPO');
  const queueUrl = optional(env, 'QUEUE_URL');
  const deployMode = (optional(env, 'DEPLOY_MODE') ?? 'commit').toLowerCase() as DeployMode;
  if (!deployModes.includes(deployMode)) {
    throw new SettingsError(`DEPLOY_MODE must be one of ${deployModes.join(', ')}, got "${env.DEPLOY_MODE}"`);
  }
  const approval = environments?.find((e) => e.promote && 'approval' in e.promote);
  if (approval && deployMode !== 'pull-request')
    throw new SettingsError(
      `DEPLOY_ENVIRONMENTS: ${approval.name} is promoted by {approval: true}, which needs DEPLOY_MODE pull-request (the approval is a review of the deploy PR into the environment before it)`,
    );
  const timed = environments?.find((e) => e.promote && 'after' in e.promote);
  if (timed && deployMode !== 'commit')
    throw new SettingsError(
      `DEPLOY_ENVIRONMENTS: ${timed.name} is promoted {after: …} a deploy, which needs DEPLOY_MODE commit (the soak counts from the App's own commit on the environment before's branch; in pull-request mode a person's merge puts it there)`,
    );
  if (deployMode === 'pull-request' && environments) {
    // Environments sharing a repo are folders of it with deploy PR branches of their own (`kuma-api-forge-<name>/`);
    // a root environment, or one whose merged deploy PRs promote by approval (found by the App's branch), needs a
    // repo of its own.
    const sharing = (e: Environment) =>
      environments.filter((other) => repoKey(other.repo) === repoKey(e.repo)).length > 1;
    const approvedAfter = (index: number) => {
      const rule = environments[index + 1]?.promote;
      return rule !== undefined && 'approval' in rule;
    };
    const shared = environments.find((e, index) => sharing(e) && (!e.path || approvedAfter(index)));
    if (shared)
      throw new SettingsError(
        `DEPLOY_MODE pull-request needs a deploy repo per environment, or a folder (path) for each environment sharing one: ${shared.name} shares ${formatRepoRef(shared.repo)} with another environment${shared.path ? ', and the environment after it promotes by approval, which needs the deploy PRs before it in a repo of their own' : ''}`,
      );
  }
  const deployBranch = environments?.[0]?.branch ?? optional(env, 'DEPLOY_BRANCH');
  if (deployBranch !== undefined && !/^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/.test(deployBranch)) {
    throw new SettingsError(`DEPLOY_BRANCH must be a branch name, got "${deployBranch}"`);
  }
  const installationId = optional(env, 'DEPLOY_REPO_INSTALLATION_ID');
  if (
    installationId !== undefined &&
    !(/^[1-9]\d*$/.test(installationId) && Number.isSafeInteger(Number(installationId)))
  ) {
    throw new SettingsError(
      `DEPLOY_REPO_INSTALLATION_ID must be the numeric id of the App's installation on the deploy repo's owner, got "${installationId}"`,
    );
  }
  if (installationId !== undefined && !deployRepo && !environments) {
    throw new SettingsError(
      "DEPLOY_REPO_INSTALLATION_ID names the deploy repo's installation: set DEPLOY_REPO too",
    );
  }
  const deployQueueUrl = optional(env, 'DEPLOY_QUEUE_URL');
  const deployComments = optional(env, 'DEPLOY_COMMENTS_PER_BATCH');
  if (deployComments !== undefined && !/^(0|[1-9]\d{0,3})$/.test(deployComments)) {
    throw new SettingsError(`DEPLOY_COMMENTS_PER_BATCH must be a whole number, got "${deployComments}"`);
  }
  const maxReceiveCount = optional(env, 'MAX_RECEIVE_COUNT');
  if (maxReceiveCount !== undefined && !/^[1-9]\d{0,3}$/.test(maxReceiveCount)) {
    throw new SettingsError(`MAX_RECEIVE_COUNT must be a positive integer, got "${maxReceiveCount}"`);
  }
  const common: Omit<Settings, 'privateKey' | 'webhookSecret' | 'webhookSecretPrevious'> = {
    appId,
    githubApiUrl: apiUrl.replace(/\/+$/, ''),
    ...(deployRepo ? { deployRepo: parseRepo(deployRepo) } : {}),
    ...(environments ? { deployRepo: environments[0]!.repo, environments } : {}),
    ...(installationId !== undefined ? { deployRepoInstallationId: Number(installationId) } : {}),
    deployMode,
    ...(deployBranch ? { deployBranch } : {}),
    ...(queueUrl ? { queueUrl } : {}),
    ...(deployQueueUrl ? { deployQueueUrl } : {}),
    ...(deployComments !== undefined ? { deployCommentsPerBatch: Number(deployComments) } : {}),
    ...(maxReceiveCount ? { maxReceiveCount: Number(maxReceiveCount) } : {}),
    logLevel,
  };
  const privateKey = () => readPrivateKey(required(env, 'GITHUB_APP_PRIVATE_KEY'));
  const webhookSecrets = () => {
    const previous = optional(env, 'GITHUB_WEBHOOK_SECRET_PREVIOUS');
    return {
      webhookSecret: required(env, 'GITHUB_WEBHOOK_SECRET'),
      ...(previous ? { webhookSecretPrevious: previous } : {}),
    };
  };
  if (role === 'worker') return { ...common, privateKey: privateKey() };
  if (role === 'webhook') return { ...common, ...webhookSecrets() };
  return { ...common, privateKey: privateKey(), ...webhookSecrets() };
}

/** The environments, or undefined without `DEPLOY_ENVIRONMENTS`; with it, `DEPLOY_REPO`/`DEPLOY_BRANCH` are refused. */
function readEnvironments(env: Record<string, string | undefined>): Environment[] | undefined {
  const text = optional(env, 'DEPLOY_ENVIRONMENTS');
  if (text === undefined) return undefined;
  const other = ['DEPLOY_REPO', 'DEPLOY_BRANCH'].find((name) => optional(env, name) !== undefined);
  if (other)
    throw new SettingsError(
      `set DEPLOY_ENVIRONMENTS or ${other}, not both: the first environment is where merges deploy`,
    );
  const parsed = parseEnvironments(text);
  if ('error' in parsed) throw new SettingsError(`DEPLOY_ENVIRONMENTS ${parsed.error}`);
  return parsed.environments;
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
  const ref = parseRepoRef(value);
  if (!ref) throw new SettingsError(`DEPLOY_REPO must be "owner/repo", got "${value}"`);
  return ref;
}
