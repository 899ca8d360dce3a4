// The ID prefixes alone, with no imports: the runtime checks IDs with them (src/validate.ts) and the
// editor library bundles this file, so a dialog checks a typed ID against the same table.
/**
 * Qualtrics ID prefixes by kind (docs/qualtrics-facts.md §4.8, and §13 for those seen in real answers:
 * ML_ mailing lists, MLRP_ recipient lookups). Hints, not a closed list: see checkIdShape in src/validate.ts.
 */
export const ID_PREFIX = {
  directory: ["POOL_"],
  contact: ["CID_"],
  /** who a distribution goes to: a contact, or a lookup ID of a mailing list member */
  contactLookup: ["CID_", "CGC_", "MLRP_"],
  mailingList: ["CG_", "ML_"],
  survey: ["SV_"],
  emailDistribution: ["EMD_"],
  smsDistribution: ["SMSD_"],
  distribution: ["EMD_", "SMSD_"],
  message: ["MS_"],
  library: ["UR_", "GR_"],
  subscription: ["SUB_"],
  response: ["R_"],
  user: ["UR_"],
  transaction: ["CTR_"],
  /** UNCONFIRMED (docs/qualtrics-facts.md §4.7): BT_ is the only prefix seen; any other of the loose shape is accepted */
  transactionBatch: ["BT_"],
} as const;

export type IdKind = keyof typeof ID_PREFIX;
