// The local OpenID provider's storage: sessions, interactions, grants and codes in a Map, gone on restart.
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; undefined never expires. */
  expiresAt: number | undefined;
}

/** Past this many entries, each write first drops the expired ones: a long-running `npm start` stays small. */
const PRUNE_ABOVE = 1000;

/**
 * A factory for oidc-provider's `adapter` setting: one store shared by every model, keyed
 * `Model:id`, with the two lookups the provider needs (a session by uid, a grant's tokens by
 * grantId). Ours rather than the library's quick-start one, which warns that it is for trying the
 * library out; this one is as little, but meant for exactly this: one process, one developer.
 */
export function memoryStore(): (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const now = () => Date.now();
  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  const prune = () => {
    if (entries.size <= PRUNE_ABOVE) return;
    for (const key of [...entries.keys()]) live(key);
  };

  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        prune();
        entries.set(key(id), {
          payload,
          expiresAt: expiresIn ? now() + expiresIn * 1000 : undefined,
        });
      },
      async find(id) {
        return live(key(id));
      },
      async findByUid(uid) {
        for (const [k, entry] of entries) {
          if (k.startsWith(`${model}:`) && entry.payload.uid === uid) return live(k);
        }
        return undefined;
      },
      async findByUserCode(userCode) {
        for (const [k, entry] of entries) {
          if (k.startsWith(`${model}:`) && entry.payload.userCode === userCode) return live(k);
        }
        return undefined;
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        entries.delete(key(id));
      },
      // Revoking a grant (at sign-out) removes every token and code issued under it, whatever its model.
      async revokeByGrantId(grantId) {
        for (const [k, entry] of entries) {
          if (entry.payload.grantId === grantId) entries.delete(k);
        }
      },
    };
  };
}
