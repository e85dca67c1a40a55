import { describe, expect, it } from 'vitest';
import { loadOperatorConfig, vaultAuthOf } from './config.js';

const vault = { VAULT_ADDR: 'https://vault.example:8200' };

describe('the operator configuration', () => {
  it('reads WATCH_NAMESPACES as a comma-separated list, and unset as every namespace', () => {
    expect(loadOperatorConfig({ ...vault, WATCH_NAMESPACES: 'city-a, city-b,' }).WATCH_NAMESPACES).toEqual(['city-a', 'city-b']);
    expect(loadOperatorConfig(vault).WATCH_NAMESPACES).toBeUndefined();
  });

  it('refuses a namespace that is not a DNS label, naming the setting', () => {
    expect(() => loadOperatorConfig({ ...vault, WATCH_NAMESPACES: 'city-a,City_B' })).toThrow(/WATCH_NAMESPACES.*DNS label/);
  });

  it('authenticates to Vault with Kubernetes auth by default, and with a static token only when told to', () => {
    expect(vaultAuthOf(loadOperatorConfig(vault))).toEqual({
      method: 'kubernetes',
      role: 'crashdesk_operator',
      mount: 'kubernetes',
      jwtFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    });
    expect(vaultAuthOf(loadOperatorConfig({ ...vault, VAULT_AUTH_METHOD: 'token', VAULT_TOKEN: 'dev' }))).toEqual({ method: 'token', token: 'dev' });
    expect(() => loadOperatorConfig({ ...vault, VAULT_AUTH_METHOD: 'token' })).toThrow(/VAULT_TOKEN: VAULT_AUTH_METHOD=token needs VAULT_TOKEN/);
  });

  it('takes the Vault address Cities use from its own settings, with the further addresses they may choose', () => {
    expect(() => loadOperatorConfig({})).toThrow(/VAULT_ADDR/);
    const config = loadOperatorConfig({ ...vault, VAULT_ALLOWED_ADDRESSES: 'https://vault-eu.example:8200, https://vault-us.example:8200' });
    expect(config.VAULT_ALLOWED_ADDRESSES).toEqual(['https://vault-eu.example:8200', 'https://vault-us.example:8200']);
    expect(config.OPERATOR_DEVELOPMENT_CLUSTER).toBe(false);
    expect(loadOperatorConfig({ ...vault, OPERATOR_DEVELOPMENT_CLUSTER: 'true' }).OPERATOR_DEVELOPMENT_CLUSTER).toBe(true);
  });

  it('asks KEDA to query the Prometheus Operator default Prometheus unless OPERATOR_PROMETHEUS_ADDRESS names another http(s) URL', () => {
    expect(loadOperatorConfig(vault).OPERATOR_PROMETHEUS_ADDRESS).toBe('http://prometheus-operated.monitoring.svc:9090');
    expect(loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_ADDRESS: 'https://thanos.example/prometheus' }).OPERATOR_PROMETHEUS_ADDRESS).toBe(
      'https://thanos.example/prometheus',
    );
    expect(() => loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_ADDRESS: 'prometheus:9090' })).toThrow(/OPERATOR_PROMETHEUS_ADDRESS.*http\(s\) URL/);
    expect(() => loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_ADDRESS: 'http://prometheus:9090/?x=1' })).toThrow(/no query or fragment/);
  });

  it('admits the Prometheus of monitoring to scrape the Cities, the namespace its default address is in, unless OPERATOR_PROMETHEUS_NAMESPACES lists others', () => {
    const config = loadOperatorConfig(vault);
    expect(config.OPERATOR_PROMETHEUS_NAMESPACES).toEqual(['monitoring']);
    expect(new URL(config.OPERATOR_PROMETHEUS_ADDRESS).hostname.split('.')[1]).toBe('monitoring');
    expect(loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_NAMESPACES: 'monitoring, thanos,' }).OPERATOR_PROMETHEUS_NAMESPACES).toEqual([
      'monitoring',
      'thanos',
    ]);
  });

  it('refuses Prometheus namespaces that are not DNS labels, or a list naming none, naming the setting', () => {
    expect(() => loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_NAMESPACES: 'monitoring,Prom_NS' })).toThrow(/OPERATOR_PROMETHEUS_NAMESPACES.*DNS label/);
    expect(() => loadOperatorConfig({ ...vault, OPERATOR_PROMETHEUS_NAMESPACES: ' , ' })).toThrow(/OPERATOR_PROMETHEUS_NAMESPACES.*at least one namespace/);
  });
});
