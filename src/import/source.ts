import mysql from 'mysql2/promise';

export type SourceRow = Record<string, unknown>;

/** The original MySQL/MariaDB database, read only. */
export interface Source {
  /** `host:port/database`, without credentials: names the source in the import state and the logs. */
  readonly label: string;
  query(text: string, params?: unknown[]): Promise<SourceRow[]>;
  close(): Promise<void>;
}

export async function openSource(url: string, connectTimeoutMs = 10_000): Promise<Source> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`--from must be a mysql:// URL, not ${parsed.protocol}//…`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('--from must name the database: mysql://user:pass@host:3306/db');
  const connection = await mysql.createConnection({
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
    charset: 'utf8mb4',
    // Datetimes as the text stored (no zone), big ids as exact decimal strings.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: connectTimeoutMs,
  });
  // One consistent snapshot per statement is enough; the runbook freezes writes before the import.
  await connection.query('set session transaction read only');
  return {
    label: `${parsed.hostname}:${parsed.port || 3306}/${database}`,
    query: async (text, params) => {
      const [rows] = await connection.query({ sql: text, timeout: 600_000 }, params);
      return rows as SourceRow[];
    },
    close: () => connection.end(),
  };
}
