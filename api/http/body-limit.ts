import type { Context, MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.js';

const MiB = 1024 * 1024;
// How much of an oversized body is read (and thrown away) before the 413 goes out, and for how
// long. A client still sending when the answer comes and the connection closes gets a reset
// instead of the answer (Node's fetch: "other side closed"); one whose body was read to the end
// reads the 413 like any answer. Past either bound the 413 goes out anyway, with Connection: close.
const DRAIN_MAX_BYTES = 16 * MiB;
const DRAIN_MAX_MS = 5_000;

const sizeOf = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);

/** Reads and discards the rest of a body within the bounds; true when it was read to its end. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<boolean> {
  let read = alreadyRead;
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<'time-up'>((resolve) => {
    timer = setTimeout(() => resolve('time-up'), DRAIN_MAX_MS);
  });
  try {
    while (read <= DRAIN_MAX_BYTES) {
      const chunk = await Promise.race([reader.read(), timeUp]);
      if (chunk === 'time-up') return false;
      if (chunk.done) return true;
      read += chunk.value.length;
    }
    return false;
  } catch {
    // The client went away while sending: nobody is left to read the answer.
    return false;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

/**
 * Refuses a body over `maxBytes` with `tooLarge(c)` before the handler sees it. A declared
 * Content-Length is checked up front, a streamed body is counted as it arrives; either way the
 * rest of the body is read (within bounds) before answering, so the client sees the answer.
 */
export function limitBodyWith(maxBytes: number, tooLarge: (c: Context, headers: Record<string, string>) => Response | Promise<Response>): MiddlewareHandler {
  return async (c, next) => {
    // Decided from the headers where they suffice: touching `c.req.raw.body` builds a fetch Request
    // (and its stream) for the request, a cost the body-less GETs that make most of the traffic need
    // not pay. Node's parser never delivers more than a declared Content-Length.
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const declared = chunked ? undefined : c.req.header('content-length');
    if (declared !== undefined && Number(declared) <= maxBytes) return next();
    if (!chunked && declared === undefined && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    const body: ReadableStream<Uint8Array> | null = c.req.raw.body;
    if (!body) return next();
    if (declared !== undefined) {
      const drained = await drain(body.getReader(), 0);
      return tooLarge(c, drained ? {} : { connection: 'close' });
    }

    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        const drained = await drain(reader, size);
        return tooLarge(c, drained ? {} : { connection: 'close' });
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
    return next();
  };
}

/** The JSON API's limit: a 413 problem. */
export function limitBody(maxBytes: number, what = 'The request body'): MiddlewareHandler {
  return limitBodyWith(maxBytes, (_c, headers) => {
    throw new ProblemError(413, 'body-too-large', `${what} is larger than ${sizeOf(maxBytes)}.`, { headers });
  });
}
