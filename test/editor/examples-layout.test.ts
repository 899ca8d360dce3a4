// The example flows in a 1280×800 editor (palette and sidebar open, as Node-RED first shows them):
// on each example's tab every node, its label included, lies inside the visible workspace, and no
// two nodes' boxes overlap, so a new user sees each example whole without scrolling or zooming.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { examplesFlows, loadExamples } from "../support/runtime";
import { SCREENSHOT_DIR, startSession, type Session } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Box {
  id: string;
  label: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** a few pixels between two boxes, so labels do not touch */
const GAP = 4;

describe(`editor: the example flows at 1280×800 (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(180_000);
  let s: Session;

  before(async function () {
    s = await startSession();
    const current = (await s.nr.getFlows()).flows;
    await s.nr.deploy([...current, ...examplesFlows()]);
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await s.page.reload();
    await s.page.waitForFunction((id: string) => !!RED.nodes.node(id), loadExamples()[0].nodes[0].id, { timeout: 30_000 });
  });

  after(async function () {
    await s?.close();
  });

  for (const ex of loadExamples()) {
    it(`${ex.label}: every node and label visible, none overlapping`, async function () {
      // drawn: every node of the tab has its SVG group. The tab is shown again until it is the
      // active one: right after the editor loads (Node-RED 5 on a busy machine) a first show() can
      // come before the workspace exists and do nothing.
      await s.page.waitForFunction(
        (tab: string) => {
          if (RED.workspaces.active() !== tab) {
            RED.workspaces.show(tab);
            return false;
          }
          let all = true;
          RED.nodes.eachNode((n: { id: string; z: string }) => {
            if (n.z === tab && !document.getElementById(n.id)) all = false;
          });
          return all;
        },
        ex.tab,
        { timeout: 45_000, polling: 250 },
      );
      const { view, boxes } = await s.page.evaluate((tab: string) => {
        const chart = document.getElementById("red-ui-workspace-chart");
        const c = chart.getBoundingClientRect();
        // the visible part: the chart without its scroll bars
        const view = { left: c.left, top: c.top, right: c.left + chart.clientWidth, bottom: c.top + chart.clientHeight, zoom: RED.view.scale() };
        const boxes: Box[] = [];
        RED.nodes.eachNode((n: { id: string; z: string; type: string }) => {
          if (n.z !== tab) return;
          const g = document.getElementById(n.id);
          // everything the node draws (box, label, an inject's button, ports) but its status, which
          // a running flow shows below it and changes
          const parts = Array.from(g.children).filter((c: any) => !c.classList.contains("red-ui-flow-node-status-group")); // eslint-disable-line @typescript-eslint/no-explicit-any
          const rects = parts.map((p: any) => p.getBoundingClientRect()).filter((r: Box & { width: number }) => r.width > 0); // eslint-disable-line @typescript-eslint/no-explicit-any
          boxes.push({
            id: n.id,
            label: String(RED.utils.getNodeLabel(n, n.type)),
            left: Math.min(...rects.map((r: Box) => r.left)),
            top: Math.min(...rects.map((r: Box) => r.top)),
            right: Math.max(...rects.map((r: Box) => r.right)),
            bottom: Math.max(...rects.map((r: Box) => r.bottom)),
          });
        });
        return { view, boxes };
      }, ex.tab);
      // for a look at the layout (build/screenshots, or docs/screenshots with UPDATE_SCREENSHOTS=1)
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await s.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${s.major}-example-${ex.tab}.png`) });
      assert.equal(view.zoom, 1, "the editor is at 100 %");
      assert.equal(boxes.length, ex.nodes.filter((n) => n.z).length, "every node of the example is drawn");
      const problems: string[] = [];
      const where = (b: Box) => `${b.id} "${b.label}" [${Math.round(b.left)}..${Math.round(b.right)} × ${Math.round(b.top)}..${Math.round(b.bottom)}]`;
      for (const b of boxes) {
        if (b.left < view.left || b.top < view.top || b.right > view.right || b.bottom > view.bottom) {
          problems.push(`outside the visible workspace [${view.left}..${view.right} × ${view.top}..${view.bottom}]: ${where(b)}`);
        }
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const apart = a.right + GAP <= b.left || b.right + GAP <= a.left || a.bottom + GAP <= b.top || b.bottom + GAP <= a.top;
          if (!apart) problems.push(`overlap: ${where(a)} and ${where(b)}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});
