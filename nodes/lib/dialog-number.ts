// A number typed in a dialog (or written in a flow file, or coming from \${ENV} as text).

/** the field's number: undefined when it is left empty, NaN when it is not a number */
export function dialogValue(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? undefined : Number(value);
  return NaN;
}

/** empty or not a number means the default, so a field left blank never turns into 0 (which, for a limit, would mean "all") */
export function dialogNumber(value: unknown, fallback: number, range?: { min: number; max?: number }): number {
  const n = dialogValue(value);
  if (n === undefined || !Number.isFinite(n)) return fallback;
  return range ? Math.min(range.max ?? Infinity, Math.max(range.min, n)) : n;
}
