// The nodes' help as written in nodes/<type>/locales/<lang>/<type>.html: Markdown in a
// <script type="text/markdown" data-help-name="<type>">, which Node-RED (2.1 and later) renders in the
// help sidebar. Its own syntax turns `: name (type) : text` lines into <dl class="message-properties">
// and a numbered list holding them into <ol class="node-ports"> (docs/node-red-facts.md §1.10).

export type HelpLang = "en-US" | "de";

/** the section headings (### ...) the help of each language uses */
export const HELP_SECTIONS: Record<HelpLang, { inputs: string; outputs: string; properties: string; details: string; references: string }> = {
  "en-US": { inputs: "Inputs", outputs: "Outputs", properties: "Properties", details: "Details", references: "References" },
  de: { inputs: "Eingaben", outputs: "Ausgaben", properties: "Eigenschaften", details: "Details", references: "Referenzen" },
};

/** The headings a node's help has, in order: a configuration node describes its dialog's properties. */
export function expectedSections(lang: HelpLang, node: { category?: string; inputs?: number }): string[] {
  const s = HELP_SECTIONS[lang];
  if (node.category === "config") return [s.properties, s.details, s.references];
  return [...((node.inputs ?? 0) > 0 ? [s.inputs] : []), s.outputs, s.details, s.references];
}

/**
 * A message property line. Node-RED's pattern is `^:([^:\n]+)\(([^:\n]+)\).*?:([^:\n]*)(?:\n|$)`: the
 * description ends at its first colon, so a colon in it (also inside backticks) silently drops the
 * text before it. Optional properties are written in italics (`*name*`), as Node-RED shows them.
 */
export const PROPERTY_LINE = /^: (\*?)([^:*()\n]+)\1 \(([^:()\n]+)\) : ([^:\n]+)$/;

export interface Property {
  name: string;
  optional: boolean;
  type: string;
  description: string;
}

export interface Section {
  heading: string;
  lines: string[];
}

export interface MarkdownHelp {
  summary: string[];
  sections: Section[];
}

/** Splits the help into its summary (the lines before the first blank line) and its ### sections. */
export function readHelp(markdown: string): MarkdownHelp {
  const lines = markdown.replace(/^\n+|\s+$/g, "").split("\n");
  const blank = lines.indexOf("");
  const summary = lines.slice(0, blank < 0 ? lines.length : blank);
  const sections: Section[] = [];
  for (const line of lines.slice(summary.length)) {
    const h = /^### (.+)$/.exec(line);
    if (h) sections.push({ heading: h[1], lines: [] });
    else if (line !== "" && sections.length) sections[sections.length - 1].lines.push(line);
  }
  return { summary, sections };
}

export function property(line: string): Property | undefined {
  const m = PROPERTY_LINE.exec(line);
  return m ? { name: m[2].trim(), optional: m[1] === "*", type: m[3].trim(), description: m[4].trim() } : undefined;
}

/** The numbered port list of an Outputs section: each port's label and its message properties. */
export function ports(section: Section): Array<{ number: number; label: string; properties: Property[] }> {
  const out: Array<{ number: number; label: string; properties: Property[] }> = [];
  for (const line of section.lines) {
    const item = /^(\d+)\. (.+)$/.exec(line);
    if (item) out.push({ number: Number(item[1]), label: item[2], properties: [] });
    else if (line.startsWith(":") && out.length) {
      const p = property(line);
      if (p) out[out.length - 1].properties.push(p);
    } else if (out.length) break;
  }
  return out;
}
