// Results of the cases, and how they are printed: one Markdown table per case with every run and
// the median, then the targets as ratios measured in the same run, each PASS or MISS.
import { fmt, median } from "./lib";

export interface Row {
  label: string;
  unit: string;
  values: number[];
  digits?: number;
  /** a reference measurement (what bounds a target), not one the targets compare directly */
  note?: string;
}

export interface Target {
  name: string;
  /** the measured ratio or count */
  value: number;
  /** e.g. ">= 4" */
  goal: string;
  pass: boolean;
  digits?: number;
}

export interface CaseResult {
  name: string;
  title: string;
  /** how it was measured, one line */
  method: string;
  rows: Row[];
  targets: Target[];
  /** extra lines (e.g. CPU use) printed under the table */
  notes: string[];
}

export function rowMedian(r: Row): number {
  return median(r.values);
}

export function renderCase(c: CaseResult): string {
  const out: string[] = [];
  out.push(`### ${c.title}`, "", c.method, "");
  const runs = Math.max(...c.rows.map((r) => r.values.length), 0);
  out.push(`| measurement | ${Array.from({ length: runs }, (_, i) => `run ${i + 1}`).join(" | ")} | median |`);
  out.push(`|---|${"---:|".repeat(runs)}---:|`);
  for (const r of c.rows) {
    const d = r.digits ?? 0;
    const cells = Array.from({ length: runs }, (_, i) => (i < r.values.length ? fmt(r.values[i], d) : ""));
    out.push(`| ${r.label} (${r.unit}) | ${cells.join(" | ")} | **${fmt(rowMedian(r), d)}** |`);
  }
  out.push("");
  if (c.targets.length) {
    out.push("| target | measured | goal | result |", "|---|---:|---|---|");
    for (const t of c.targets) out.push(`| ${t.name} | ${fmt(t.value, t.digits ?? 2)} | ${t.goal} | ${t.pass ? "PASS" : "**MISS**"} |`);
    out.push("");
  }
  for (const n of c.notes) out.push(`- ${n}`);
  if (c.notes.length) out.push("");
  return out.join("\n");
}
