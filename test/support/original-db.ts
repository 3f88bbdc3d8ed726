import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { useStarted } from './fixture.js';

// The original's MySQL schema at 024b289, on the local MariaDB, in a database
// of its own per run: the source of the import tests and the import benchmark.

export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

const AUDIT = `created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at datetime(6) NULL`;

export const ORIGINAL_SCHEMA = [
  `CREATE TABLE role (role_id int NOT NULL, name varchar(255) NOT NULL, PRIMARY KEY (role_id)) ENGINE=InnoDB`,
  `CREATE TABLE account (account_id varchar(36) NOT NULL, email varchar(255) NULL, password varchar(255) NULL,
    provider varchar(255) NOT NULL DEFAULT 'email', social_id varchar(255) NULL, role_id int NULL, ${AUDIT},
    UNIQUE KEY UQ_email (email), KEY IDX_social (social_id), PRIMARY KEY (account_id),
    CONSTRAINT FK_account_role FOREIGN KEY (role_id) REFERENCES role (role_id)) ENGINE=InnoDB`,
  `CREATE TABLE palette (palette_id int NOT NULL AUTO_INCREMENT, grade varchar(20) NOT NULL, name varchar(100) NOT NULL,
    light_color varchar(7) NOT NULL, normal_color varchar(7) NOT NULL, dark_color varchar(7) NOT NULL,
    darker_color varchar(7) NOT NULL, ${AUDIT}, PRIMARY KEY (palette_id)) ENGINE=InnoDB`,
  `CREATE TABLE member (member_id varchar(36) NOT NULL, nickname varchar(100) NOT NULL, image_url varchar(255) NULL,
    active_record_id bigint NULL, point int NOT NULL DEFAULT 0, study_streak_id int NULL, account_id varchar(36) NULL,
    status_message varchar(500) NOT NULL DEFAULT '', ${AUDIT}, UNIQUE KEY UQ_streak (study_streak_id),
    UNIQUE KEY UQ_account (account_id), PRIMARY KEY (member_id),
    CONSTRAINT FK_member_account FOREIGN KEY (account_id) REFERENCES account (account_id)) ENGINE=InnoDB`,
  `CREATE TABLE study_streak (study_streak_id int NOT NULL AUTO_INCREMENT, current_streak int NOT NULL,
    longest_streak int NOT NULL, member_id varchar(36) NOT NULL, palette_id int NULL, ${AUDIT},
    UNIQUE KEY UQ_member (member_id), PRIMARY KEY (study_streak_id),
    CONSTRAINT FK_streak_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE,
    CONSTRAINT FK_streak_palette FOREIGN KEY (palette_id) REFERENCES palette (palette_id)) ENGINE=InnoDB`,
  `ALTER TABLE member ADD CONSTRAINT FK_member_streak FOREIGN KEY (study_streak_id) REFERENCES study_streak (study_streak_id)`,
  'CREATE TABLE `character` (character_id int NOT NULL AUTO_INCREMENT, name varchar(100) NOT NULL, ' +
    `description varchar(255) NULL, grade varchar(20) NOT NULL, image_url varchar(255) NOT NULL, sell_price int NOT NULL,
    ${AUDIT}, PRIMARY KEY (character_id)) ENGINE=InnoDB`,
  `CREATE TABLE character_inventory (character_inventory_id bigint NOT NULL AUTO_INCREMENT, quantity int NOT NULL,
    character_id int NOT NULL, member_id varchar(36) NOT NULL, ${AUDIT}, PRIMARY KEY (character_inventory_id),
    CONSTRAINT FK_ci_character FOREIGN KEY (character_id) REFERENCES \`character\` (character_id) ON DELETE CASCADE,
    CONSTRAINT FK_ci_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE item (item_id int NOT NULL AUTO_INCREMENT, name varchar(100) NOT NULL, item_type varchar(255) NOT NULL,
    description varchar(255) NOT NULL, required_study_time int NULL, cost int NOT NULL, grade varchar(20) NULL,
    image_url varchar(255) NOT NULL, effect_code int NOT NULL, is_hidden tinyint NOT NULL, ${AUDIT},
    PRIMARY KEY (item_id)) ENGINE=InnoDB`,
  `CREATE TABLE item_inventory (item_inventory_id bigint NOT NULL AUTO_INCREMENT, progress int NULL, quantity int NOT NULL,
    item_type varchar(255) NOT NULL, item_id int NOT NULL, member_id varchar(36) NOT NULL, ${AUDIT},
    PRIMARY KEY (item_inventory_id), CONSTRAINT FK_ii_item FOREIGN KEY (item_id) REFERENCES item (item_id),
    CONSTRAINT FK_ii_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE study_category (study_category_id bigint NOT NULL AUTO_INCREMENT, subject varchar(50) NOT NULL,
    color varchar(7) NOT NULL DEFAULT '#000000', deleted_at datetime(6) NULL, member_id varchar(36) NOT NULL,
    PRIMARY KEY (study_category_id),
    CONSTRAINT FK_sc_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE study_record (study_record_id bigint NOT NULL AUTO_INCREMENT, status varchar(20) NULL,
    start_time datetime NOT NULL, end_time datetime NULL, deleted_at datetime(6) NULL, member_id varchar(36) NOT NULL,
    study_category_id bigint NULL, PRIMARY KEY (study_record_id),
    CONSTRAINT FK_sr_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE,
    CONSTRAINT FK_sr_category FOREIGN KEY (study_category_id) REFERENCES study_category (study_category_id)) ENGINE=InnoDB`,
  `CREATE TABLE transaction_record (transaction_record_id bigint NOT NULL AUTO_INCREMENT, transaction_type varchar(20) NOT NULL,
    amount int NOT NULL, count int NOT NULL, balance_after_transaction int NOT NULL, notes varchar(255) NOT NULL,
    member_id varchar(36) NOT NULL, ${AUDIT}, PRIMARY KEY (transaction_record_id),
    CONSTRAINT FK_tr_member FOREIGN KEY (member_id) REFERENCES member (member_id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE migrations (id int NOT NULL AUTO_INCREMENT, timestamp bigint NOT NULL, name varchar(255) NOT NULL,
    PRIMARY KEY (id)) ENGINE=InnoDB`,
];

