/**
 * The SSM secrets adapter as one unit: the SDK client is stubbed at its `send` (the packaged handlers are tested
 * against a real SDK in serverless-package.test.ts).
 */
import type { GetParametersCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { loadSecrets } from '../../shared/adapters/aws-secrets.js';

type Store = Record<string, string>;

function stubSsm(store: Store) {
  const calls: { Names: string[]; WithDecryption: boolean | undefined }[] = [];
  const client = {
    async send(command: GetParametersCommand) {
      const names = command.input.Names ?? [];
      calls.push({ Names: names, WithDecryption: command.input.WithDecryption });
      return {
        Parameters: names
          .filter((n) => n in store)
          .map((n) => ({ Name: n, Value: store[n], Type: 'SecureString' })),
        InvalidParameters: names.filter((n) => !(n in store)),
      };
    },
  };
  let built = 0;
  const factory = () => {
    built++;
    return client as never;
  };
  return { calls, factory, built: () => built };
}

// Each test uses its own parameter names: the cache lives for the container (here: the test file).
describe('loadSecrets', () => {
  it('fills each secret from the parameter its *_PARAM names, decrypted, in one call', async () => {
    const ssm = stubSsm({ '/t1/key': 'PEM', '/t1/secret': 'hmac' });
    const env = {
      GITHUB_APP_PRIVATE_KEY_PARAM: '/t1/key',
      GITHUB_WEBHOOK_SECRET_PARAM: '/t1/secret',
      OTHER: 'x',
    };

    const loaded = await loadSecrets(env, { client: ssm.factory });

    expect(loaded).toEqual({ ...env, GITHUB_APP_PRIVATE_KEY: 'PEM', GITHUB_WEBHOOK_SECRET: 'hmac' });
    expect(ssm.calls).toEqual([{ Names: ['/t1/key', '/t1/secret'], WithDecryption: true }]);
  });

  it('fills the previous webhook secret of a rotation from its own parameter, in the same call', async () => {
    const ssm = stubSsm({ '/t5/secret': 'new', '/t5/secret-previous': 'old' });
    const env = {
      GITHUB_WEBHOOK_SECRET_PARAM: '/t5/secret',
      GITHUB_WEBHOOK_SECRET_PREVIOUS_PARAM: '/t5/secret-previous',
    };

    const loaded = await loadSecrets(env, { client: ssm.factory });

    expect(loaded).toMatchObject({ GITHUB_WEBHOOK_SECRET: 'new', GITHUB_WEBHOOK_SECRET_PREVIOUS: 'old' });
    expect(ssm.calls).toEqual([{ Names: ['/t5/secret', '/t5/secret-previous'], WithDecryption: true }]);
  });

  it('reads only the current webhook secret when no rotation is under way (the previous one does not exist)', async () => {
    const ssm = stubSsm({ '/t6/secret': 'current' });
    const env = {
      GITHUB_WEBHOOK_SECRET_PARAM: '/t6/secret',
      GITHUB_WEBHOOK_SECRET_PREVIOUS_PARAM: '/t6/secret-previous',
    };

    const loaded = await loadSecrets(env, { client: ssm.factory });

    expect(loaded.GITHUB_WEBHOOK_SECRET).toBe('current');
    expect(loaded).not.toHaveProperty('GITHUB_WEBHOOK_SECRET_PREVIOUS');
    // The current secret is never optional, even when a previous one exists.
    const broken = stubSsm({ '/t7/secret-previous': 'old' });
    await expect(
      loadSecrets(
        {
          GITHUB_WEBHOOK_SECRET_PARAM: '/t7/secret',
          GITHUB_WEBHOOK_SECRET_PREVIOUS_PARAM: '/t7/secret-previous',
        },
        { client: broken.factory },
      ),
    ).rejects.toThrow(
      'SSM parameter /t7/secret (from GITHUB_WEBHOOK_SECRET_PARAM) does not exist or is empty',
    );
  });

  it('reads the parameters once per container, however often it is called', async () => {
    const ssm = stubSsm({ '/t2/secret': 'hmac' });
    const env = { GITHUB_WEBHOOK_SECRET_PARAM: '/t2/secret' };

    const results = await Promise.all([1, 2, 3].map(() => loadSecrets(env, { client: ssm.factory })));
    await loadSecrets(env, { client: ssm.factory });

    expect(results.map((r) => r.GITHUB_WEBHOOK_SECRET)).toEqual(['hmac', 'hmac', 'hmac']);
    expect(ssm.calls).toHaveLength(1);
  });

  it('reads nothing and builds no client without *_PARAM variables (local mode: values from the env)', async () => {
    const ssm = stubSsm({});
    const env = { GITHUB_WEBHOOK_SECRET: 'local', GITHUB_APP_PRIVATE_KEY: 'PEM' };

    expect(await loadSecrets(env, { client: ssm.factory })).toBe(env);
    expect(ssm.built()).toBe(0);
  });

  it('names the missing parameter and the variable that pointed at it, and retries on the next call', async () => {
    const store: Store = {};
    const ssm = stubSsm(store);
    const env = { GITHUB_APP_PRIVATE_KEY_PARAM: '/t3/key' };

    await expect(loadSecrets(env, { client: ssm.factory })).rejects.toThrow(
      'SSM parameter /t3/key (from GITHUB_APP_PRIVATE_KEY_PARAM) does not exist or is empty',
    );
    store['/t3/key'] = 'PEM';
    expect((await loadSecrets(env, { client: ssm.factory })).GITHUB_APP_PRIVATE_KEY).toBe('PEM');
  });

  it('turns an SDK failure into one clear error keeping the cause', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ssm:GetParameters'), {
      name: 'AccessDeniedException',
    });
    const client = {
      send: async () => {
        throw denied;
      },
    };

    const failure = await loadSecrets(
      { GITHUB_WEBHOOK_SECRET_PARAM: '/t4/secret' },
      { client: () => client as never },
    )
      .then(() => undefined)
      .catch((error: Error) => error);

    expect(failure).toMatchObject({
      name: 'SecretsError',
      message:
        'cannot read SSM parameters /t4/secret: AccessDeniedException: User is not authorized to perform: ssm:GetParameters',
      cause: denied,
    });
  });
});
