import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { createTestDatabase, type SiteTestDatabase } from './database.js';

/**
 * What a single-site api process needs to start: its own empty database (with an owner and an
 * application role, as in production) and a local master key file, with the environment naming
 * them. `cleanup` drops and removes both.
 */
export async function singleSiteEnvironment(adminPassword: string) {
  const db: SiteTestDatabase = await createTestDatabase({ migrated: false });
  const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-keys-'));
  await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
  const env: Record<string, string> = {
    CRASHDESK_SITE: 'london',
    CRASHDESK_SITE_NUMBER: '5',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.url,
    CRASHDESK_ADMIN_PASSWORD: adminPassword,
    CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32, 5).toString('base64'),
    CRASHDESK_LOCAL_KEY_FILE: join(keyDir, 'keys.json'),
  };
  return {
    db,
    env,
    async cleanup() {
      await db.drop();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
