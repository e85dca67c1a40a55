import { describe, expect, it } from 'vitest';
import { defaultThrottlePolicy, defaultTokenPolicy } from './auth/policy.js';
import { loadConfig, siteOptionsFrom } from './config.js';

const singleSite = {
  CRASHDESK_SITE: 'london',
  CRASHDESK_SITE_NUMBER: '3',
  DATABASE_URL: 'postgres://u:p@localhost:5432/london',
  CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32, 1).toString('base64'),
  CRASHDESK_LOCAL_KEY_FILE: '/keys/keys.json',
};

describe('auth settings from the environment', () => {
  it('defaults to an 8-hour absolute lifetime, a 30-minute idle timeout and the default back-off', () => {
    expect(loadConfig({}).auth).toEqual({
      tokenTtlSeconds: defaultTokenPolicy.maxSeconds,
      tokenIdleSeconds: defaultTokenPolicy.idleSeconds,
      loginThrottle: defaultThrottlePolicy,
    });
  });

  it('reads every setting, and refuses a value that is not a positive whole number, naming it', () => {
    const env = {
      CRASHDESK_TOKEN_TTL_SECONDS: '600',
      CRASHDESK_TOKEN_IDLE_SECONDS: '60',
      CRASHDESK_LOGIN_USERNAME_FREE_FAILURES: '3',
      CRASHDESK_LOGIN_USERNAME_FREE_ADDRESSES: '4',
      CRASHDESK_LOGIN_CLIENT_FREE_FAILURES: '10',
      CRASHDESK_LOGIN_TRUSTED_NETWORKS: '203.0.113.0/24, 2001:db8::/48',
      CRASHDESK_LOGIN_MAX_BLOCK_SECONDS: '120',
      CRASHDESK_LOGIN_FAILURE_WINDOW_SECONDS: '300',
    };
    expect(loadConfig(env).auth).toEqual({
      tokenTtlSeconds: 600,
      tokenIdleSeconds: 60,
      loginThrottle: {
        usernameFreeFailures: 3,
        usernameFreeAddresses: 4,
        clientFreeFailures: 10,
        maxBlockSeconds: 120,
        failureWindowSeconds: 300,
        trustedNetworks: ['203.0.113.0/24', '2001:db8::/48'],
      },
    });
    expect(() => loadConfig({ CRASHDESK_LOGIN_MAX_BLOCK_SECONDS: '0' })).toThrow(/CRASHDESK_LOGIN_MAX_BLOCK_SECONDS/);
    expect(() => loadConfig({ CRASHDESK_TOKEN_IDLE_SECONDS: 'soon' })).toThrow(/CRASHDESK_TOKEN_IDLE_SECONDS/);
    expect(() => loadConfig({ CRASHDESK_LOGIN_TRUSTED_NETWORKS: '203.0.113.7' })).toThrow(/CRASHDESK_LOGIN_TRUSTED_NETWORKS/);
  });
});

