import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config.js';

const singleSite = {
  CRASHDESK_SITE: 'hq',
  CRASHDESK_SITE_NUMBER: '0',
  DATABASE_URL: 'postgres://u:p@localhost:5432/hq',
  CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32, 1).toString('base64'),
  CRASHDESK_LOCAL_KEY_FILE: '/tmp/keys.json',
};

describe('replication settings', () => {
  it("parses HQ's peers as name=url pairs, with the defaults of batch, interval and back-off", () => {
    const config = loadEnvironment({
      ...singleSite,
      CRASHDESK_REPLICATION_SECRET: 's'.repeat(32),
      CRASHDESK_PEERS: 'london=http://london:8080, leeds=https://leeds.example',
    });
    expect(config.CRASHDESK_PEERS).toEqual({ london: 'http://london:8080', leeds: 'https://leeds.example' });
    expect([config.CRASHDESK_REPLICATION_BATCH_SIZE, config.CRASHDESK_REPLICATION_INTERVAL_MS, config.CRASHDESK_REPLICATION_BACKOFF_MAX_MS]).toEqual([
      200, 200, 10_000,
    ]);
  });

  it('refuses peers or an HQ URL without a secret, a short secret and a malformed peer, naming each', () => {
    expect(() => loadEnvironment({ ...singleSite, CRASHDESK_PEERS: 'london=http://london:8080' })).toThrow(/CRASHDESK_REPLICATION_SECRET: replication/);
    expect(() => loadEnvironment({ ...singleSite, CRASHDESK_SITE: 'london', CRASHDESK_HQ_URL: 'http://hq:8080' })).toThrow(/CRASHDESK_REPLICATION_SECRET/);
    expect(() => loadEnvironment({ ...singleSite, CRASHDESK_REPLICATION_SECRET: 'short' })).toThrow(/at least 32 characters/);
    expect(() => loadEnvironment({ ...singleSite, CRASHDESK_REPLICATION_SECRET: 's'.repeat(32), CRASHDESK_PEERS: 'london' })).toThrow(/CRASHDESK_PEERS/);
  });
});
