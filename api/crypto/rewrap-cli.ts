// `npm run keys:rewrap`: after the master key was rotated (in Vault, or `local` key file), moves
// every site's data keys under the newest version, and seals any report still stored unencrypted.
// Safe while the sites keep serving. Configured like the api itself (see README).
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { openSiteDatabases } from '../platform/site-databases.js';
import { createEnvelopeCodec } from './envelope-codec.js';
import { verifyKeys } from './key-checks.js';
import { keyProviderFor } from './key-provider-from-config.js';
import { resealPlaintextReports } from './reseal.js';
import { rewrapDataKeys } from './rewrap.js';

async function main() {
  const config = loadConfig();
  const databases = await openSiteDatabases(config);
  const silent = createLogger('silent');
  try {
    const blindIndexKey = Buffer.from(config.CRASHDESK_BLIND_INDEX_KEY ?? databases.platform?.blindIndexKey ?? '', 'base64');
    const localKeyFile = config.CRASHDESK_LOCAL_KEY_FILE ?? join(config.CRASHDESK_DATA_DIR, 'master-keys.json');
    for (const { site, sql } of databases.sites) {
      const provider = await keyProviderFor(config, site, { file: localKeyFile, create: false }, silent);
      const codec = createEnvelopeCodec({ sql, provider, blindIndexKey });
      // Never re-wrap with keys that are not the site's own: prove them first.
      await verifyKeys(sql, codec, blindIndexKey);
      const { dataKeys, rewrapped } = await rewrapDataKeys(sql, provider);
      const resealed = await resealPlaintextReports(sql, codec);
      process.stdout.write(`${site}: re-wrapped ${rewrapped} of ${dataKeys} data keys under ${provider.name}; sealed ${resealed} older reports\n`);
    }
  } finally {
    await databases.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keys:rewrap failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.cause instanceof Error) process.stderr.write(`caused by: ${error.cause.message}\n`);
  process.exit(1);
});
