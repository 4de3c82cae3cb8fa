/**
 * GraphQL resolvers for what a deploy reads from and writes to the deploy repo (createCommitOnBranch, …)
 * (owned by the `deploy-path` work): fields added to `Repository`, and root mutations.
 * @module
 */
import type { RepositoryFields, RootFields } from './index.js';

export const deployRepositoryFields: RepositoryFields = () => ({});
export const deployMutations: RootFields = {};
