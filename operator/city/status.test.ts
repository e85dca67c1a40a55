import { describe, expect, it } from 'vitest';
import {
  apiCondition,
  cleanupCondition,
  databaseCondition,
  desiredStatus,
  encryptionCondition,
  type Observation,
  readyCondition,
  replicationCondition,
  sameStatus,
  scalingCondition,
  setCondition,
} from './status.js';
import { testCity } from '../../test/support/test-city.js';

const t0 = new Date('2026-11-18T12:00:00Z');
const t1 = new Date('2026-11-18T12:05:00Z');

describe('ApiAvailable', () => {
  it.each([
    [undefined, 'False', 'DeploymentMissing'],
    [{ generation: 2, observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, available: true }, 'False', 'RollingOut'],
    [{ generation: 2, observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3, available: true }, 'False', 'RollingOut'],
    [{ generation: 2, observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1, available: false }, 'False', 'Unavailable'],
    [{ generation: 2, observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, available: true }, 'True', 'DeploymentAvailable'],
  ])('from %j is %s with reason %s', (deployment, status, reason) => {
    expect(apiCondition(deployment)).toMatchObject({ type: 'ApiAvailable', status, reason });
  });
});

describe('DatabaseReady', () => {
  it.each([
    [{ kind: 'managed', secretName: 'db-app' }, 'False', 'ClusterMissing'],
    [{ kind: 'managed', secretName: 'db-app', cluster: { instances: 3, readyInstances: 1, phase: 'Setting up primary' } }, 'False', 'ClusterNotReady'],
    [{ kind: 'managed', secretName: 'db-app', cluster: { instances: 3, readyInstances: 3 } }, 'True', 'ClusterReady'],
    [{ kind: 'external', secretName: 'ext' }, 'True', 'External'],
  ] as const)('from %j is %s with reason %s', (database, status, reason) => {
    expect(databaseCondition(database)).toMatchObject({ type: 'DatabaseReady', status, reason });
  });

  it('says how many instances are ready', () => {
    expect(databaseCondition({ kind: 'managed', secretName: 'x', cluster: { instances: 3, readyInstances: 1, phase: 'Setting up primary' } }).message).toBe(
      '1 of 3 instances ready (Setting up primary)',
    );
  });
});

describe('EncryptionReady', () => {
  it('is True once Vault is configured, False with the cause when Vault failed, and VaultCleanupFailed while deleting', () => {
    expect(encryptionCondition(undefined, 'crashdesk-london')).toMatchObject({ status: 'True', reason: 'VaultConfigured' });
    const failure = new Error('Vault at http://vault unreachable', { cause: new Error('ECONNREFUSED') });
    expect(encryptionCondition(failure, '')).toMatchObject({
      status: 'False',
      reason: 'VaultUnavailable',
      message: 'Vault at http://vault unreachable: ECONNREFUSED',
    });
    expect(cleanupCondition(failure)).toMatchObject({ type: 'EncryptionReady', status: 'False', reason: 'VaultCleanupFailed' });
  });
});

describe('ReplicationConfigured', () => {
  const base = { hqName: 'hq', secretName: 'crashdesk-replication' };
  it.each([
    [{ ...base, role: 'hq', hqFound: true, secretFound: true }, 'True', 'Hq'],
    [{ ...base, role: 'hq', hqFound: true, secretFound: false }, 'False', 'SecretMissing'],
    [{ ...base, role: 'city', hqFound: false, secretFound: true }, 'False', 'HqNotFound'],
    [{ ...base, role: 'city', hqFound: true, secretFound: true }, 'True', 'ShipsToHq'],
  ] as const)('from %j is %s with reason %s', (state, status, reason) => {
    expect(replicationCondition(state)).toMatchObject({ type: 'ReplicationConfigured', status, reason });
  });
});

describe('Ready', () => {
  it('is True only when every other condition is, and otherwise names the ones that are not', () => {
    const yes = (type: 'DatabaseReady' | 'ApiAvailable') => ({ type, status: 'True' as const, reason: 'Fine', message: 'fine' });
    expect(readyCondition([yes('DatabaseReady'), yes('ApiAvailable')])).toMatchObject({ status: 'True', reason: 'AllReady' });
    const notReady = readyCondition([
      yes('DatabaseReady'),
      { type: 'ApiAvailable', status: 'False', reason: 'RollingOut', message: '1 of 2 replicas updated' },
    ]);
    expect(notReady).toMatchObject({ status: 'False', reason: 'ApiNotReady', message: 'ApiAvailable: 1 of 2 replicas updated' });
  });
});

