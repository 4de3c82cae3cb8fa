/**
 * A loopback stand-in for the two AWS APIs the packaged functions call: SSM `GetParameters` (JSON 1.1) and SQS
 * `SendMessage` (JSON 1.0). The bundled AWS SDK reaches it through `AWS_ENDPOINT_URL_SSM` / `_SQS`, so the real
 * client code inside each zip runs — signing, serialisation, SQS's body MD5 check — and only the wire ends here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  /** `AmazonSSM.GetParameters`, `AmazonSQS.SendMessage`, … */
  target: string;
  /** The SigV4 access key id the request was signed with. */
  accessKeyId: string | undefined;
  body: Record<string, unknown>;
}

export interface SentMessage {
  MessageId: string;
  QueueUrl: string;
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface FakeAws {
  url: string;
  calls: AwsCall[];
  messages: SentMessage[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `parameters`: SSM parameter name → value (all SecureString). */
export async function startFakeAws(parameters: Record<string, string>): Promise<FakeAws> {
  const calls: AwsCall[] = [];
  const messages: SentMessage[] = [];
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    calls.push({ target, accessKeyId, body });
    const reply = (status: number, type: string, payload: unknown) => {
      res.writeHead(status, { 'content-type': `application/x-amz-json-${type}` });
      res.end(JSON.stringify(payload));
    };
    if (target === 'AmazonSSM.GetParameters') {
      const names = (body.Names as string[]) ?? [];
      return reply(200, '1.1', {
        Parameters: names
          .filter((name) => name in parameters)
          .map((name) => ({ Name: name, Value: parameters[name], Type: 'SecureString', Version: 1 })),
        InvalidParameters: names.filter((name) => !(name in parameters)),
      });
    }
    if (target === 'AmazonSQS.SendMessage') {
      const message = { MessageId: randomUUID(), ...(body as Omit<SentMessage, 'MessageId'>) };
      messages.push(message);
      return reply(200, '1.0', {
        MessageId: message.MessageId,
        MD5OfMessageBody: createHash('md5').update(message.MessageBody).digest('hex'),
        SequenceNumber: String(messages.length).padStart(20, '0'),
      });
    }
    return reply(400, '1.1', { __type: 'UnknownOperationException', message: `not faked: ${target}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    messages,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
