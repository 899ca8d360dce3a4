// A number typed in a dialog (or written in a flow file): empty or not a number means the default,
// so a field left blank never turns into 0 (which, for a limit, would mean "all").
export function dialogNumber(value: unknown, fallback: number, range?: { min: number; max?: number }): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) return fallback;
  return range ? Math.min(range.max ?? Infinity, Math.max(range.min, n)) : n;
}
