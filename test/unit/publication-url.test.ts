import assert from "node:assert/strict";
import { deploymentOf, markSegment, markedUrl, normaliseUrl, readMarkSegment, readPublicationUrl, sameMark } from "../../src/publication-url";

const HOOK = "https://nr.example.com/qualtrics/hook";
const OWNER = { instance: "a1b2c3d4e5f60718", config: "cfg.1", node: "0f1e2d3c4b5a6978" };
const FP = "0123456789abcdef";

describe("publication URLs: our mark in the path, compared normalised", function () {
  it("the mark is the last path segment, readable for a person, and comes back out", function () {
    const url = markedUrl(HOOK, { owner: OWNER, fingerprint: FP });
    assert.equal(url, `${HOOK}/nrq-ia1b2c3d4e5f60718-ccfg.1-n0f1e2d3c4b5a6978-k${FP}`);
    assert.deepEqual(readPublicationUrl(url), { route: HOOK, mark: { owner: OWNER, fingerprint: FP }, legacy: false });
  });

  it("the owner names the deployment, the flow, the configuration and the trigger", function () {
    const deployment = deploymentOf("https://nr.example.com", "/api");
    const owner = { deployment, flow: "tab.1", config: "cfg.1", node: "0f1e2d3c4b5a6978" };
    const url = markedUrl(HOOK, { owner, fingerprint: FP });
    assert.equal(url, `${HOOK}/nrq-d${deployment}-ftab.1-ccfg.1-n0f1e2d3c4b5a6978-k${FP}`);
    assert.deepEqual(readPublicationUrl(url)?.mark, { owner, fingerprint: FP });
    // the same address however it is written: every replica behind it computes the same
    assert.equal(deploymentOf("HTTPS://NR.example.com:443/", "/api/"), deployment);
    assert.match(deployment, /^[0-9a-f]{16}$/);
    // another address (staging) or another httpNodeRoot is another deployment
    assert.notEqual(deploymentOf("https://staging.example.com", "/api"), deployment);
    assert.notEqual(deploymentOf("https://nr.example.com", ""), deployment);
    // an older version's instance mark is not the same owner: the subscription is replaced once (migration)
    assert.ok(!sameMark({ owner, fingerprint: FP }, { owner: OWNER, fingerprint: FP }));
    assert.ok(sameMark({ owner, fingerprint: FP }, readPublicationUrl(url)!.mark));
  });

  it("no owner and no key: the URL stays as it is", function () {
    assert.equal(markedUrl(HOOK, {}), HOOK);
    assert.equal(markedUrl("https://nr.example.com/", {}), "https://nr.example.com/");
    assert.equal(markedUrl("https://nr.example.com/", { fingerprint: FP }), `https://nr.example.com/nrq-k${FP}`);
    assert.deepEqual(readPublicationUrl(HOOK), { route: HOOK, mark: {}, legacy: false });
  });

  it("IDs with other characters survive as hex, whatever an encoder does to the segment", function () {
    const odd = { instance: "x", config: "cfg-1_2", node: "node/with odd&chars ü" };
    const segment = markSegment({ owner: odd });
    assert.match(segment, /^nrq-ix-c_[0-9a-f]+-n_[0-9a-f]+$/);
    assert.deepEqual(readMarkSegment(segment)?.owner, odd);
    assert.deepEqual(readMarkSegment(encodeURIComponent(segment).replace(/[-_.]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())), { owner: odd });
    // hex read in capitals is the same value
    assert.deepEqual(readMarkSegment(segment.replace(/_([0-9a-f]+)/g, (_m, h: string) => "_" + h.toUpperCase()))?.owner, odd);
  });

  it("a segment that is not ours is none: the route passes it on, the sweep leaves it", function () {
    for (const s of ["", "nrq", "nrq-", "hook", "nrqx-ia", "nrq-i", "nrq-i_zz", "nrq-i_abc", "nrq-i a", "%E0%A4%A"]) assert.equal(readMarkSegment(s), undefined, s);
    // a field a later version adds is skipped
    assert.deepEqual(readMarkSegment(`nrq-k${FP}-zfuture`), { fingerprint: FP });
    assert.deepEqual(readMarkSegment("nrq-ia-cb"), {}, "half an owner is none");
  });

  it("older versions' mark in the query is still read, in any order and encoding", function () {
    const read = readPublicationUrl(`${HOOK}?nrqn=${OWNER.node}&%6Erq=${FP}&nrqc=${OWNER.config}&nrqi=${OWNER.instance}`);
    assert.deepEqual(read, { route: HOOK, mark: { owner: OWNER, fingerprint: FP }, legacy: true });
    assert.deepEqual(readPublicationUrl(`${HOOK}?a=1&nrq=${FP}`), { route: `${HOOK}?a=1`, mark: { fingerprint: FP }, legacy: true });
  });

  it("normalises scheme and host case, default port, trailing slash, encoding and query order", function () {
    const same = [
      "https://nr.example.com/qualtrics/hook?a=1&b=x%20y",
      "HTTPS://NR.Example.COM:443/qualtrics/hook/?b=x+y&a=1",
      "https://nr.example.com/%71ualtrics/hook?%61=1&b=x%20y#frag",
    ];
    for (const u of same) assert.equal(normaliseUrl(u), normaliseUrl(same[0]), u);
    assert.notEqual(normaliseUrl("https://nr.example.com:8443/qualtrics/hook"), normaliseUrl("https://nr.example.com/qualtrics/hook"));
    assert.notEqual(normaliseUrl("http://nr.example.com/qualtrics/hook"), normaliseUrl("https://nr.example.com/qualtrics/hook"));
    assert.notEqual(normaliseUrl("https://nr.example.com/Qualtrics/hook"), normaliseUrl("https://nr.example.com/qualtrics/hook"), "the path keeps its case");
  });

  it("the route and the mark read the same from a re-encoded URL with a trailing slash", function () {
    const url = markedUrl(HOOK, { owner: OWNER, fingerprint: FP });
    const rewritten = url.replace("https://nr.example.com", "HTTPS://NR.EXAMPLE.COM:443").replace(/-/g, "%2D") + "/";
    const a = readPublicationUrl(url)!;
    const b = readPublicationUrl(rewritten)!;
    assert.equal(b.route, a.route);
    assert.ok(sameMark(a.mark, b.mark));
    assert.ok(!sameMark(a.mark, { owner: OWNER }), "another key");
    assert.ok(!sameMark(a.mark, { fingerprint: FP }), "no owner");
  });

  it("what is not a URL reads as nothing", function () {
    assert.equal(readPublicationUrl(42), undefined);
    assert.equal(readPublicationUrl("not a url"), undefined);
  });
});
