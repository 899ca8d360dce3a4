// Create-or-update under a hostile mix (issue 12, item 7): one burst of upserts for a few new
// addresses, each written in several spellings (lower case, capitals, all capitals, surrounding
// spaces), spread over two contact nodes on one configuration, all at once. Whichever way
// Qualtrics' search compares emails (the sandbox is switched to each), every address must be
// created once: one POST on the wire, one contact in the directory, one message answered
// `created: true`. A message that created an address some other message had already created
// counts as duplicated in the figures.
import assert from "node:assert/strict";
import { addFigures, type Ends } from "./figures";
import { RIG_CONFIG, Rig, type Unit } from "./rig";

const ADDRESSES = 12;
const spellings = (i: number): string[] => [`race.${i}@example.com`, `Race.${i}@Example.com`, `RACE.${i}@EXAMPLE.COM`, `  race.${i}@Example.COM `];

describe(`faults: concurrent create-or-update of mixed-case emails (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  let rig: Rig;
  let D: string;

  const unit = (id: string): Unit => ({
    node: { id, type: "qualtrics-contact", name: id, qualtrics: RIG_CONFIG, operation: "upsert", upsertKey: "email", directoryId: D, directoryIdType: "str", x: 0, y: 0 },
    keepMsgs: true,
  });

  before(async function () {
    rig = await Rig.start();
    D = rig.sb.seedIds.directoryId;
    await rig.deploy([unit("up-1"), unit("up-2")]);
  });
  after(() => rig?.dispose());

  for (const mode of ["insensitive", "sensitive"] as const) {
    it(`${ADDRESSES} new addresses × 4 spellings over two nodes at once: each created once (search ${mode} to case)`, async function () {
      rig.sb.reset();
      rig.clear();
      rig.sb.emailSearchCase = mode;
      // a directory that does not merge creates by email, so a second create is a second contact
      rig.sb.state.directories.get(D)!.deduplicationCriteria.email = false;
      const tag = mode === "insensitive" ? "i" : "s";
      const msgs = { "up-1": [] as Array<Record<string, unknown>>, "up-2": [] as Array<Record<string, unknown>> };
      for (let a = 0; a < ADDRESSES; a++) {
        spellings(a).forEach((email, k) => msgs[k % 2 === 0 ? "up-1" : "up-2"].push({ rigId: `${tag}-${a}-${k}`, address: a, payload: { email } }));
      }
      const [ids1, ids2] = await Promise.all([rig.send("up-1", msgs["up-1"]), rig.send("up-2", msgs["up-2"])]);
      const [e1, e2] = await rig.settleAll([{ unit: "up-1", ids: ids1 }, { unit: "up-2", ids: ids2 }]);

      // messages that answered created: true for an address already created by another
      const createdBy = new Map<number, string[]>();
      for (const e of [...rig.endsOf("up-1"), ...rig.endsOf("up-2")]) {
        const m = e.msg as { address: number; payload: { created?: boolean } } | undefined;
        if (e.kind === "output" && m?.payload.created === true) createdBy.set(m.address, [...(createdBy.get(m.address) ?? []), e.id]);
      }
      const surplus = [...createdBy.values()].reduce((n, who) => n + Math.max(0, who.length - 1), 0);
      const ends: Ends = { sent: 0, delivered: 0, errored: 0, lost: 0, duplicated: 0 };
      for (const e of [e1, e2]) for (const k of Object.keys(ends) as Array<keyof Ends>) ends[k] += e[k];
      ends.delivered -= surplus;
      ends.duplicated += surplus;
      addFigures({ area: "faults", what: `qualtrics-contact upsert × concurrent mixed-case emails on two nodes (search ${mode} to case)`, ...ends });

      const errors = [...rig.endsOf("up-1"), ...rig.endsOf("up-2")].filter((e) => e.kind === "error").map((e) => e.text);
      assert.deepEqual(errors, []);
      assert.deepEqual(ends, { sent: ADDRESSES * 4, delivered: ADDRESSES * 4, errored: 0, lost: 0, duplicated: 0 });
      // the wire: one create per address, every other message an update
      const creates = rig.sb.requests.filter((r) => r.method === "POST" && r.path === `/API/v3/directories/${D}/contacts`);
      const perAddress = new Map<string, number>();
      for (const r of creates) {
        const key = String((r.body as { email: string }).email).trim().toLowerCase();
        perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
      }
      assert.equal(perAddress.size, ADDRESSES);
      assert.deepEqual([...perAddress.values()].filter((n) => n > 1), [], "no address created twice");
      assert.equal(rig.sb.requests.filter((r) => r.method === "PUT").length, ADDRESSES * 3);
      // the directory: one contact per address
      const stored = [...rig.sb.state.directories.get(D)!.contacts.values()].filter((c) => c.email?.toLowerCase().startsWith("race."));
      assert.equal(stored.length, ADDRESSES);
    });
  }
});
