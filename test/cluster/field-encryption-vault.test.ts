import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { accidentReportTests } from '../support/accidents-routes-suite.js';
import { createVaultKeyProvider } from '../../api/crypto/vault-key-provider.js';
import { fieldEncryptionTests } from '../support/encryption-suite.js';
import { createTestSite, TEST_BLIND_INDEX_KEY } from '../support/site.js';

const address = inject('vaultAddress');
const token = inject('vaultToken');

async function transit(path: string, body: unknown = {}) {
  const response = await fetch(`${address}/v1/transit/${path}`, {
    method: 'POST',
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`transit/${path} answered ${response.status}: ${await response.text()}`);
}

function settingsFor(keyName: string) {
  return {
    provider: createVaultKeyProvider({ address, transitMount: 'transit', keyName, auth: { method: 'token', token } }),
    blindIndexKey: TEST_BLIND_INDEX_KEY,
  };
}

const keyNames = new WeakMap<object, string>();

async function freshKey() {
  const keyName = `crashdesk-test-${randomBytes(4).toString('hex')}`;
  await transit(`keys/${keyName}`, { type: 'aes256-gcm96' });
  const settings = settingsFor(keyName);
  keyNames.set(settings, keyName);
  return settings;
}

fieldEncryptionTests('Vault transit', {
  fresh: freshKey,
  async rotate(settings) {
    await transit(`keys/${keyNames.get(settings as object)!}/rotate`);
    return settings;
  },
  wrongKey: () => freshKey(),
  missingKey: async () => settingsFor(`crashdesk-missing-${randomBytes(4).toString('hex')}`),
  wrappedPrefix: (version) => `vault:v${version}:`,
});

accidentReportTests('Vault transit key provider', async () => createTestSite({ encryption: await freshKey() }));
