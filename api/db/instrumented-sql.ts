import { performance } from 'node:perf_hooks';
import type { Sql } from 'postgres';
import type { DatabaseMetrics, Outcome } from './metrics.js';

type AnyFunction = (...args: unknown[]) => unknown;
type Thenable = { then: (onFulfilled?: AnyFunction, onRejected?: AnyFunction) => Promise<unknown> };

const isTemplate = (first: unknown) => Array.isArray(first) && 'raw' in first;

/**
 * The site's pool as every store uses it, measured at this door: postgres.js tells nothing about
 * its connections, so the pool is read from what is issued on it. A query outside a transaction,
 * or a whole transaction, holds one connection from when it is awaited until it is answered; past
 * the pool's size, what is issued waits. Queries inside a transaction are timed but hold nothing
 * more. A query is lazy (it runs when first awaited): one only built as a fragment of another
 * costs nothing and is never counted. `reserve()` and `listen()` pass through unmeasured (the
 * migrations' connection, and a connection of its own).
 */
export function instrumentSql(sql: Sql, metrics: DatabaseMetrics): Sql {
  const size = sql.options.max;
  let inFlight = 0;
  metrics.watchPool(() => ({ inFlight, size }));

  async function measure<T>(run: () => Promise<T>, holds: boolean, observe: (outcome: Outcome, seconds: number) => void): Promise<T> {
    if (holds) inFlight += 1;
    const started = performance.now();
    let outcome: Outcome = 'error';
    try {
      const result = await run();
      outcome = 'ok';
      return result;
    } finally {
      observe(outcome, (performance.now() - started) / 1000);
      if (holds) inFlight -= 1;
    }
  }

  /** Times the query from its first `then` (when postgres.js sends it) to its answer, once however often it is awaited. */
  function timed<Q>(query: Q, holds: boolean): Q {
    const original = (query as Thenable).then;
    let answered: Promise<unknown> | undefined;
    Object.defineProperty(query, 'then', {
      configurable: true,
      writable: true,
      value(onFulfilled?: AnyFunction, onRejected?: AnyFunction) {
        answered ??= measure(() => new Promise((resolve, reject) => void original.call(query, resolve, reject)), holds, metrics.query);
        return answered.then(onFulfilled, onRejected);
      },
    });
    return query;
  }

  function wrap<S extends object>(target: S, pooled: boolean): S {
    return new Proxy(target, {
      apply(fn, thisArg, args: unknown[]) {
        const result: unknown = Reflect.apply(fn as AnyFunction, thisArg, args);
        // sql`...` is a query; sql(identifier) and sql(rows, ...columns) are fragments.
        return isTemplate(args[0]) ? timed(result, pooled) : result;
      },
      get(object, property) {
        const value: unknown = Reflect.get(object, property);
        if (typeof value !== 'function') return value;
        const method = value as AnyFunction;
        if (property === 'unsafe') return (...args: unknown[]) => timed(method.apply(object, args), pooled);
        if (property === 'savepoint' || (property === 'begin' && pooled)) {
          return (...args: unknown[]) => {
            const body = args.pop() as (inner: object) => unknown;
            const run = () => method.apply(object, [...args, (inner: object) => body(wrap(inner, false))]) as Promise<unknown>;
            return property === 'begin' ? measure(run, true, metrics.transaction) : run();
          };
        }
        return method;
      },
    });
  }

  return wrap(sql, true);
}
