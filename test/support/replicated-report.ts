import type { ReplicatedReport } from '../../api/replication/schema.js';

/** A report's state as a peer ships it: `site`'s own report, version 1, unless `overrides` say otherwise. */
export function replicatedReport(site: string, overrides: Partial<ReplicatedReport> = {}): ReplicatedReport {
  return {
    id: '121199659585765376',
    site,
    version: 1,
    originSite: site,
    callReason: 'Report a car accident',
    accidentDate: '2026-11-30',
    damages: ['headlight broken'],
    status: 'open',
    createdBy: 'agent1',
    createdAt: '2026-12-01T09:00:00.000000Z',
    updatedBy: 'agent1',
    updatedAt: '2026-12-01T09:00:00.000000Z',
    deletedBy: null,
    deletedAt: null,
    fields: { drivers: ['Sarah Standl'], policyNumber: '546452', location: 'M23, junction 10', cause: '', summary: '' },
    ...overrides,
  };
}
