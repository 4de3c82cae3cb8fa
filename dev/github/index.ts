/**
 * The local GitHub: a stand-in for the GitHub REST API over real git repositories, for tests and the demo.
 * @module
 */
export type {
  AppCredentials,
  DeliverOption,
  FileChanges,
  LocalGitHubAdmin,
  Outcome,
  RepoRef,
} from './admin.js';
export { type ContractValidator, createContractValidator } from './contract.js';
export type { FaultPlan, FaultRule } from './faults.js';
export {
  createLimits,
  type GitHubLimits,
  type LimitedCall,
  type LimitsOptions,
  type SimClock,
  scaledClock,
  wallClock,
} from './limits.js';
export { ROUTES } from './routes.js';
export {
  type LocalGitHub,
  type LocalGitHubOptions,
  type RecordedRequest,
  startLocalGitHub,
} from './server.js';
export type { WebhookDelivery, WebhookEvent } from './webhooks.js';
