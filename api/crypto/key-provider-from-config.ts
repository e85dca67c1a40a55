import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KeyProviderSettings } from '../config.js';
import type { KeyProvider } from './key-provider.js';
import { createLocalKeyProvider } from './local-key-provider.js';
import { vaultMetrics } from './metrics.js';
import { createVaultKeyProvider } from './vault-key-provider.js';

/**
 * The key provider a site uses, as the configuration says; `create` makes a missing local key file
 * (the local platform); with `registry`, Vault's requests are counted there.
 */
export async function keyProviderFor(
  settings: KeyProviderSettings,
  site: string,
  options: { readonly create: boolean; readonly registry?: Registry },
  logger: Logger,
): Promise<KeyProvider> {
  if (settings.provider === 'local') {
    logger.warn(
      { site, keyFile: settings.file },
      'field encryption uses the local key file: it protects database dumps and backups, but not a copy of the ' +
        'whole data directory. Use CRASHDESK_KEY_PROVIDER=vault in production.',
    );
    return createLocalKeyProvider(settings.file, { create: options.create });
  }
  return createVaultKeyProvider({
    address: settings.address,
    transitMount: settings.transitMount,
    keyName: settings.transitKey.replaceAll('{site}', site),
    auth: settings.auth,
    ...(options.registry && { observe: vaultMetrics(options.registry, site) }),
  });
}
