import type { Sql } from 'postgres';
import { policyIndexOf } from '../api/accidents/policy-index.js';
import type { NewAccident } from '../api/accidents/schema.js';
import type { FieldCodec } from '../api/crypto/field-codec.js';
import { UTC_MILLIS } from '../api/db/timestamps.js';
import { BENCH_SITE } from './dataset.js';

// The store's statements (api/accidents/store.ts, api/auth/store.ts), written out again against
// the raw driver: what the database and the driver cost with no HTTP, validation, JSON or auth.
// Keep them in step with the store when its SQL changes.

export interface FloorDeps {
  readonly sql: Sql;
  readonly codec: FieldCodec;
  readonly ids: { next(): Promise<bigint> };
}

export function createFloorQueries({ sql, codec, ids }: FloorDeps) {
  const columns = sql`
    id::text as id, site, version, call_reason as "callReason", accident_date::text as "accidentDate",
    damages, status, sealed, created_by as "createdBy",
    to_char(created_at at time zone 'UTC', ${UTC_MILLIS}) as "createdAt", to_char(updated_at at time zone 'UTC', ${UTC_MILLIS}) as "updatedAt"`;

  return {
    /** As `store.create` without an Idempotency-Key: mint, seal, insert in a transaction. */
    async create(input: NewAccident, actor: string) {
      const id = (await ids.next()).toString();
      const sealed = await codec.seal(
        { id, version: 1 },
        {
          drivers: input.drivers,
          policyNumber: input.policyNumber,
          location: input.location,
          cause: input.cause ?? '',
          summary: input.summary ?? '',
        },
      );
      const policyIndex = policyIndexOf(codec, input.policyNumber);
      return sql.begin(
        (tx) => tx`
          insert into accidents (id, site, call_reason, accident_date, damages, policy_index, sealed, created_by, updated_by)
          values (${id}, ${BENCH_SITE}, ${input.callReason}, ${input.accidentDate}, ${tx.json(input.damages ?? [])},
                  ${policyIndex}, ${sealed}, ${actor}, ${actor})
          returning ${columns}`,
      );
    },

    get: (id: string) => sql`select ${columns} from accidents where id = ${id} and deleted_at is null`,

    byPolicy: (policyNumber: string) => sql`
      select ${columns} from accidents
      where policy_index = ${policyIndexOf(codec, policyNumber)} and deleted_at is null
      order by accidents.id desc`,

    /** The first page of a day: the route asks for limit + 1 rows to know whether there is a next page. */
    datePage: (date: string, limit = 50) => sql`
      select ${columns} from accidents
      where accident_date = ${date} and deleted_at is null
      order by accidents.id desc
      limit ${limit + 1}`,

    /** What `requireAuthentication` runs on every API request before the route's own query. */
    session: (tokenHash: Buffer) => sql`
      select a.username, a.role, a.site
      from auth_tokens t join accounts a on a.username = t.username
      where t.token_hash = ${tokenHash} and t.expires_at > now() and t.revoked_at is null and a.disabled_at is null`,
  };
}

export type FloorQueries = ReturnType<typeof createFloorQueries>;
