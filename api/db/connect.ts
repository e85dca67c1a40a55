import { readFileSync } from 'node:fs';
import postgres, { type Sql } from 'postgres';

export interface ConnectOptions {
  readonly max: number;
  readonly applicationName: string;
  /**
   * The CA of the server's certificate (DATABASE_CA_FILE): the connection is then TLS only and
   * verifies the certificate and the host name, as `sslmode=verify-full` does.
   */
  readonly caFile?: string;
}

/** The api's connection pool to one site's database. */
export function connectDatabase(url: string, options: ConnectOptions): Sql {
  return postgres(url, {
    ...(options.caFile && { ssl: { ca: readCa(options.caFile), rejectUnauthorized: true } }),
    max: options.max,
    idle_timeout: 60,
    connect_timeout: 10,
    max_lifetime: 30 * 60,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new Error(`DATABASE_CA_FILE: cannot read ${path}`, { cause });
  }
}
