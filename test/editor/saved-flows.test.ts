// Flows saved by a released version (test/fixtures/saved-flows/<version>/) in a real editor, as a
// user meets them after an upgrade: they load with every node valid and unchanged, a node without
// a name of its own shows the name its picker saved, and opening any dialog and pressing Done
// without touching anything keeps every saved property. A dialog that changes one is a bug in it.
//
// What Node-RED itself does and the test allows (each is reported in the assertion message):
// - `names` is refreshed by the pickers while the dialog is open (editor/dialog.ts keepName): a
//   picked ID gets { id, name } as the account has it now. It is written on the node before Done
//   compares, so it never marks the node changed; the label is what it is for.
// - A property the saved node does not have (a newer field) is filled in by Done: Node-RED's form
//   puts "" in a field for a missing property (preparePropertyEditor), and a select takes its
//   first or default option. The runtime treats a missing property as its default (docs/flow-json.md),
//   so the value added must be the dialog's default or "".
import assert from "node:assert/strict";
import type { FlowNode } from "../support/runtime";
import { loadSavedFlows, ownNodes, savedFlowsCredentials, savedVersions } from "../support/saved-flows";
import { CONFIG_TYPE, closeTrays, openConfig, openNode, useSession, type Session } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

type Names = Record<string, { id: string; name: string }>;

interface AfterDone {
  changed: boolean;
  /** the properties the editor's history says the dialog changed */
  changes: string[];
  exported: FlowNode;
  defaults: Record<string, unknown>;
}

/** the node as the editor exports it (RED.nodes.createCompleteNodeSet), through JSON like a flows file */
async function exportOf(s: Session, id: string): Promise<FlowNode | undefined> {
  return s.page.evaluate((nodeId: string) => {
    const n = RED.nodes.createCompleteNodeSet(false).find((x: { id: string }) => x.id === nodeId);
    return n ? JSON.parse(JSON.stringify(n)) : undefined;
  }, id);
}

/** waits (a bounded while) for every picker of the open dialog to show the name of its picked ID */
async function pickersSettled(s: Session): Promise<void> {
  await s.page
    .waitForFunction(
      () =>
        $(".qualtrics-picked-name")
          .toArray()
          .every((hint: unknown) => {
            const input = $("#" + String($(hint).attr("id")).replace(/-name$/, ""));
            const value = String(input.typedInput("value") || "").trim();
            if (input.typedInput("type") !== "qualtrics" || !value || /^\$\{.+\}$/.test(value)) return true;
            return $(hint).text() !== "";
          }),
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined); // a name that never comes shows in the comparison of `names`
}

/** opens the node's dialog, presses Done without touching anything, returns what the editor made of it */
async function openAndDone(s: Session, n: FlowNode): Promise<AfterDone> {
  const config = n.type === CONFIG_TYPE;
  const historyBefore = await s.page.evaluate(() => RED.history.depth());
  if (config) await openConfig(s.page, n.id);
  else await openNode(s.page, n.id);
  await pickersSettled(s);
  await s.page.click(config ? "#node-config-dialog-ok" : "#node-dialog-ok");
  await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
  const state = await s.page.evaluate(
    ([id, before]: [string, number]) => {
      const node = RED.nodes.node(id);
      const ev = RED.history.depth() > before ? RED.history.peek() : undefined;
      const defaults: Record<string, unknown> = {};
      for (const [k, d] of Object.entries(node._def.defaults as Record<string, { value: unknown }>)) defaults[k] = d.value;
      return { changed: !!node.changed, changes: ev?.changes ? Object.keys(ev.changes) : [], defaults };
    },
    [n.id, historyBefore] as [string, number],
  );
  const exported = await exportOf(s, n.id);
  assert.ok(exported, `${n.id} is exported`);
  return { ...state, exported };
}

/** what differs between the saved node and the export after Done, but for what the header allows */
function differences(saved: FlowNode, after: AfterDone): string[] {
  const out: string[] = [];
  const exp = after.exported;
  for (const [k, v] of Object.entries(saved)) {
    if (k === "names") continue;
    if (JSON.stringify(exp[k]) !== JSON.stringify(v)) out.push(`${k}: saved ${JSON.stringify(v)}, now ${JSON.stringify(exp[k])}`);
  }
  for (const [k, v] of Object.entries(exp)) {
    if (k in saved || k === "names") continue;
    if (v !== "" && JSON.stringify(v) !== JSON.stringify(after.defaults[k])) out.push(`${k}: not saved, now ${JSON.stringify(v)} (default ${JSON.stringify(after.defaults[k])})`);
  }
  const was = (saved.names ?? {}) as Names;
  const now = (exp.names ?? {}) as Names;
  for (const [prop, entry] of Object.entries(was)) {
    if (!(prop in now)) out.push(`names.${prop}: saved ${JSON.stringify(entry)}, now gone`);
  }
  for (const [prop, entry] of Object.entries(now)) {
    if (JSON.stringify(entry) === JSON.stringify(was[prop])) continue;
    const picked = exp[prop] === entry.id && (exp[`${prop}Type`] ?? "qualtrics") === "qualtrics" && typeof entry.name === "string" && entry.name !== "";
    if (!picked) out.push(`names.${prop}: saved ${JSON.stringify(was[prop])}, now ${JSON.stringify(entry)}`);
  }
  return out;
}

