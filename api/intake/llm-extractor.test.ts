import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmReplay } from '../../test/support/llm-replay.js';
import { createTestSite } from '../../test/support/site.js';
import { createBuiltinExtractor } from './builtin/builtin-extractor.js';
import { createLogger } from '../observability/logger.js';
import { defaultIntakeSettings } from './intake-service.js';
import { createLlmExtractor } from './llm-extractor.js';

const call = {
  transcript: [
    'Agent: Claims line, how can I help?',
    'Caller: I hit a pothole on the M23 yesterday and went into another car. I am Sarah Standl.',
    'Agent: Your policy number?',
    'Caller: Five four six four five two.',
    'Caller: The other driver was John Radley. My headlight is broken and the airbag deployed.',
  ].join('\n'),
  callDate: '2026-11-21',
  language: 'en' as const,
};

describe('the OpenAI-compatible extractor, against a server replaying recorded answers', () => {
  let replay: Awaited<ReturnType<typeof startLlmReplay>>;
  const builtin = createBuiltinExtractor();
  const logger = createLogger('silent');
  const withModel = (model: string, timeoutMs = 1000) => createLlmExtractor({ url: replay.url, model, apiKey: 'sk-test', timeoutMs }, builtin, logger);

  beforeAll(async () => {
    replay = await startLlmReplay();
  });
  afterAll(() => replay?.stop());

  it("asks /chat/completions for JSON matching the draft's schema and uses the validated answer", async () => {
    const extraction = await withModel('recorded').extract(call);
    expect(extraction.source).toBe('llm');
    expect(extraction.draft).toMatchObject({
      drivers: ['Sarah Standl', 'John Radley'],
      policyNumber: '546452',
      accidentDate: '2026-11-20',
      location: 'M23, near junction 10',
    });
    const request = replay.requests.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({ model: 'recorded', temperature: 0, response_format: { type: 'json_schema' } });
    expect(request.body.messages.at(-1)!.content).toContain('Sarah Standl');
    // Evidence points at the transcript where the value is written there.
    const [span] = extraction.evidence.drivers ?? [];
    expect(call.transcript.slice(span!.start, span!.end)).toBe('Sarah Standl');
  });

  it.each([
    ['a malformed answer (not JSON)', 'malformed', 'the model answered text that is not JSON'],
    ['JSON of the wrong shape', 'wrong-shape', "the model's JSON does not match the draft"],
    ['an HTTP error', 'overloaded', 'the model answered HTTP 503'],
    ['a model it has no recording for', 'unknown-model', 'the model answered HTTP 404'],
  ])('falls back to the built-in draft on %s', async (_, model, reason) => {
    const extraction = await withModel(model).extract(call);
    expect(extraction.draft).toEqual((await builtin.extract(call)).draft);
    expect(extraction.source).toContain(reason);
  });

  it('falls back to the built-in draft when the model is slower than its timeout', async () => {
    const started = Date.now();
    const extraction = await withModel('slow', 300).extract(call);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(extraction.draft).toEqual((await builtin.extract(call)).draft);
    expect(extraction.source).toContain('did not answer within 300 ms');
  });

  it('falls back when nothing listens at the URL', async () => {
    const extraction = await createLlmExtractor({ url: 'http://127.0.0.1:9/v1', model: 'recorded', timeoutMs: 1000 }, builtin, logger).extract(call);
    expect(extraction.source).toContain('the model could not be reached');
  });

  it('drafts through the API with the model when the site is configured for one', async () => {
    const site = await createTestSite({ intake: { ...defaultIntakeSettings, llm: { url: replay.url, model: 'recorded', timeoutMs: 2000 } } });
    try {
      const agent = await site.tokenFor('agent');
      const created = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: call.transcript, callDate: call.callDate } });
      let read = created;
      for (let i = 0; i < 100 && read.body.status !== 'done'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        read = await site.call('GET', `/v1/intakes/${created.body.id}`, { token: agent });
      }
      expect(read.body).toMatchObject({
        status: 'done',
        extractor: 'llm',
        draft: { policyNumber: '546452', damages: ['front left headlight broken', 'airbag deployed'] },
      });
    } finally {
      await site.stop();
    }
  });
});
