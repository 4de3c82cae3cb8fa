/**
 * GraphQL resolvers for what a PR check reads from a source repo
 * (owned by the `calls-pr` work): fields added to `Repository`, and root mutations.
 * @module
 */
import type { RepositoryFields, RootFields } from './index.js';

export const sourceRepositoryFields: RepositoryFields = () => ({});
export const sourceMutations: RootFields = {};
