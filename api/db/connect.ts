import postgres, { type Sql } from 'postgres';

/** The api's connection pool to one site's database. */
export function connectDatabase(url: string, options: { max: number; applicationName: string }): Sql {
  return postgres(url, {
    max: options.max,
    idle_timeout: 60,
    connect_timeout: 10,
    max_lifetime: 30 * 60,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}