export interface OriginalDatabase {
  name: string;
  /** `mysql://…/<name>`, as `--from` takes it. */
  url: string;
  connection: mysql.Connection;
  /** Inserts rows given as objects (all of one table, same keys). */
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh database with the original's schema, uniquely named, dropped by `drop()`. */
export async function createOriginalDatabase(): Promise<OriginalDatabase> {
  const name = `monta_original_${randomBytes(4).toString('hex')}`;
  const server = new URL(MARIADB_URL);
  const connection = await mysql.createConnection({
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username) || 'root',
    password: decodeURIComponent(server.password),
    charset: 'utf8mb4',
    multipleStatements: false,
  });
  await connection.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.query(`USE ${name}`);
  // The original's containers ran on UTC, so CURRENT_TIMESTAMP defaults are UTC wall time.
  await connection.query(`SET time_zone = '+00:00'`);
  for (const statement of ORIGINAL_SCHEMA) await connection.query(statement);
  const url = new URL(MARIADB_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    connection,
    insert: async (table, rows) => {
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0]!);
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        await connection.query(`INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [
          chunk.map((r) => columns.map((c) => r[c])),
        ]);
      }
    },
    drop: async () => {
      await connection.query(`DROP DATABASE IF EXISTS ${name}`);
      await connection.end();
    },
  };
}

/** The suite's original database, filled by `load`: made in `beforeAll`, dropped in `afterAll` (see `useStarted`). */
export function useOriginalDatabase(load: (original: OriginalDatabase) => Promise<void>): OriginalDatabase {
  return useStarted(
    'useOriginalDatabase',
    async () => {
      const original = await createOriginalDatabase();
      await load(original);
      return original;
    },
    (original) => original.drop(),
  );
}
