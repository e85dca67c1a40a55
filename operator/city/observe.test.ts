import { describe, expect, it } from 'vitest';
import { createMemoryKube } from '../../test/support/memory-kube.js';
import { resourcePath } from '../kube.js';
import { allocateSiteNumber, createCrdProbe, deploymentState, recordedSiteNumber } from './observe.js';
import { testCity } from '../../test/support/test-city.js';
import { SITE_NUMBER_ANNOTATION } from './types.js';

const numbered = (name: string, number: number) => testCity(name, {}, { annotations: { [SITE_NUMBER_ANNOTATION]: String(number) } });

describe('site numbers', () => {
  it('gives hq 0 and every other City the lowest number nobody holds', () => {
    expect(allocateSiteNumber(testCity('hq'), [])).toBe(0);
    expect(allocateSiteNumber(testCity('paris'), [numbered('hq', 0), numbered('london', 1), numbered('leeds', 3)])).toBe(2);
    expect(allocateSiteNumber(testCity('paris'), [])).toBe(1);
  });

  it('reads a number back from the City annotation, which keeps it stable', () => {
    expect(recordedSiteNumber(numbered('london', 5))).toBe(5);
    expect(recordedSiteNumber(testCity('london'))).toBeUndefined();
  });

  it('refuses a 64th City', () => {
    const all = Array.from({ length: 64 }, (_, number) => numbered(`c${number}`, number));
    expect(() => allocateSiteNumber(testCity('one-too-many'), all)).toThrow(/63/);
  });
});

describe('deploymentState', () => {
  it('reads generations, replica counts and the Available condition', () => {
    expect(
      deploymentState({
        metadata: { name: 'api', generation: 3 },
        spec: { replicas: 2 },
        status: { observedGeneration: 3, updatedReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
      }),
    ).toEqual({ generation: 3, observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2, available: true });
    expect(deploymentState(undefined)).toBeUndefined();
  });
});

describe('createCrdProbe', () => {
  it('starts the watch of an optional kind the first time its CRD is found after start, before saying it is available', async () => {
    const kube = createMemoryKube();
    const watched: string[] = [];
    const available = createCrdProbe(kube, { intervalMs: 0, onInstalled: async (kind) => void watched.push(kind) });
    expect(await available('Deployment')).toBe(true);
    expect(await available('ServiceMonitor')).toBe(false);
    await kube.create(resourcePath('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'servicemonitors.monitoring.coreos.com' },
    });
    expect(await available('ServiceMonitor')).toBe(true);
    expect(await available('ServiceMonitor')).toBe(true);
    expect(watched).toEqual(['ServiceMonitor']);
  });
});
