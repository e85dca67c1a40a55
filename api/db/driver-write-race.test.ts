import { describe, expect, it } from 'vitest';
import { isDriverWriteAfterClose } from './driver-write-race.js';

function errorWithStack(type: ErrorConstructor, message: string, stack: string) {
  const error = new type(message);
  error.stack = `${type.name}: ${message}\n${stack}`;
  return error;
}

describe('isDriverWriteAfterClose', () => {
  const driverFrame = '    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)';

  it("recognises the driver's write after a close", () => {
    expect(isDriverWriteAfterClose(errorWithStack(TypeError, "Cannot read properties of null (reading 'write')", driverFrame))).toBe(true);
  });

  it('recognises nothing else, so every other uncaught error still ends the process', () => {
    expect(
      isDriverWriteAfterClose(errorWithStack(TypeError, "Cannot read properties of null (reading 'write')", '    at ours (file:///app/api/x.ts:1:1)')),
    ).toBe(false);
    expect(isDriverWriteAfterClose(errorWithStack(TypeError, "Cannot read properties of null (reading 'end')", driverFrame))).toBe(false);
    expect(isDriverWriteAfterClose(errorWithStack(Error, "Cannot read properties of null (reading 'write')", driverFrame))).toBe(false);
    expect(isDriverWriteAfterClose('a string')).toBe(false);
  });
});