describe('ScalingConfigured', () => {
  const london = testCity('london', {
    scaling: {
      targetRequestsPerSecond: 40,
      targetCpuUtilization: 65,
      scaleDownStabilizationSeconds: 300,
      schedules: [{ name: 'monday-morning', days: ['mon'], start: '08:00', end: '11:30', minReplicas: 6 }],
    },
  });

  it('with KEDA names the ScaledObject, the Prometheus it asks and every trigger', () => {
    expect(scalingCondition(london, { by: 'keda', prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090' })).toEqual({
      type: 'ScalingConfigured',
      status: 'True',
      reason: 'KedaScaledObject',
      message:
        'KEDA ScaledObject crashdesk-api-london scales 2 to 10 replicas on triggers requests-per-second (40 per replica, from Prometheus at ' +
        'http://prometheus-operated.monitoring.svc:9090), cpu (65% utilisation), schedule-monday-morning (at least 6, 08:00-11:30 Europe/London)',
    });
  });

  it('with KEDA but nothing scraping the api says why there is no requests trigger', () => {
    const condition = scalingCondition(london, { by: 'keda' });
    expect(condition).toMatchObject({ status: 'True', reason: 'KedaScaledObject' });
    expect(condition.message).toContain('on triggers cpu (65% utilisation), schedule-monday-morning');
    expect(condition.message).toContain('no requests-per-second trigger: the ServiceMonitor CRD is not installed');
  });

  it('without KEDA is True, CpuOnly: a working configuration, which the message says, and which keeps Ready True', () => {
    const condition = scalingCondition(london, { by: 'hpa' });
    expect(condition).toMatchObject({ type: 'ScalingConfigured', status: 'True', reason: 'CpuOnly' });
    expect(condition.message).toBe(
      'KEDA is not installed (no CRD scaledobjects.keda.sh), so HorizontalPodAutoscaler crashdesk-api-london scales 2 to 10 replicas on CPU only ' +
        '(65% utilisation); the operator raises its minimum while a schedule window is open. A working configuration; with KEDA the api also scales on requests per second',
    );
    expect(readyCondition([condition])).toMatchObject({ status: 'True', reason: 'AllReady' });
  });
});

describe('setCondition', () => {
  const input = { type: 'ApiAvailable' as const, status: 'False' as const, reason: 'RollingOut', message: 'm' };

  it('keeps lastTransitionTime while the status holds, even when reason or message change', () => {
    const first = setCondition([], input, 1, t0);
    const second = setCondition(first, { ...input, reason: 'Unavailable', message: 'other' }, 2, t1);
    expect(second[0]).toMatchObject({ reason: 'Unavailable', observedGeneration: 2, lastTransitionTime: '2026-11-18T12:00:00Z' });
  });

  it('moves lastTransitionTime when the status changes', () => {
    const first = setCondition([], input, 1, t0);
    const second = setCondition(first, { ...input, status: 'True', reason: 'DeploymentAvailable' }, 1, t1);
    expect(second[0]?.lastTransitionTime).toBe('2026-11-18T12:05:00Z');
  });
});

describe('desiredStatus', () => {
  const observation: Observation = {
    database: { type: 'DatabaseReady', status: 'True', reason: 'ClusterReady', message: '3 of 3' },
    api: { type: 'ApiAvailable', status: 'True', reason: 'DeploymentAvailable', message: '2 of 2' },
    encryption: { type: 'EncryptionReady', status: 'True', reason: 'VaultConfigured', message: 'ok' },
    replication: { type: 'ReplicationConfigured', status: 'True', reason: 'ShipsToHq', message: 'ok' },
    scaling: { type: 'ScalingConfigured', status: 'True', reason: 'CpuOnly', message: 'KEDA is not installed' },
    endpoint: 'http://crashdesk.example/london',
    replicas: 2,
    siteNumber: 3,
  };

  it('records the generation it observed, six conditions, the endpoint and replicas', () => {
    const status = desiredStatus(testCity('london', {}, { generation: 4 }), observation, t0);
    expect(status).toMatchObject({ observedGeneration: 4, endpoint: 'http://crashdesk.example/london', replicas: 2, siteNumber: 3 });
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['ApiAvailable', 'True'],
      ['DatabaseReady', 'True'],
      ['EncryptionReady', 'True'],
      ['Ready', 'True'],
      ['ReplicationConfigured', 'True'],
      ['ScalingConfigured', 'True'],
    ]);
  });

  it('is the same status when nothing changed, so nothing is written', () => {
    const first = desiredStatus(testCity('london'), observation, t0);
    const again = desiredStatus({ ...testCity('london'), status: first }, observation, t1);
    expect(sameStatus(first, again)).toBe(true);
    const changed = desiredStatus({ ...testCity('london'), status: first }, { ...observation, replicas: 3 }, t1);
    expect(sameStatus(first, changed)).toBe(false);
  });
});
