// Every ledger statement goes out as ONE simple-protocol message, its parameters inlined as escaped literals.
// Why: the embedded ledger (pglite-socket) runs its connections' protocol messages one at a time on PGlite's one
// session, so one connection's Parse/Bind/Execute can have another's Parse run between its parts (seen: "bind
// message supplies 19000 parameters, but prepared statement "" requires 19"); one message is never split.
import pg from 'pg';

export type SqlValue = string | number | boolean | Date | null | undefined;

/** What the ledger's modules query through: a pool, or one connection of it (a transaction). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: readonly SqlValue[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A SQL literal: strings by pg's escapeLiteral, numbers only when finite, dates as ISO text. */
export function literal(v: SqlValue): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`ledger: ${v} is not a number a column can hold`);
    return v < 0 ? `(${v})` : String(v);
  }
  return pg.escapeLiteral(v instanceof Date ? v.toISOString() : v);
}

/** `$1`…`$n` replaced by the values' literals (the ledger's statements hold no other `$`). */
export function inline(text: string, values: readonly SqlValue[] = []): string {
  return text.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`ledger: no value for $${n}`);
    return literal(values[i]);
  });
}

export function queryable(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R extends pg.QueryResultRow>(text: string, values?: readonly SqlValue[]) {
      const { rows, rowCount } = await target.query<R>(inline(text, values));
      return { rows, rowCount };
    },
  };
}

/** `fn` in one transaction on one connection (whole or nothing; on the embedded ledger, PGlite stays with it). */
export async function inTransaction<T>(client: pg.PoolClient, fn: (db: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(queryable(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined); // the original error is the one to report
    throw err;
  }
}