describe('the configuration by mode', () => {
  it('is the local platform without CRASHDESK_SITE, its key file in the data directory', () => {
    const config = loadConfig({ CRASHDESK_DATA_DIR: '/data' });
    expect(config).toMatchObject({
      mode: 'platform',
      sites: ['hq', 'london', 'manchester'],
      dataDir: '/data',
      keys: { provider: 'local', file: '/data/master-keys.json' },
    });
  });

  it('is one site with CRASHDESK_SITE, holding every setting that mode needs', () => {
    const config = loadConfig({ ...singleSite, CRASHDESK_REPLICATION_SECRET: 's'.repeat(32), CRASHDESK_HQ_URL: 'http://hq:8080' });
    if (config.mode !== 'site') throw new Error(`expected site mode, got ${config.mode}`);
    expect(config).toMatchObject({ site: 'london', siteNumber: 3, databaseUrl: singleSite.DATABASE_URL, keys: { provider: 'local', file: '/keys/keys.json' } });
    expect(config.blindIndexKey).toEqual(Buffer.alloc(32, 1));
    expect(config.replication).toEqual({ secret: 's'.repeat(32), hqUrl: 'http://hq:8080', keyVersion: 1, peers: {} });
  });

  it('gives every site of either mode the same shared options', () => {
    const options = siteOptionsFrom(loadConfig({ CRASHDESK_IDEMPOTENCY_TTL_SECONDS: '60' }), 'leeds');
    expect(options).toEqual({
      site: 'leeds',
      tokenTtlSeconds: defaultTokenPolicy.maxSeconds,
      tokenIdleSeconds: defaultTokenPolicy.idleSeconds,
      loginThrottle: defaultThrottlePolicy,
      idempotencyTtlSeconds: 60,
      intake: { timezone: 'UTC', retentionSeconds: 7 * 24 * 60 * 60, concurrency: 2, maxAttempts: 4, retryDelaySeconds: 5, attemptTimeoutMs: 30_000 },
      rateLimits: { accountPerMinute: 3000, addressPerMinute: 30_000 },
      listCache: { freshMs: 5000, staleMs: 10_000 },
    });
  });

  it('shapes intake assist: retention in days, and the model only when its URL is set', () => {
    const config = loadConfig({ CRASHDESK_INTAKE_RETENTION_DAYS: '1', CRASHDESK_INTAKE_LLM_URL: 'http://llm:8000/v1', CRASHDESK_INTAKE_LLM_API_KEY: 'k' });
    expect(config.intake).toMatchObject({ retentionSeconds: 86_400, llm: { url: 'http://llm:8000/v1', model: 'default', apiKey: 'k', timeoutMs: 10_000 } });
    expect(() => loadConfig({ CRASHDESK_INTAKE_LLM_URL: 'ftp://llm' })).toThrow(/CRASHDESK_INTAKE_LLM_URL/);
    expect(() => loadConfig({ CRASHDESK_INTAKE_CONCURRENCY: '-1' })).toThrow(/CRASHDESK_INTAKE_CONCURRENCY/);
    expect(loadConfig({ CRASHDESK_SITE_TIMEZONE: 'Asia/Shanghai' }).intake.timezone).toBe('Asia/Shanghai');
    expect(() => loadConfig({ CRASHDESK_SITE_TIMEZONE: 'Mars/Olympus' })).toThrow(/CRASHDESK_SITE_TIMEZONE/);
  });

  it('shapes the Vault key provider with its authentication method', () => {
    const config = loadConfig({
      CRASHDESK_KEY_PROVIDER: 'vault',
      VAULT_ADDR: 'https://vault:8200',
      VAULT_AUTH_METHOD: 'kubernetes',
      VAULT_KUBERNETES_ROLE: 'crashdesk-london',
    });
    expect(config.keys).toEqual({
      provider: 'vault',
      address: 'https://vault:8200',
      transitMount: 'transit',
      transitKey: 'crashdesk-{site}',
      auth: { method: 'kubernetes', role: 'crashdesk-london', mount: 'kubernetes', jwtFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
    });
  });
});

describe('the read replica setting', () => {
  it('is absent without DATABASE_READ_URL, and carries its URL and a 2-second lag bound by default', () => {
    const without = loadConfig(singleSite);
    expect(without.mode === 'site' && without.readReplica).toBe(undefined);
    const withReplica = loadConfig({ ...singleSite, DATABASE_READ_URL: 'postgres://u:p@london-ro:5432/london' });
    expect(withReplica.mode === 'site' && withReplica.readReplica).toEqual({ url: 'postgres://u:p@london-ro:5432/london', maxLagMs: 2000 });
  });

  it('takes another lag bound, and refuses a URL that is not PostgreSQL’s, naming the setting', () => {
    const config = loadConfig({ ...singleSite, DATABASE_READ_URL: 'postgresql://u:p@ro/london', CRASHDESK_READ_REPLICA_MAX_LAG_MS: '500' });
    expect(config.mode === 'site' && config.readReplica?.maxLagMs).toBe(500);
    expect(() => loadConfig({ ...singleSite, DATABASE_READ_URL: 'http://ro/london' })).toThrow(/DATABASE_READ_URL/);
  });
});

describe('the rate limits', () => {
  it('default to what a site started without configuration uses, and take 0 to turn a limit off', async () => {
    const { DEFAULT_RATE_LIMITS } = await import('./http/rate-limit.js');
    expect(loadConfig(singleSite).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(loadConfig({ ...singleSite, CRASHDESK_RATE_LIMIT_ACCOUNT_PER_MINUTE: '0', CRASHDESK_RATE_LIMIT_ADDRESS_PER_MINUTE: '600' }).rateLimits).toEqual({
      accountPerMinute: 0,
      addressPerMinute: 600,
    });
  });
});
