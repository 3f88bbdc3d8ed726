/**
 * Coalesces the lookups asked for in one turn of the event loop into one query per `maxBatch` keys: a
 * crowd of sockets connecting at once (a mass reconnect after a deploy) then takes a few pooled
 * connections instead of one each, and does not wait out the pool's bound. `load` answers the keys it
 * found; a missing key resolves undefined; a failed query fails every lookup of its batch.
 */
export class KeyBatcher<V> {
  private pending = new Map<string, { resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly maxBatch = 500,
  ) {}

  get(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every handshake that arrived with this one joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const slice = keys.slice(i, i + this.maxBatch);
      this.load(slice).then(
        (found) => slice.forEach((key) => batch.get(key)!.forEach((w) => w.resolve(found.get(key)))),
        (error: unknown) => slice.forEach((key) => batch.get(key)!.forEach((w) => w.reject(error))),
      );
    }
  }
}
