// The api node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

function isEnv(v) { return Q.isEnv(String(v)); }
var limitNumber = Q.V("number", "qualtrics-api.label.limit", 0, 1000000000);

/** the runtime's rules for the path (client.resolvePath): relative to /API/v3, or a URL on the configured API */
function urlRule(node, v) {
    var s = String(v || "").trim();
    if (!s || isEnv(s)) { return true; }
    if (/\s/.test(s)) { return tr(node, "qualtrics-api.validation.urlSpaces"); }
    if (/\{[^}]*\}/.test(s)) { return tr(node, "qualtrics-api.validation.urlPlaceholder"); }
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) {
        var u;
        try { u = new URL(s); } catch (err) { return tr(node, "qualtrics-api.validation.urlAbsolute"); }
        if ((u.protocol !== "https:" && u.protocol !== "http:") || !/^\/API\/v3\//i.test(u.pathname)) {
            return tr(node, "qualtrics-api.validation.urlAbsolute");
        }
    }
    return true;
}

RED.nodes.registerType('qualtrics-api', {
    defaults: {
        method: { value: "GET" },
        url: {
            value: "",
            validate: function (v, opt) {
                var r = urlRule(this, v);
                return r === true ? true : tr(this, "qualtrics-api.label.url") + ": " + r;
            }
        },
        paging: { value: "first" },
        // counts only when all pages are followed
        limit: { value: 0, validate: function (v, opt) { return val(this, "paging") !== "all" || limitNumber.call(this, v, opt); } }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-api.svg",
    label: function () {
        if (this.name) { return this.name; }
        if (this.url) { return (this.method && this.method !== "msg" ? this.method + " " : "") + this.url; }
        return this._("qualtrics-api.paletteLabel");
    },
    oneditprepare: function () {
        Q.prepare(this);
        // the methods come from the node's specification (spec.ts beside this file)
        Q.selectOptions(this, "method", Q.specs["qualtrics-api"].methods.concat(["msg"]), "qualtrics-api.method.");
        function update() {
            var method = $("#node-input-method").val();
            // following nextPage only makes sense for reads
            var pages = method === "GET" || method === "msg";
            $(".qualtrics-api-paging").toggle(pages);
            $(".qualtrics-api-limit").toggle(pages && $("#node-input-paging").val() === "all");
        }
        $("#node-input-method, #node-input-paging").on("change", update);
        update();
    },
    oneditsave: function () {
        var method = $("#node-input-method").val();
        if (method !== "GET" && method !== "msg") { $("#node-input-paging").val("first"); }
    }
});
