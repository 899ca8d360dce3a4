// What the sandbox answers where Qualtrics' behaviour around transactions is UNCONFIRMED
// (docs/qualtrics-facts.md §4.7, §5.6), switchable so the package can be tested against each answer.

/** which transactionDate forms a create accepts: "YYYY-MM-DD HH:MM:SS" (mysql), ISO 8601 (iso), or both (any) */
export type TransactionDateMode = "any" | "mysql" | "iso";
export const TRANSACTION_DATE_MODES: readonly TransactionDateMode[] = ["any", "mysql", "iso"];

export interface TransactionRules {
  /** the prefix of new batch IDs, letters then "_" (default "BT_") */
  batchPrefix: string;
  /** whether an SMS invitation to a batch or a transaction must also name recipients.mailingListId (default true, as §5.6 says of every Invite) */
  smsBatchNeedsList: boolean;
  transactionDates: TransactionDateMode;
}

export const DEFAULT_TRANSACTION_RULES: Readonly<TransactionRules> = { batchPrefix: "BT_", smsBatchNeedsList: true, transactionDates: "any" };

export interface TransactionRulesController {
  readonly current: Readonly<TransactionRules>;
  /** changes the rules given, keeps the others */
  set(rules: Partial<TransactionRules>): void;
}

/** The rules checked; a RangeError names what is wrong. */
export function checkTransactionRules(rules: unknown): Partial<TransactionRules> {
  if (typeof rules !== "object" || rules === null || Array.isArray(rules)) throw new RangeError("transaction rules must be an object");
  const r = rules as Record<string, unknown>;
  const out: Partial<TransactionRules> = {};
  for (const key of Object.keys(r)) {
    if (!(key in DEFAULT_TRANSACTION_RULES)) throw new RangeError(`unknown transaction rule "${key}" (batchPrefix, smsBatchNeedsList, transactionDates)`);
  }
  if (r.batchPrefix !== undefined) {
    if (typeof r.batchPrefix !== "string" || !/^[A-Z]+_$/.test(r.batchPrefix)) throw new RangeError('batchPrefix must be capital letters and "_", like "BT_"');
    out.batchPrefix = r.batchPrefix;
  }
  if (r.smsBatchNeedsList !== undefined) {
    if (typeof r.smsBatchNeedsList !== "boolean") throw new RangeError("smsBatchNeedsList must be true or false");
    out.smsBatchNeedsList = r.smsBatchNeedsList;
  }
  if (r.transactionDates !== undefined) {
    if (!TRANSACTION_DATE_MODES.includes(r.transactionDates as TransactionDateMode)) throw new RangeError(`transactionDates must be one of ${TRANSACTION_DATE_MODES.join(", ")}`);
    out.transactionDates = r.transactionDates as TransactionDateMode;
  }
  return out;
}

export class TransactionRulesSwitch implements TransactionRulesController {
  private rules: TransactionRules;
  private readonly initial: TransactionRules;

  constructor(initial: Partial<TransactionRules> = {}) {
    this.initial = { ...DEFAULT_TRANSACTION_RULES, ...checkTransactionRules(initial) };
    this.rules = { ...this.initial };
  }

  get current(): Readonly<TransactionRules> {
    return this.rules;
  }

  set(rules: Partial<TransactionRules>): void {
    this.rules = { ...this.rules, ...checkTransactionRules(rules) };
  }

  reset(): void {
    this.rules = { ...this.initial };
  }
}
