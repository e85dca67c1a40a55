import { describe, expect, it } from 'vitest';
import { allocateSiteNumber, deploymentState, recordedSiteNumber } from './observe.js';
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
