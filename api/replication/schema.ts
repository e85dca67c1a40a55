import { z } from 'zod';

// Full microsecond precision, UTC, fixed width: timestamps decide conflicts, so every site must
// compare exactly the value the origin stored (a JS Date would drop the microseconds).
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, 'a UTC timestamp with microseconds');
const siteName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/);

/**
 * A report's whole state as it travels between sites: opened, because each site seals with its own
 * data keys. It only ever crosses the authenticated internal channel.
 */
export const ReplicatedReportSchema = z.strictObject({
  id: z.string().regex(/^\d{1,20}$/),
  site: siteName,
  version: z.number().int().min(1),
  originSite: siteName,
  callReason: z.string(),
  accidentDate: z.iso.date(),
  damages: z.array(z.string()),
  status: z.enum(['open', 'under_review', 'closed']),
  createdBy: z.string(),
  createdAt: timestamp,
  updatedBy: z.string(),
  updatedAt: timestamp,
  deletedBy: z.string().nullable(),
  deletedAt: timestamp.nullable(),
  fields: z.strictObject({
    drivers: z.array(z.string()),
    policyNumber: z.string(),
    location: z.string(),
    cause: z.string(),
    summary: z.string(),
  }),
});
export type ReplicatedReport = z.infer<typeof ReplicatedReportSchema>;

export const BatchSchema = z.strictObject({
  /** The highest outbox seq in the batch at the sender: the receiver's `applied` checkpoint. */
  lastSeq: z.number().int().min(0),
  // Each state is judged on its own (./trust.ts): one bad state must not cost the batch.
  reports: z.array(z.unknown()).max(10_000),
});
export type Batch = z.infer<typeof BatchSchema>;

export const RegisterSchema = z.strictObject({ url: z.url().optional() });

export const SnapshotQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,20}$/)
    .default('0'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export interface SnapshotPage {
  readonly reports: ReplicatedReport[];
  readonly nextAfter: string | null;
}
