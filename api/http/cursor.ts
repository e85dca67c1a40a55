import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProblemError } from '../http/problem.js';

const MAC_BYTES = 16;

const invalidCursor = () =>
  new ProblemError(400, 'invalid-cursor', 'The cursor is not one this site issued for this date; start from the first page.', {
    errors: [{ path: 'cursor', message: 'is not a cursor this site issued for this date' }],
  });

/**
 * Opaque keyset cursors for the date list: the day and the last id seen, signed with the site's
 * cursor key so that a forged or edited cursor is refused instead of silently paging wrongly.
 */
export function createCursorCodec(key: Buffer) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

  return {
    encode(date: string, lastId: string): string {
      const payload = `${date}/${lastId}`;
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },

    /** Returns the last id seen; throws a 400 problem for anything else. */
    decode(cursor: string, date: string): string {
      const [encodedPayload, encodedMac, ...rest] = cursor.split('.');
      if (!encodedPayload || !encodedMac || rest.length > 0) throw invalidCursor();
      const payload = Buffer.from(encodedPayload, 'base64url').toString('utf8');
      const given = Buffer.from(encodedMac, 'base64url');
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(payload))) throw invalidCursor();
      const [cursorDate, lastId] = payload.split('/');
      if (cursorDate !== date || !lastId || !/^\d{1,19}$/.test(lastId)) throw invalidCursor();
      return lastId;
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
