// `npm run keys:rewrap`: after the master key was rotated (in Vault, or `local` key file), moves
// every site's data keys under the newest version, and re-seals any report stored unencrypted or in
// an older format (after which the site refuses those formats).
// Safe while the sites keep serving. Configured like the api itself (see README).
import { configFrom, loadEnvironment } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { openSiteDatabases } from '../platform/site-databases.js';
import { createEnvelopeCodec } from './envelope-codec.js';
import { verifyKeys } from './key-checks.js';
import { keyProviderFor } from './key-provider-from-config.js';
import { resealReports } from './reseal.js';
import { rewrapDataKeys } from './rewrap.js';

async function main() {
  const env = loadEnvironment();
  const { keys } = configFrom(env);
  const databases = await openSiteDatabases(env);
  const silent = createLogger('silent');
  try {
    const blindIndexKeyText = env.CRASHDESK_BLIND_INDEX_KEY ?? databases.platform?.blindIndexKey;
    if (blindIndexKeyText === undefined) throw new Error("set CRASHDESK_BLIND_INDEX_KEY: the blind-index key proves the keys are the site's own");
    const blindIndexKey = Buffer.from(blindIndexKeyText, 'base64');
    for (const { site, sql } of databases.sites) {
      const provider = await keyProviderFor(keys, site, { create: false }, silent);
      const codec = createEnvelopeCodec({ sql, site, provider, blindIndexKey });
      // Never re-wrap with keys that are not the site's own: prove them first.
      await verifyKeys(sql, codec, blindIndexKey);
      const { dataKeys, rewrapped } = await rewrapDataKeys(sql, provider);
      const resealed = await resealReports(sql, codec);
      process.stdout.write(`${site}: re-wrapped ${rewrapped} of ${dataKeys} data keys under ${provider.name}; re-sealed ${resealed} older reports\n`);
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
