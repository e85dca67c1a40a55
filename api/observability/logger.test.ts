import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', stream), text: () => lines.join('') };
}

describe('logger', () => {
  it('redacts passwords, tokens and authorization headers however they are nested', () => {
    const { logger, text } = capture();
    logger.info(
      { password: 'Secret-Pass-1', body: { token: 'cdt_secret', password: 'Secret-Pass-2' }, headers: { authorization: 'Bearer cdt_x' } },
      'careless',
    );
    expect(text()).not.toMatch(/Secret-Pass|cdt_/);
    expect(text()).toContain('[redacted]');
  });

  it("redacts a database error's failing-row detail and parameters, keeping its message and code", () => {
    const { logger, text } = capture();
    const error = Object.assign(new Error('new row violates check constraint'), {
      code: '23514',
      detail: 'Failing row contains (bob, scrypt$32768$secret-hash, agent).',
      parameters: ['bob', 'scrypt$32768$secret-hash'],
    });
    logger.error({ err: new Error('creating an account failed', { cause: error }) }, 'unhandled error');
    logger.error({ err: error }, 'unhandled error');
    expect(text()).not.toContain('secret-hash');
    expect(text()).toContain('23514');
    expect(text()).toContain('new row violates check constraint');
  });
});
