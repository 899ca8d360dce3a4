// The palette in a real editor: every node type is there, in the Qualtrics category, with its
// translated label and its icon; the configuration type is registered; the deployed flow loads
// into the editor with every node valid.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../support/runtime";
import { CONFIG_TYPE, IDS, TYPES, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

function englishPaletteLabel(type: string): string {
  const file = path.join(REPO_ROOT, "nodes", type, "locales", "en-US", `${type}.json`);
  return (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { paletteLabel: string }>)[type].paletteLabel;
}

describe(`editor: palette (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  const s = useSession();

  for (const type of TYPES) {
    it(`has ${type} in the Qualtrics category, with its label and icon`, async function () {
      const entry = await s.page.evaluate((t: string) => {
        const el = $(`.red-ui-palette-node[data-palette-type='${t}']`);
        const category = el.closest(".red-ui-palette-category");
        const icon = el.find(".red-ui-palette-icon").css("background-image") || "";
        return {
          count: el.length,
          visible: el.is(":visible"),
          label: el.find(".red-ui-palette-label").text().replace(/\s+/g, " ").trim(),
          category: category.find(".red-ui-palette-header span").first().text().trim() || category.attr("id"),
          icon,
          registeredCategory: RED.nodes.getType(t)?.category,
        };
      }, type);
      assert.equal(entry.count, 1, `${type} in the palette`);
      assert.equal(entry.visible, true);
      assert.equal(entry.registeredCategory, "Qualtrics");
      assert.match(String(entry.category), /qualtrics/i);
      assert.equal(entry.label, englishPaletteLabel(type), "the label comes from the en-US locale, not a raw key");
      const m = /url\("?([^")]+)"?\)/.exec(entry.icon);
      assert.ok(m, `icon of ${type}: ${entry.icon}`);
      assert.match(m[1], /icons\/@xmflows\/node-red-qualtrics\/qualtrics[-a-z]*\.svg$/);
      const r = await fetch(new URL(m[1], s.nr.url));
      assert.equal(r.status, 200, `${m[1]} is served`);
      assert.match(r.headers.get("content-type") ?? "", /svg/);
      await r.arrayBuffer();
    });
  }

  it("registers the configuration type (not in the palette) and every type has help", async function () {
    const info = await s.page.evaluate(
      ([config, types]: [string, string[]]) => ({
        configCategory: RED.nodes.getType(config)?.category,
        configInPalette: $(`.red-ui-palette-node[data-palette-type='${config}']`).length,
        configCredentials: Object.keys(RED.nodes.getType(config)?.credentials ?? {}),
        help: [config, ...types].map((t) => ({ type: t, text: String(RED.nodes.getNodeHelp(t) || "") })),
      }),
      [CONFIG_TYPE, [...TYPES]] as [string, string[]],
    );
    assert.equal(info.configCategory, "config");
    assert.equal(info.configInPalette, 0);
    assert.deepEqual(info.configCredentials, ["apiToken", "clientId", "clientSecret", "redisUrl"]);
    for (const h of info.help) assert.ok(h.text.length > 200, `help for ${h.type}`);
  });

  it("finds every palette node with the palette filter", async function () {
    const filter = s.page.locator("#red-ui-palette-search input");
    await filter.click();
    await filter.pressSequentially("qualtrics");
    await s.page.waitForFunction(() => $(".red-ui-palette-node[data-palette-type='inject']").is(":hidden"));
    const shown = await s.page.evaluate(() =>
      $(".red-ui-palette-node:visible")
        .toArray()
        .map((e: unknown) => $(e).attr("data-palette-type")),
    );
    assert.deepEqual([...shown].sort(), [...TYPES].sort());
    await filter.fill("");
    await filter.press("Backspace");
    await s.page.waitForFunction(() => $(".red-ui-palette-node[data-palette-type='inject']").is(":visible"));
  });

  it("loads the deployed flow with every node valid and nothing changed", async function () {
    const nodes = await s.page.evaluate(
      (ids: string[]) =>
        ids.map((id) => {
          const n = RED.nodes.node(id);
          return { id, type: n?.type, valid: n?.valid, changed: !!n?.changed, label: n ? RED.utils.getNodeLabel(n) : undefined };
        }),
      Object.values(IDS).filter((id) => id !== IDS.tab),
    );
    for (const n of nodes) {
      assert.ok(n.type, `${n.id} is in the editor`);
      assert.equal(n.valid, true, `${n.id} is valid`);
      assert.equal(n.changed, false, `${n.id} unchanged`);
    }
    const labels = Object.fromEntries(nodes.map((n) => [n.id, n.label]));
    assert.equal(labels[IDS.config], "Sandbox");
    assert.equal(labels[IDS.api], "GET /surveys");
    // the deploy button has nothing to deploy
    assert.equal(await s.page.evaluate(() => $("#red-ui-header-button-deploy").hasClass("disabled")), true);
  });

  it("had no page errors and no console errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
