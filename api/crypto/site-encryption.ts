import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { createEnvelopeCodec } from './envelope-codec.js';
import { createPlainFieldCodec, type FieldCodec } from './field-codec.js';
import { verifyKeys } from './key-checks.js';
import type { KeyProvider } from './key-provider.js';
import { resealReports } from './reseal.js';

export type EncryptionSettings =
  | { readonly provider: KeyProvider; readonly blindIndexKey: Buffer }
  /** Only for measuring what encryption costs (`npm run bench`); never offered as configuration. */
  | 'off';

/**
 * The site's field codec, after proving that the configured keys are the ones its data was
 * written with (a clear error at start, never garbled reads later).
 */
export async function startSiteEncryption(
  sql: Sql,
  settings: EncryptionSettings,
  logger: Logger,
  onDataKeyLookup?: (result: 'hit' | 'miss') => void,
): Promise<FieldCodec> {
  if (settings === 'off') return createPlainFieldCodec();
  // The database's own record of its site (site/site-identity.ts, checked before this runs).
  const [identity] = await sql<{ site: string }[]>`select site from site_identity`;
  if (!identity) throw new Error('the database records no site identity; field encryption binds every sealed value to it');
  const codec = createEnvelopeCodec({ sql, site: identity.site, provider: settings.provider, blindIndexKey: settings.blindIndexKey, onDataKeyLookup });
  const firstStart = await verifyKeys(sql, codec, settings.blindIndexKey);
  if (firstStart) {
    // A new site has nothing to re-seal, and from here on opens only its current format.
    const resealed = await resealReports(sql, codec);
    if (resealed > 0) logger.info({ resealed }, 'encrypted reports stored before field encryption');
  }
  return codec;
}
