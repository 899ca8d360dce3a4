// Qualtrics-style identifiers: a prefix such as "CID_" followed by 15 alphanumerics
// (docs/qualtrics-facts.md §4.8: POOL_ = 20 chars, CID_ = 19, CG_/SV_/MS_/UR_ = 18, EMD_ = 19).
import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const ID_BODY_LENGTH = 15;

export type IdPrefix =
  | "POOL_" | "CID_" | "CG_" | "CGC_" | "SV_" | "R_" | "EMD_" | "SMSD_" | "MS_" | "UR_" | "GR_" | "UT_" | "SUB_" | "CTR_";

/** Something that hands out IDs. Runtime IDs are crypto-random; seed IDs come from a seeded PRNG. */
export interface IdSource {
  next(prefix: IdPrefix): string;
}

/** Crypto-random alphanumerics (rejection sampling keeps the 62 symbols uniform). */
export function randomAlnum(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62]; // 248 = 4 * 62
      if (out.length === length) break;
    }
  }
  return out;
}

export const cryptoIds: IdSource = {
  next: (prefix) => prefix + randomAlnum(ID_BODY_LENGTH),
};

/** mulberry32: a tiny deterministic PRNG, enough to make demo data stable across restarts. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededIds(seed: number): IdSource {
  const rnd = seededRandom(seed);
  return {
    next(prefix) {
      let body = "";
      for (let i = 0; i < ID_BODY_LENGTH; i++) body += ALPHABET[Math.floor(rnd() * 62)];
      return prefix + body;
    },
  };
}

/** True when `id` is `prefix` + exactly 15 alphanumerics. */
export function hasIdFormat(id: unknown, prefix: IdPrefix): boolean {
  return typeof id === "string" && new RegExp(`^${prefix}[A-Za-z0-9]{${ID_BODY_LENGTH}}$`).test(id);
}
