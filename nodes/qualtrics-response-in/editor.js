// The response in node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

function isEnv(v) { return Q.isEnv(String(v)); }
function on(v) { return v === true || v === "true"; }

/** the route the runtime serves (nodes/lib/http-route.ts normalisePath) */
function normalisePath(p) {
    var clean = "/" + String(p || "").trim().replace(/^\/+/, "").replace(/\/+$/, "");
    return clean.replace(/\/{2,}/g, "/");
}

function nodeRoot() {
    var r = RED.settings.httpNodeRoot;
    return typeof r === "string" ? r.replace(/\/+$/, "") : "";
}

function publicUrlRule(node, v) {
    var s = String(v || "").trim();
    if (isEnv(s)) { return true; }
    if (!s) { return tr(node, "qualtrics-response-in.validation.publicBaseUrlRequired"); }
    var u = Q.httpUrl(s);
    if (u === "credentials") { return tr(node, "qualtrics-response-in.validation.publicBaseUrlCredentials"); }
    return u === "url" || u.search || u.hash ? tr(node, "qualtrics-response-in.validation.publicBaseUrl") : true;
}

var catchUpNumber = Q.V("number", "qualtrics-response-in.label.catchUpMinutes", 0, 1440);

RED.nodes.registerType('qualtrics-response-in', {
    defaults: {
        qualtrics: {
            value: "",
            type: "qualtrics-config",
            // needed to register the subscription or fetch the response; the route works without
            validate: function (v, opt) {
                var needed = on(val(this, "autoRegister")) || on(val(this, "fetchResponse"));
                var id = v && v !== "_ADD_" ? v : "";
                if (!id) { return needed ? tr(this, "qualtrics-response-in.validation.configNeeded") : true; }
                var cfg = RED.nodes.node(id);
                if (!cfg) { return tr(this, "qualtrics-response-in.validation.configMissing"); }
                if (cfg.valid === false) { return tr(this, "qualtrics-response-in.validation.configInvalid"); }
                return true;
            }
        },
        names: { value: {} },
        surveyId: {
            value: "",
            validate: function (v, opt) {
                var s = String(v || "").trim();
                if (isEnv(s)) { return true; }
                if (!s) {
                    var topic = String(val(this, "topic") || "").trim();
                    return topic ? true : tr(this, "qualtrics-response-in.validation.surveyOrTopic");
                }
                return Q.idOf(s, Q.prefixes(TYPE, "surveyId")) ? true : tr(this, "qualtrics-response-in.label.surveyId") + ": " + tr(this, "qualtrics-response-in.validation.surveyId");
            }
        },
        topic: { value: "" },
        path: {
            value: "/qualtrics/responses",
            required: true,
            validate: function (v, opt) {
                var s = String(v || "").trim();
                if (isEnv(s)) { return true; }
                return /^\/?[A-Za-z0-9._~\-\/]+$/.test(s) && normalisePath(s) !== "/" ? true : tr(this, "qualtrics-response-in.label.path") + ": " + tr(this, "qualtrics-response-in.validation.path");
            }
        },
        autoRegister: { value: false },
        publicBaseUrl: {
            value: "",
            validate: function (v, opt) {
                if (!on(val(this, "autoRegister"))) { return true; }
                var r = publicUrlRule(this, v);
                return r === true ? true : tr(this, "qualtrics-response-in.label.publicBaseUrl") + ": " + r;
            }
        },
        fetchResponse: { value: false },
        dedupeSeconds: { value: 600, validate: Q.V("number", "qualtrics-response-in.label.dedupeSeconds", 0, 604800) },
        maxBodyKb: { value: 256, validate: Q.V("number", "qualtrics-response-in.label.maxBodyKb", 1, 102400) },
        // 0: off (flows made before catch-up existed have none, which is 0 too)
        catchUpMinutes: {
            value: 0,
            validate: function (v, opt) {
                if (v === undefined || v === "") { return true; }
                var r = catchUpNumber.call(this, v, opt);
                if (r !== true) { return r; }
                var s = String(val(this, "surveyId") || "").trim();
                return Number(v) > 0 && !s ? tr(this, "qualtrics-response-in.label.catchUpMinutes") + ": " + tr(this, "qualtrics-response-in.validation.catchUpSurvey") : true;
            }
        }
    },
    credentials: {
        sharedKey: { type: "password" }
    },
    inputs: 0,
    outputs: 1,
    icon: "qualtrics-response-in.svg",
    label: Q.named(["surveyId"], function () {
        if (this.name) { return this.name; }
        return this.surveyId ? this._("qualtrics-response-in.nodeLabel", { surveyId: this.surveyId }) : this._("qualtrics-response-in.paletteLabel");
    }),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        // the survey is a plain property: the list of names is its only type
        Q.picker(TYPE, "surveyId", "surveys", { plain: true });

        function survey() {
            return String($("#node-input-surveyId").typedInput("value") || "").trim();
        }

        function update() {
            var sid = survey();
            $("#node-input-topic").attr("placeholder", node._("qualtrics-response-in.placeholder.topic", { surveyId: sid || "SV_..." }));
            var auto = $("#node-input-autoRegister").prop("checked");
            $(".qualtrics-response-register").toggle(auto);
            var withKey = $("#node-input-sharedKey").val() !== "";
            $(".qualtrics-response-nokey").toggle(!withKey);

            var out = $("#node-input-qualtrics-webhook-url");
            var note = $("#node-input-qualtrics-webhook-note");
            if (RED.settings.httpNodeRoot === false) {
                out.text(node._("qualtrics-response-in.tip.noHttpNode"));
                note.text("");
                return;
            }
            var route = nodeRoot() + normalisePath($("#node-input-path").val() || "/qualtrics/responses");
            var base = String($("#node-input-publicBaseUrl").val() || "").trim().replace(/\/+$/, "");
            if (auto && base) {
                out.text(base + route);
                note.text(withKey ? node._("qualtrics-response-in.tip.urlFingerprint") : "");
            } else {
                out.text(node._("qualtrics-response-in.tip.yourAddress") + route);
                note.text(auto ? "" : node._("qualtrics-response-in.tip.urlManual"));
            }
        }
        $("#node-input-surveyId, #node-input-path, #node-input-publicBaseUrl, #node-input-sharedKey").on("change keyup input", update);
        $("#node-input-autoRegister").on("change", update);
        update();
    }
});
