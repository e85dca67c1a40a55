import { describe, expect, it } from 'vitest';
import { loadOperatorConfig } from './config.js';

describe('the operator configuration', () => {
  it('reads WATCH_NAMESPACES as a comma-separated list, and unset as every namespace', () => {
    expect(loadOperatorConfig({ VAULT_TOKEN: 't', WATCH_NAMESPACES: 'city-a, city-b,' }).WATCH_NAMESPACES).toEqual(['city-a', 'city-b']);
    expect(loadOperatorConfig({ VAULT_TOKEN: 't' }).WATCH_NAMESPACES).toBeUndefined();
  });

  it('refuses a namespace that is not a DNS label, naming the setting', () => {
    expect(() => loadOperatorConfig({ VAULT_TOKEN: 't', WATCH_NAMESPACES: 'city-a,City_B' })).toThrow(/WATCH_NAMESPACES.*DNS label/);
  });
});
