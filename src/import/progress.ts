/** How far the import is: a bar redrawn in place on a terminal, one plain line per batch otherwise. */
export interface Progress {
  log(message: string): void;
  start(table: string, total: number, done: number): void;
  advance(rows: number): void;
  end(): void;
}

export function createProgress(out: NodeJS.WriteStream = process.stdout): Progress {
  let table = '';
  let total = 0;
  let done = 0;
  const tty = out.isTTY === true;
  const draw = () => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    out.write(`\r${table.padEnd(20)} [${bar}] ${done}/${total} ${Math.floor(share * 100)}%`);
  };
  return {
    log: (message) => out.write(`${message}\n`),
    start: (name, rows, already) => {
      table = name;
      total = rows;
      done = already;
      if (tty) draw();
      else out.write(`import: ${table} ${done}/${total}${already ? ' (resumed)' : ''}\n`);
    },
    advance: (rows) => {
      done += rows;
      if (tty) draw();
      else out.write(`import: ${table} ${done}/${total}\n`);
    },
    end: () => {
      if (tty) out.write('\n');
    },
  };
}
