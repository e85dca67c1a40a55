import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProblemError } from './problem.js';

const MAC_BYTES = 16;

const invalidCursor = () =>
  new ProblemError(400, 'invalid-cursor', 'The cursor is not one this site issued for this list; start from the first page.', {
    errors: [{ path: 'cursor', message: 'is not a cursor this site issued for this list' }],
  });

/**
 * Opaque keyset cursors: the list they page (`scope`, e.g. the day of a date list, or `audit`) and
 * the last id seen, signed with the site's cursor key so that a forged or edited cursor, or one
 * taken from another list, is refused instead of silently paging wrongly.
 */
export function createCursorCodec(key: Buffer) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    encode(scope: string, lastId: string): string {
      const payload = `${scope}/${lastId}`;
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },

    /**
     * A scope naming a list by something the cursor must not show (a policy number: cursors
     * travel in URLs): a keyed digest of it, so the cursor is still bound to that one list.
     */
    hiddenScope(list: string, secret: string): string {
      return `${list}:${createHmac('sha256', key).update(`cursor-scope\0${list}\0${secret}`).digest().subarray(0, 12).toString('base64url')}`;
    },

    /** Returns the last id seen; throws a 400 problem for anything else. */
    decode(cursor: string, scope: string): string {
      const [encodedPayload, encodedMac, ...rest] = cursor.split('.');
      if (!encodedPayload || !encodedMac || rest.length > 0) throw invalidCursor();
      const payload = Buffer.from(encodedPayload, 'base64url').toString('utf8');
      const given = Buffer.from(encodedMac, 'base64url');
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(payload))) throw invalidCursor();
      const separator = payload.lastIndexOf('/');
      const cursorScope = payload.slice(0, separator);
      const lastId = payload.slice(separator + 1);
      if (separator < 0 || cursorScope !== scope || !/^\d{1,19}$/.test(lastId)) throw invalidCursor();
      return lastId;
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
