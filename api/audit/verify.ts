import type { Sql } from 'postgres';
import type { AuditOutcome } from './entry.js';
import { UTC_MICROS } from '../db/timestamps.js';
import { entryHash, GENESIS_HASH } from './chain.js';
import { type AuditSigningKey, HEAD_SIGNED, signedHeadDetails, signedHeadMessage } from './signed-head.js';

/** The newest head whose signature holds: everything up to it is as it was when it was signed. */
export interface SignedHead {
  readonly seq: string;
  readonly hash: string;
  /** The entry that holds the signature. */
  readonly signatureSeq: string;
  readonly key: string;
}

export type ChainVerdict =
  | {
      readonly intact: true;
      readonly entries: number;
      /** The newest entry: writing its seq and hash down elsewhere makes a later removal of the tail evident too. */
      readonly head: { readonly seq: string; readonly hash: string } | undefined;
      /** Undefined when no entry is signed: then only the hashes vouch for the chain, which its owner can recompute. */
      readonly signedHead: SignedHead | undefined;
      /** Entries after the signed head (signatures aside), which no signature covers yet, and the time of the oldest. */
      readonly unsigned: { readonly entries: number; readonly since: string } | undefined;
    }
  | {
      readonly intact: false;
      /** Entries found intact before the break. */
      readonly entries: number;
      readonly brokenSeq: string;
      /** `altered`: the entry's hash does not match its content; `unlinked`: it does not follow the entry before it (one was removed, inserted or re-chained). */
      readonly reason: 'altered' | 'unlinked';
    }
  | {
      readonly intact: false;
      readonly entries: number;
      /** The signed head whose hash changed: it, or an entry between `intactThrough` and it, was rewritten and the hashes after it recomputed. */
      readonly brokenSeq: string;
      readonly reason: 'rewritten';
      readonly signatureSeq: string;
      /** The newest head before it whose signature holds, if any. */
      readonly intactThrough: string | undefined;
    }
  | {
      readonly intact: false;
      readonly entries: number;
      /** A signature entry whose HMAC the key did not make (forged, or its content altered). */
      readonly brokenSeq: string;
      readonly reason: 'forged';
      readonly intactThrough: string | undefined;
    };

interface ChainRow {
  seq: string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  outcome: AuditOutcome;
  requestId: string | null;
  clientAddress: string | null;
  details: unknown;
  prevHash: Buffer;
  hash: Buffer;
}

export interface VerifyOptions {
  /** The site recorded in the database, as the signatures name it. */
  readonly site: string;
  /** Checks the signatures; only the key's holder can make one. */
  readonly key: Pick<AuditSigningKey, 'verifyHmac'>;
  readonly batchSize?: number;
}

// A signature follows its head within a few entries; older heads are looked up.
const RECENT_HASHES = 1024;

/**
 * Walks the whole chain oldest first, `batchSize` rows at a time (keyset on seq, so memory stays
 * bounded and no long transaction is held), recomputing each hash and checking each link, and
 * checking every signature entry against the hash of the head it signed. The hashes show any
 * change made behind the application's back that left them alone; the signatures also show a
 * rewrite whose hashes were recomputed, up to the newest signature. Appends that commit meanwhile
 * are walked too: they only ever add to the end.
 */
export async function verifyAuditChain(sql: Sql, options: VerifyOptions): Promise<ChainVerdict> {
  const batchSize = options.batchSize ?? 1000;
  let expectedPrev: Buffer = GENESIS_HASH;
  let entries = 0;
  let last: { seq: string; hash: Buffer } | undefined;
  let signedHead: SignedHead | undefined;
  let unsigned: { entries: number; since: string } | undefined;
  // The newest entries walked, oldest first: their hash and time, and whether they are signatures.
  const recent = new Map<string, { hash: string; at: string; signature: boolean }>();

  async function hashAt(seq: string): Promise<string | undefined> {
    if (recent.has(seq)) return recent.get(seq)!.hash;
    const [row] = await sql<{ hash: Buffer }[]>`select hash from audit_log where seq = ${seq}`;
    return row?.hash.toString('hex');
  }

  /** The entries walked after `seq`, signatures aside, up to the one being walked. */
  async function unsignedAfter(seq: string, walking: string): Promise<typeof unsigned> {
    if (recent.has(seq)) {
      const after = [...recent.entries()].filter(([other, entry]) => BigInt(other) > BigInt(seq) && !entry.signature);
      return after.length === 0 ? undefined : { entries: after.length, since: after[0]![1].at };
    }
    const [row] = await sql<{ n: number; since: string | null }[]>`
      select count(*)::int as n, to_char(min(at) at time zone 'UTC', ${UTC_MICROS}) as since
      from audit_log where seq > ${seq} and seq < ${walking} and action <> ${HEAD_SIGNED}`;
    return row?.since ? { entries: row.n, since: row.since } : undefined;
  }

  for (;;) {
    const rows = await sql<ChainRow[]>`
      select seq::text as seq, to_char(at at time zone 'UTC', ${UTC_MICROS}) as at, actor, action, resource, outcome,
             request_id as "requestId", client_address as "clientAddress", details, prev_hash as "prevHash", hash
      from audit_log ${last ? sql`where seq > ${last.seq}` : sql``}
      order by audit_log.seq
      limit ${batchSize}`;
    for (const row of rows) {
      if (!row.prevHash.equals(expectedPrev)) return { intact: false, entries, brokenSeq: row.seq, reason: 'unlinked' };
      if (!entryHash(row.prevHash, row).equals(row.hash)) return { intact: false, entries, brokenSeq: row.seq, reason: 'altered' };

      if (row.action === HEAD_SIGNED) {
        const claim = signedHeadDetails.safeParse(row.details);
        const genuine =
          claim.success &&
          BigInt(claim.data.seq) < BigInt(row.seq) &&
          (await options.key.verifyHmac(signedHeadMessage(options.site, claim.data), claim.data.hmac));
        if (!genuine) return { intact: false, entries, brokenSeq: row.seq, reason: 'forged', intactThrough: signedHead?.seq };
        if ((await hashAt(claim.data.seq)) !== claim.data.hash) {
          return { intact: false, entries, brokenSeq: claim.data.seq, reason: 'rewritten', signatureSeq: row.seq, intactThrough: signedHead?.seq };
        }
        if (!signedHead || BigInt(claim.data.seq) > BigInt(signedHead.seq)) {
          signedHead = { seq: claim.data.seq, hash: claim.data.hash, signatureSeq: row.seq, key: claim.data.key };
          unsigned = await unsignedAfter(claim.data.seq, row.seq);
        }
      } else {
        unsigned = { entries: (unsigned?.entries ?? 0) + 1, since: unsigned?.since ?? row.at };
      }

      recent.set(row.seq, { hash: row.hash.toString('hex'), at: row.at, signature: row.action === HEAD_SIGNED });
      if (recent.size > RECENT_HASHES) recent.delete(recent.keys().next().value!);
      expectedPrev = row.hash;
      last = { seq: row.seq, hash: row.hash };
      entries += 1;
    }
    if (rows.length < batchSize) break;
  }
  return { intact: true, entries, head: last && { seq: last.seq, hash: last.hash.toString('hex') }, signedHead, unsigned };
}
