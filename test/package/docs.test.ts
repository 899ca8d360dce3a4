// The README and docs/ as a reader meets them: a README short enough for the Flow Library page,
// links and pictures that open inside the repository, no pointer to reading material outside it,
// and code comments whose `docs/<file> §x.y` citations name a section that exists.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");
const README_MAX_LINES = 250;
/** folders that are not the repository's own text (dependencies, build output, caches, demo state) */
const SKIP_DIRS = new Set([".git", "node_modules", "build", ".cache", ".userdir", "test-results"]);
const TEXT_EXT = /\.(ts|js|cjs|mjs|json|md|html|yml|yaml|txt|sh)$|^[^.]+$/;
/** code folders whose comments cite docs/ sections */
const CODE_DIRS = ["src", "nodes", "sandbox", "scripts", "bench", "test", "examples", ".ci"];

function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && TEXT_EXT.test(e.name)) out.push(p);
  }
  return out;
}

const rel = (p: string) => path.relative(root, p);
const read = (p: string) => fs.readFileSync(p, "utf8");

/** markdown without fenced code blocks and inline code, where link syntax means nothing */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function headings(md: string): string[] {
  return [...prose(md).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)].map((m) => m[1]);
}

function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(md)) {
    const s = slug(h);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

/** the section numbers a markdown file has as headings: "## 3. Lists" → 3, "### 6.4 The HMAC" → 6.4 */
function sectionNumbers(md: string): Set<string> {
  const out = new Set<string>();
  for (const h of headings(md)) {
    const m = /^(\d+(?:\.\d+)*)\.?\s/.exec(h);
    if (m) out.add(m[1]);
  }
  return out;
}

function markdownFiles(): string[] {
  return [path.join(root, "README.md"), ...walk(path.join(root, "docs")).filter((f) => f.endsWith(".md"))];
}

/** every relative link target in a markdown file, with the text it came from */
function relativeLinks(md: string): { target: string; raw: string }[] {
  const out: { target: string; raw: string }[] = [];
  for (const m of prose(md).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    out.push({ target, raw: m[0] });
  }
  return out;
}

describe("README and docs/", function () {
  it(`README.md has at most ${README_MAX_LINES} lines`, () => {
    const lines = read(path.join(root, "README.md")).split("\n").length;
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines`);
  });

  it("README.md shows a picture of a flow and links into docs/", () => {
    const links = relativeLinks(read(path.join(root, "README.md")));
    assert.ok(links.some((l) => l.raw.startsWith("!") && l.target.endsWith(".png")), "a picture");
    assert.ok(links.some((l) => l.target.startsWith("docs/")), "a link into docs/");
  });

  it("every relative link and picture in README.md and docs/ opens a file inside the repository, at a heading that exists", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const { target, raw } of relativeLinks(read(file))) {
        const [p, anchor] = target.split("#", 2);
        const dest = p ? path.resolve(path.dirname(file), decodeURIComponent(p)) : file;
        const where = `${rel(file)}: ${raw}`;
        if (dest !== root && !dest.startsWith(root + path.sep)) broken.push(`${where} leaves the repository`);
        else if (!fs.existsSync(dest)) broken.push(`${where} names no file`);
        else if (anchor && dest.endsWith(".md") && !anchors(read(dest)).has(anchor)) broken.push(`${where} names no heading of ${rel(dest)}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("no file in the repository points at the reading material outside it", () => {
    // spelt in pieces so that this file does not name them itself
    const outside = [[".."].concat("shared").join("/"), ["", "work", "shared"].join("/"), "q" + "replay"];
    const hits: string[] = [];
    for (const file of walk(root)) {
      const text = read(file);
      for (const s of outside) if (text.includes(s)) hits.push(`${rel(file)}: ${s}`);
    }
    assert.deepEqual(hits, []);
  });

  it("every `docs/<file> §x.y` citation in the code names a file of docs/ and a section heading in it", () => {
    const bad: string[] = [];
    const sections = new Map<string, Set<string> | null>();
    const sectionsOf = (doc: string) => {
      if (!sections.has(doc)) {
        const p = path.join(root, "docs", doc);
        sections.set(doc, fs.existsSync(p) ? sectionNumbers(read(p)) : null);
      }
      return sections.get(doc);
    };
    let cited = 0;
    for (const file of CODE_DIRS.flatMap((d) => walk(path.join(root, d)))) {
      const text = read(file);
      // a citation and the section numbers that follow it: "§6.3, §6.4", "§7.2-§7.4", "§5.2/§8.3"
      for (const m of text.matchAll(/docs\/([\w./-]+\.md)((?:[\s,/–-]*(?:and\s+)?§\d+(?:\.\d+)*)+)/g)) {
        const doc = m[1];
        const have = sectionsOf(doc);
        for (const n of m[2].matchAll(/§(\d+(?:\.\d+)*)/g)) {
          cited++;
          if (!have) bad.push(`${rel(file)}: docs/${doc} does not exist`);
          else if (!have.has(n[1])) bad.push(`${rel(file)}: docs/${doc} has no section ${n[1]}`);
        }
      }
      // the fact files cited without their folder: a reader cannot tell where they are
      for (const m of text.matchAll(/(?<![\w/])(qualtrics-facts|node-red-facts)\.md\s+§/g)) {
        bad.push(`${rel(file)}: "${m[0]}" should name docs/${m[1]}.md`);
      }
    }
    assert.ok(cited > 0, "the code cites docs/ sections");
    assert.deepEqual(bad, []);
  });

  it("reads headings the way GitHub anchors them", () => {
    assert.equal(slug("1.4 OAuth client credentials"), "14-oauth-client-credentials");
    assert.equal(slug("`qualtrics-config`"), "qualtrics-config");
    assert.deepEqual([...anchors("# A\n## A\n```\n# not a heading\n```\n")], ["a", "a-1"]);
    assert.deepEqual([...sectionNumbers("## 3. Lists\n### 3.1 The pattern\n## Sources\n")], ["3", "3.1"]);
  });
});
