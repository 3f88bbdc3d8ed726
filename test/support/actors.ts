import { expect } from 'vitest';
import type { ManualClock } from './clock.js';
import type { Client, Reply } from './http.js';

// What a member does through the API in many suites (study on the timer, buy, use, sell) and what
// they read back, written once. Each call goes through the real routes with the member's token.

export interface Actor {
  accessToken: string;
  memberId: string;
}

export interface InventoryEntry {
  item_inventory_id: string;
  progress: number | null;
  quantity: number;
}

/**
 * The member actions for one suite. `api` may be a function, for suites with several instances that
 * pick one per call; `clock` is the suite's, which the timer actions set when given a time.
 */
export function actors(api: Client | (() => Client), clock?: ManualClock) {
  const http = typeof api === 'function' ? api : () => api;

  /** Starts or ends (`Completed` unless told) the timer, at `at` on the clock when given; expects 200. */
  async function timer(u: Actor, action: 'start' | 'end', at?: string, status = 'Completed'): Promise<Reply> {
    if (at !== undefined) clockOf().set(at);
    const json = action === 'end' ? { status } : {};
    const r = await http().post(`/timer-api/study-timer/${action}`, { token: u.accessToken, json });
    expect(r.status, r.text).toBe(200);
    return r;
  }

  function clockOf(): ManualClock {
    if (!clock) throw new Error('actors: this suite gave no clock, so a timer action can not be set at a time');
    return clock;
  }

  return {
    timer,

    /** One ended session from `from` to `to` (instants) on the suite's clock. */
    async session(u: Actor, from: string, to: string, status = 'Completed'): Promise<void> {
      await timer(u, 'start', from);
      await timer(u, 'end', to, status);
    },

    /** A session of `ms` on the suite's clock, from `from` when given (else from the clock's now); the end's reply. */
    async study(u: Actor, ms: number, o: { from?: string; status?: string } = {}): Promise<Reply> {
      await timer(u, 'start', o.from);
      clockOf().advance(ms);
      return timer(u, 'end', undefined, o.status);
    },

    purchase: <T = any>(u: Actor, itemId: number, count: number) =>
      http().post<T>('/v2/shop/purchase', { token: u.accessToken, json: { item_id: itemId, count } }),

    // The PWA sends the Nest string id.
    sell: <T = any>(u: Actor, characterInventoryId: string, count: number) =>
      http().post<T>('/v2/shop/sell', {
        token: u.accessToken,
        json: { character_inventory_id: characterInventoryId, count },
      }),

    use: (u: Actor, itemInventoryId: string) =>
      http().post(`/v2/item-inventory/${itemInventoryId}`, { token: u.accessToken }),

    async itemInventory(u: Actor, type: 'Food' | 'Consumable'): Promise<InventoryEntry[]> {
      const r = await http().get(`/timer-api/members/${u.memberId}/item-inventory?item_type=${type}`, {
        token: u.accessToken,
      });
      return r.body.data.item_inventory as InventoryEntry[];
    },

    async characterInventory(u: Actor): Promise<{ character_inventory_id: string; quantity: number }[]> {
      const r = await http().get(`/timer-api/members/${u.memberId}/character-inventory`, { token: u.accessToken });
      return r.body.data.character_inventory as { character_inventory_id: string; quantity: number }[];
    },

    async point(u: Actor): Promise<number> {
      return (await http().get('/timer-api/members/me', { token: u.accessToken })).body.data.member.point as number;
    },
  };
}
