import { describe, expect, it } from 'vitest';
import { cityCrd } from './crd.js';

const [version] = cityCrd.spec.versions;
type Schema = { properties?: Record<string, Schema>; 'x-kubernetes-validations'?: { rule: string; message: string }[]; default?: unknown; required?: string[] };
const root = version.schema.openAPIV3Schema as Schema;
const spec = root.properties?.spec as Schema;

describe('the City CRD', () => {
  it('serves crashdesk.io/v1alpha1 City with a status subresource and the short name cty', () => {
    expect(cityCrd.metadata.name).toBe('cities.crashdesk.io');
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    expect(cityCrd.spec.names).toMatchObject({ kind: 'City', shortNames: ['cty'] });
  });

  it('prints Role, Ready, Replicas, Endpoint and Age', () => {
    expect(version.additionalPrinterColumns.map((column) => column.name)).toEqual(['Role', 'Ready', 'Replicas', 'Endpoint', 'Age']);
  });

  it('keeps role immutable and the replica bounds ordered with CEL rules', () => {
    expect(spec.properties?.role?.['x-kubernetes-validations']).toEqual([{ rule: 'self == oldSelf', message: 'role is immutable' }]);
    const replicas = spec.properties?.api?.properties?.replicas as Schema;
    expect(replicas['x-kubernetes-validations']?.[0]?.rule).toBe('self.min <= self.max');
    expect(replicas.default).toEqual({ min: 2, max: 10 });
  });

  it('defaults the parts a City may leave out', () => {
    expect(spec.properties?.timezone?.default).toBe('UTC');
    expect(spec.properties?.database?.default).toEqual({ managed: {} });
    expect(spec.properties?.encryption?.properties?.transitMount?.default).toBe('transit');
    expect(spec.properties?.encryption?.properties?.deleteKeyOnDelete?.default).toBe(false);
    expect(spec.properties?.encryption?.default).toEqual({});
    expect(spec.required).toEqual(['role', 'displayName', 'api', 'ingress']);
  });
});