/** what Done added that the saved node did not have (and the refreshed names), for the report */
function added(saved: FlowNode, after: AfterDone): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after.exported)) if (!(k in saved) && k !== "names") out[k] = v;
  if (JSON.stringify(saved.names ?? {}) !== JSON.stringify(after.exported.names ?? {})) out.names = after.exported.names;
  return out;
}

for (const version of savedVersions()) {
  const saved = loadSavedFlows(version);
  const ours = ownNodes(saved.flows);

  describe(`editor: flows saved by ${version} open unchanged (${process.env.NR_PKG || "node-red"})`, function () {
    this.timeout(120_000);
    const s = useSession(async (session) => {
      const current = (await session.nr.getFlows()).flows;
      await session.nr.deploy([...current, ...saved.flows], savedFlowsCredentials(saved.flows, session.sb.token));
      await session.page.reload();
      await session.page.waitForFunction((ids: string[]) => ids.every((id) => !!RED.nodes.node(id)), ours.map((n) => n.id), { timeout: 30_000 });
    }, "editor-saved-flows-failure");

    it("loads every saved node valid and unchanged, with nothing to deploy", async function () {
      const nodes = await s.page.evaluate(
        (ids: string[]) =>
          ids.map((id) => {
            const n = RED.nodes.node(id);
            return { id, valid: n?.valid, errors: n?.validationErrors ?? [], changed: !!n?.changed };
          }),
        saved.flows.filter((n) => n.type !== "tab").map((n) => n.id),
      );
      assert.deepEqual(nodes.filter((n) => n.valid !== true).map((n) => `${n.id}: ${n.errors.join("; ")}`), [], "invalid nodes");
      assert.deepEqual(nodes.filter((n) => n.changed).map((n) => n.id), [], "changed nodes");
      assert.equal(await s.page.evaluate(() => $("#red-ui-header-button-deploy").hasClass("disabled")), true);
    });

    it("exports every saved node as it was saved", async function () {
      for (const n of saved.flows) {
        assert.deepEqual(await exportOf(s, n.id), n, `${n.type} ${n.id}`);
      }
    });

    it("shows the saved picked name in the label of every node without a name of its own", async function () {
      const unnamed = ours.filter((n) => !n.name && n.names && Object.keys(n.names as Names).length);
      assert.ok(unnamed.length > 0, "the saved flows have such nodes");
      for (const n of unnamed) {
        const label = String(await s.page.evaluate((id: string) => RED.utils.getNodeLabel(RED.nodes.node(id)), n.id));
        const names = Object.values(n.names as Names).map((e) => e.name);
        assert.ok(names.some((name) => label.includes(name)), `${n.id}: label "${label}" shows none of ${JSON.stringify(names)}`);
      }
    });

    describe("each dialog opened and closed with Done, nothing touched", function () {
      afterEach(async function () {
        if (this.currentTest?.state === "failed") await closeTrays(s.page).catch(() => undefined);
      });
      for (const n of ours) {
        it(`${n.type} ${n.id}${n.name ? ` "${n.name}"` : ""}: keeps every saved property`, async function () {
          const after = await openAndDone(s, n);
          const diff = differences(n, after);
          const note = `changed: ${after.changed}; history: ${JSON.stringify(after.changes)}; added: ${JSON.stringify(added(n, after))}`;
          assert.deepEqual(diff, [], note);
          // changed only where Done filled in a property the saved node lacked
          assert.equal(after.changed, after.changes.length > 0, note);
          const unexplained = after.changes.filter((k) => k in n);
          assert.deepEqual(unexplained, [], note);
          if (process.env.SAVED_FLOWS_REPORT) console.log(`      ${n.id}: ${note}`);
        });
      }
    });

    describe("the whole session", function () {
      it("had no page errors and no console errors", function () {
        assert.deepEqual(s.errors, []);
      });
    });
  });
}
