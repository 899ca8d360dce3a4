import assert from "node:assert/strict";
import * as vm from "node:vm";
import { isForbiddenKey, isPlainObject, safeJsonParse, sanitize } from "../../src/safe-object";

function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined, "Object.prototype was changed");
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
}

function nest(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { next: v };
  return v;
}

describe("safe objects", function () {
  afterEach(assertPrototypeClean);

  describe("safeJsonParse", function () {
    it("drops __proto__, constructor and prototype keys at any depth", function () {
      const text =
        '{"__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"},"b":1,' +
        '"list":[{"constructor":{"prototype":{"polluted":"yes"}},"ok":true}]},"prototype":{"x":1},"keep":"me"}';
      const parsed = safeJsonParse(text) as Record<string, any>;
      assert.equal(Object.prototype.hasOwnProperty.call(parsed, "__proto__"), false);
      assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
      assert.equal(Object.getPrototypeOf(parsed.a), Object.prototype);
      assert.equal(parsed.polluted, undefined);
      assert.equal(parsed.a.polluted, undefined);
      assert.deepEqual(parsed, { a: { b: 1, list: [{ ok: true }] }, keep: "me" });
    });

    it("a parsed payload never changes Object.prototype, even when merged", function () {
      const parsed = safeJsonParse('{"__proto__":{"polluted":"yes"},"x":{"__proto__":{"polluted":"yes"}}}') as Record<string, unknown>;
      const merged = Object.assign({}, parsed);
      const deep = structuredClone(parsed);
      assert.equal((merged as Record<string, unknown>).polluted, undefined);
      assert.equal((deep as Record<string, unknown>).polluted, undefined);
      assertPrototypeClean();
    });

    it("compare: plain JSON.parse would have let __proto__ through as an own key", function () {
      const raw = JSON.parse('{"__proto__":{"polluted":"yes"}}');
      assert.equal(Object.prototype.hasOwnProperty.call(raw, "__proto__"), true);
      const merged = Object.assign({}, raw);
      assert.equal((merged as Record<string, unknown>).polluted, "yes", "Object.assign turns it into a prototype");
      assertPrototypeClean();
    });

    it("throws on invalid JSON", function () {
      assert.throws(() => safeJsonParse("{nope"), SyntaxError);
    });
  });

  describe("sanitize", function () {
    it("drops forbidden keys at any depth and copies deeply", function () {
      const input = JSON.parse(
        '{"__proto__":{"polluted":"yes"},"a":[{"constructor":{"prototype":{"polluted":"yes"}},"v":1}],"b":{"c":{"prototype":1,"d":2}}}',
      );
      const out = sanitize(input) as Record<string, any>;
      assert.deepEqual(out, { a: [{ v: 1 }], b: { c: { d: 2 } } });
      out.b.c.d = 99;
      assert.equal(input.b.c.d, 2, "a copy, not the same objects");
    });

    it("copies Dates and keeps primitives", function () {
      const d = new Date(Date.UTC(2024, 0, 1));
      const out = sanitize({ when: d, n: 1, s: "x", z: null, f: false }) as Record<string, unknown>;
      assert.ok(out.when instanceof Date);
      assert.notEqual(out.when, d);
      assert.equal((out.when as Date).getTime(), d.getTime());
      assert.deepEqual({ ...out, when: undefined }, { when: undefined, n: 1, s: "x", z: null, f: false });
    });

    it("throws a clear error beyond the maximum depth", function () {
      assert.doesNotThrow(() => sanitize(nest(32)));
      assert.throws(() => sanitize(nest(40)), (e: Error) => e instanceof RangeError && /deeper than 32/.test(e.message));
      assert.throws(() => sanitize(nest(5), 3), /deeper than 3/);
      assert.doesNotThrow(() => sanitize(nest(3), 3));
    });
  });

  it("isForbiddenKey and isPlainObject", function () {
    for (const k of ["__proto__", "constructor", "prototype"]) assert.equal(isForbiddenKey(k), true);
    assert.equal(isForbiddenKey("proto"), false);
    assert.equal(isPlainObject({}), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    assert.equal(isPlainObject([]), false);
    assert.equal(isPlainObject(new Date()), false);
    assert.equal(isPlainObject(null), false);
    assert.equal(isPlainObject(new URLSearchParams()), false);
  });

  it("an object literal made in another realm (a function node's vm context) is plain; its class instances, arrays and dates are not", function () {
    const other = vm.runInNewContext("({ literal: { contactId: 'CID_1' }, array: [1], date: new Date(0), instance: new (class A {})(), bare: Object.create(null) })") as Record<string, unknown>;
    assert.equal(isPlainObject(other.literal), true);
    assert.equal(isPlainObject(other.bare), true);
    assert.equal(isPlainObject(other.array), false);
    assert.equal(isPlainObject(other.date), false);
    assert.equal(isPlainObject(other.instance), false);
    assert.equal(isPlainObject(new (class B {})()), false);
    assert.deepEqual(sanitize(other.literal), { contactId: "CID_1" });
  });
});
