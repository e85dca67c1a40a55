// A stand-in for a customer's language model: no model can run on this machine, so this server speaks the
// OpenAI chat-completions protocol and replays recorded answers (test/fixtures/llm/*.json). Each recording
// names the model it answers for, so a test picks a behaviour by the model it configures: a good answer,
// a malformed one, a slow one, an HTTP error.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Recording {
  readonly model: string;
  readonly status?: number;
  readonly delayMs?: number;
  /** The chat completion as the server sent it. */
  readonly body: unknown;
}

export interface ReplayedRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: { model: string; messages: { role: string; content: string }[]; response_format?: unknown; temperature?: number };
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/llm');

async function recordings(): Promise<Map<string, Recording>> {
  const byModel = new Map<string, Recording>();
  for (const file of (await readdir(fixtures)).filter((name) => name.endsWith('.json'))) {
    const recording = JSON.parse(await readFile(join(fixtures, file), 'utf8')) as Recording;
    byModel.set(recording.model, recording);
  }
  return byModel;
}

const bodyOf = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function startLlmReplay() {
  const byModel = await recordings();
  const requests: ReplayedRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = JSON.parse(await bodyOf(request)) as ReplayedRequest['body'];
      requests.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      const recording = request.method === 'POST' && request.url === '/v1/chat/completions' ? byModel.get(body.model) : undefined;
      if (!recording) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no recording for model ${body.model}` } }));
        return;
      }
      if (recording.delayMs) await new Promise((resolve) => setTimeout(resolve, recording.delayMs));
      if (response.destroyed) return;
      response.writeHead(recording.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(recording.body));
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
  };
}
