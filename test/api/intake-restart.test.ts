import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startApiProcess } from '../support/api-process.js';
import { startLlmReplay } from '../support/llm-replay.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';

const ADMIN_PASSWORD = 'intake-restart-admin-password';

/** A job in the middle of being drafted when its process dies is drafted by the next one. */
describe('an intake across a restart of the site', () => {
  let replay: Awaited<ReturnType<typeof startLlmReplay>>;
  beforeAll(async () => {
    replay = await startLlmReplay();
  });
  afterAll(() => replay?.stop());

  it('survives the process being killed mid-job: the restarted site takes it over once its lease ends and drafts it', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    // The "slow" model answers after 3 s, past its 2.5 s timeout: every attempt runs about 2.5 s and then
    // drafts with the built-in extractor, long enough to be killed in the middle of one.
    const env = {
      ...site.env,
      CRASHDESK_INTAKE_LLM_URL: replay.url,
      CRASHDESK_INTAKE_LLM_MODEL: 'slow',
      CRASHDESK_INTAKE_LLM_TIMEOUT_MS: '2500',
      CRASHDESK_INTAKE_ATTEMPT_TIMEOUT_MS: '3000',
    };
    let api = await startApiProcess(env);
    try {
      await api.waitReady('london');
      const token = (await postJson(`${api.base}/london/v1/auth/login`, { username: 'admin', password: ADMIN_PASSWORD })).body.token as string;
      const agentCreated = await postJson(`${api.base}/london/v1/users`, { username: 'agent1', password: 'a long passphrase 1', role: 'agent' }, token);
      expect(agentCreated.status).toBe(201);
      const agent = (await postJson(`${api.base}/london/v1/auth/login`, { username: 'agent1', password: 'a long passphrase 1' })).body.token as string;
      const transcript = 'Agent: Your name?\nCaller: Alex Morgan.\nAgent: Policy number?\nCaller: four four two one nine eight.';
      const created = await postJson(`${api.base}/london/v1/intakes`, { transcript, callDate: '2026-11-21' }, agent);
      expect(created.status).toBe(202);
      const { id } = created.body as { id: string };
      const read = async (base: string) =>
        (await (await fetch(`${base}/london/v1/intakes/${id}`, { headers: { authorization: `Bearer ${agent}` } })).json()) as {
          status: string;
          attempts: number;
          draft: unknown;
        };

      for (let i = 0; i < 100 && (await read(api.base)).status !== 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await read(api.base)).status).toBe('running');
      expect(await api.stop('SIGKILL')).toBeNull();
      expect(replay.requests.filter((request) => request.body.model === 'slow')).toHaveLength(1);

      api = await startApiProcess(env);
      await api.waitReady('london');
      let after = await read(api.base);
      for (let i = 0; i < 300 && after.status !== 'done'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await read(api.base);
      }
      expect(after).toMatchObject({ status: 'done', attempts: 2, draft: { policyNumber: '442198' } });
    } finally {
      await api.stop('SIGKILL');
      await site.cleanup();
    }
  });
});
