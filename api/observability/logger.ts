import pino, { type Logger } from 'pino';

/**
 * JSON logs. Bodies are never logged; the redaction list is a second line of defence for fields
 * that could carry a secret or a person's data if someone logs an object carelessly.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'crashdesk-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'policyNumber',
          '*.policyNumber',
          'drivers',
          '*.drivers',
          'location',
          '*.location',
          // A database error's detail quotes the failing row ("Failing row contains (...)"), and with
          // debug its query parameters ride along: an unhandled one must not carry values into the log.
          'err.detail',
          'err.where',
          'err.parameters',
          'err.args',
          'err.cause.detail',
          'err.cause.parameters',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
