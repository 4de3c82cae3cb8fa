/**
 * What the tests against the local GitHub share within one vitest worker (`isolate: false` in vitest.config.ts
 * keeps one module cache per worker, so these live as long as the worker): the validator of GitHub's OpenAPI
 * description and the App's RSA key pair. Both are fixed inputs that no test changes, so sharing them changes
 * nothing a test sees or asserts; building them again cost each file 1-2 s (parsing GitHub's 13 MB description
 * and compiling the schemas it validates) and each App a 2048-bit key generation.
 * @module
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  type AppCredentials,
  type ContractValidator,
  createContractValidator,
  type LocalGitHub,
} from '../../dev/github/index.js';

let validator: ContractValidator | undefined;

/** GitHub's published description as a request/response validator; compiled schemas are kept for the next file. */
export function githubContract(): ContractValidator {
  validator ??= createContractValidator();
  return validator;
}

let keyPair: { publicKey: string; privateKey: string } | undefined;

/**
 * An App on `gh`, as `gh.admin.createApp` makes it, but signed with this worker's one key pair. Use it for the
 * one App a local GitHub holds; a test that needs a second App whose key differs (a forged JWT) creates that
 * one with `gh.admin.createApp()`.
 */
export function createTestApp(
  gh: LocalGitHub,
  options: Omit<NonNullable<Parameters<LocalGitHub['admin']['createApp']>[0]>, 'publicKey'> = {},
): AppCredentials & { privateKey: string } {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const app = gh.admin.createApp({ ...options, publicKey: keyPair.publicKey });
  return { ...app, privateKey: keyPair.privateKey };
}
