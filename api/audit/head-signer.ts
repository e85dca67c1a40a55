import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { AuditRecorder } from './entry.js';
import { type AuditSigningKey, HEAD_SIGNED, HEAD_SIGNER, type SignedHeadDetails, signedHeadMessage } from './signed-head.js';

export type SigningReason = 'start' | 'interval' | 'shutdown';

export interface HeadSignerOptions {
  readonly sql: Sql;
  readonly site: string;
  readonly key: AuditSigningKey;
  readonly audit: AuditRecorder;
  readonly logger: Logger;
  /** At most a minute (the configuration refuses more). */
  readonly intervalMs: number;
}

export type HeadSigner = ReturnType<typeof createHeadSigner>;

/**
 * Signs the audit chain's newest entry with a key the database cannot reach, and appends the
 * signature to the chain (so the next signature covers it too) and to the log (which the database
 * owner cannot rewrite). Whoever later rewrites an entry and recomputes every hash after it cannot
 * make the signatures after that entry match again: `npm run audit:verify` names where they stop.
 *
 * A head that is itself a signature is left alone, so an idle site adds nothing, and of several
 * replicas signing at once the later ones usually find the head signed already.
 */
export function createHeadSigner(options: HeadSignerOptions) {
  const { sql, site, key, audit, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let signing: Promise<unknown> = Promise.resolve();

  async function signHead(reason: SigningReason): Promise<SignedHeadDetails | undefined> {
    const [head] = await sql<{ seq: string; hash: Buffer; action: string }[]>`
      select seq::text as seq, hash, action from audit_log order by audit_log.seq desc limit 1`;
    if (!head || head.action === HEAD_SIGNED) return undefined;
    const signed = { seq: head.seq, hash: head.hash.toString('hex') };
    const details: SignedHeadDetails = { ...signed, hmac: await key.hmac(signedHeadMessage(site, signed)), key: key.name, reason };
    await audit.record({ actor: HEAD_SIGNER, action: HEAD_SIGNED, resource: `audit_log/${head.seq}`, outcome: 'success', details });
    logger.info(details, 'signed the audit chain head');
    return details;
  }

  /** One signing at a time: a slow key provider delays the next tick instead of piling calls up. */
  function signOnce(reason: SigningReason): Promise<SignedHeadDetails | undefined> {
    const next = signing.then(() => signHead(reason));
    signing = next.catch(() => undefined);
    return next;
  }

  return {
    signNow: signOnce,

    /** Signs what the chain holds now (a failure stops the start: the key must work), then every interval. */
    async start(): Promise<void> {
      await signOnce('start');
      timer = setInterval(() => {
        signOnce('interval').catch((error: unknown) => logger.error({ err: error }, 'signing the audit chain head failed; it will be tried again'));
      }, options.intervalMs);
      timer.unref();
    },

    /** Stops the interval and signs the last entries, so a clean stop leaves a signed chain. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await signOnce('shutdown');
    },
  };
}
