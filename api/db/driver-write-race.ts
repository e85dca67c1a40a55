/**
 * The `postgres` driver (3.4.9) can throw from a timer when a connection closes between a small
 * write being buffered and the timer that flushes it (`nextWrite` on a null socket; upstream
 * porsager/postgres issues #1154 and #1208, fixes not yet released). The query that owned the write
 * has already been rejected with CONNECTION_CLOSED, so the bytes have nowhere to go; but being
 * thrown from a timer, it would take the whole process down, which a database restart must not do.
 * Recognised narrowly: this exact error, thrown from the driver's `nextWrite`.
 */
export function isDriverWriteAfterClose(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /nextWrite .*postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}
