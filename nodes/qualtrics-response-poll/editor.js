// The response poll node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

var surveyRule = Q.V("typed", "surveyId", "qualtrics-response-poll.label.surveyId", Q.idRule("qualtrics-response-poll", "surveyId"));

RED.nodes.registerType('qualtrics-response-poll', {
    defaults: {
        names: { value: {} },
        surveyId: {
            value: "",
            validate: function (v, opt) {
                if (v === undefined || v === null || String(v).trim() === "") { return tr(this, "qualtrics-response-poll.label.surveyId") + ": " + tr(this, "qualtrics-response-poll.validation.required"); }
                return surveyRule.call(this, v, opt);
            }
        },
        surveyIdType: { value: "qualtrics" },
        interval: { value: 60, validate: Q.V("number", "qualtrics-response-poll.label.interval", 10, 86400) },
        start: { value: "now" },
        startDate: {
            value: "",
            validate: function (v, opt) {
                if (val(this, "start") !== "date") { return true; }
                var s = String(v || "").trim();
                if (!s) { return tr(this, "qualtrics-response-poll.label.startDate") + ": " + tr(this, "qualtrics-response-poll.validation.required"); }
                var r = Q.isEnv(s) ? true : Q.rules.date(s);
                return r === true ? true : tr(this, "qualtrics-response-poll.label.startDate") + ": " + r;
            }
        }
    },
    inputs: 0,
    outputs: 1,
    icon: "qualtrics-response-poll.svg",
    label: Q.named(["surveyId"], function () { return this.name || this._("qualtrics-response-poll.nodeLabel"); }),
    oneditprepare: function () {
        Q.prepare(this);
        Q.picker(TYPE, "surveyId", "surveys", { rest: ["env"] });
        function update() {
            $(".qualtrics-poll-date").toggle($("#node-input-start").val() === "date");
        }
        $("#node-input-start").on("change", update);
        update();
    }
});
