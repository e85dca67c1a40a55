import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalKeyProvider, rotateLocalKey } from '../../api/crypto/local-key-provider.js';
import { fieldEncryptionTests } from '../support/encryption-suite.js';
import { TEST_BLIND_INDEX_KEY } from '../support/site.js';

const keyFiles = new WeakMap<object, string>();

fieldEncryptionTests('local key file', {
  async fresh() {
    const file = join(await mkdtemp(join(tmpdir(), 'crashdesk-keys-')), 'keys.json');
    const settings = { provider: await createLocalKeyProvider(file, { create: true }), blindIndexKey: TEST_BLIND_INDEX_KEY };
    keyFiles.set(settings, file);
    return settings;
  },
  async rotate(settings) {
    const file = keyFiles.get(settings as object)!;
    await rotateLocalKey(file);
    return { provider: await createLocalKeyProvider(file, { create: false }), blindIndexKey: TEST_BLIND_INDEX_KEY };
  },
  async wrongKey() {
    return this.fresh();
  },
  async missingKey() {
    const file = join(await mkdtemp(join(tmpdir(), 'crashdesk-keys-')), 'absent.json');
    return { provider: await createLocalKeyProvider(file, { create: false }), blindIndexKey: TEST_BLIND_INDEX_KEY };
  },
  wrappedPrefix: (version) => `local:v${version}:`,
});
