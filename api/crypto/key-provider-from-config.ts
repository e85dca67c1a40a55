import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { KeyProvider } from './key-provider.js';
import { createLocalKeyProvider } from './local-key-provider.js';
import { createVaultKeyProvider } from './vault-key-provider.js';

/** The key provider a site uses, as the configuration says. */
export async function keyProviderFor(
  config: Config,
  site: string,
  local: { readonly file: string; readonly create: boolean },
  logger: Logger,
): Promise<KeyProvider> {
  if (config.CRASHDESK_KEY_PROVIDER === 'local') {
    logger.warn(
      { site, keyFile: local.file },
      'field encryption uses the local key file: it protects database dumps and backups, but not a copy of the ' +
        'whole data directory. Use CRASHDESK_KEY_PROVIDER=vault in production.',
    );
    return createLocalKeyProvider(local.file, { create: local.create });
  }
  const auth =
    config.VAULT_AUTH_METHOD === 'token'
      ? { method: 'token' as const, token: config.VAULT_TOKEN ?? '' }
      : {
          method: 'kubernetes' as const,
          role: config.VAULT_KUBERNETES_ROLE ?? '',
          mount: config.VAULT_KUBERNETES_MOUNT,
          jwtFile: config.VAULT_KUBERNETES_JWT_FILE,
        };
  return createVaultKeyProvider({
    address: config.VAULT_ADDR ?? '',
    transitMount: config.VAULT_TRANSIT_MOUNT,
    keyName: config.VAULT_TRANSIT_KEY.replaceAll('{site}', site),
    auth,
  });
}
