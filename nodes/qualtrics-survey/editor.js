// The survey node's definition for the editor. scripts/build.js puts it into the node's HTML
// with the editor library's Q, TYPE (the node type) and V (its validators) in scope, and the rows of
// template.ts after it.

// the operations, the rows each uses and the ID prefixes come from the node's specification (spec.ts beside this file)

RED.nodes.registerType('qualtrics-survey', {
    category: 'Qualtrics',
    color: '#7EB6CE',
    defaults: {
        name: { value: "" },
        qualtrics: { value: "", type: "qualtrics-config", required: true },
        names: { value: {} },
        operation: { value: "label" },
        surveyId: { value: "", validate: V("typed", "surveyId", "qualtrics-survey.label.surveyId", Q.idRule(TYPE, "surveyId"), Q.applies(TYPE, "survey")) },
        surveyIdType: { value: "qualtrics" },
        limit: { value: 1000, validate: V("number", "qualtrics-survey.label.limit", 0, 1000000000, Q.applies(TYPE, "limit")) },
        output: { value: "array" },
        labelTarget: { value: "labelled" }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-survey.svg",
    paletteLabel: function () { return this._("qualtrics-survey.paletteLabel"); },
    label: Q.named(["surveyId"], Q.operationLabel(TYPE)),
    labelStyle: function () { return this.name ? "node_label_italic" : ""; },
    inputLabels: function () { return this._("qualtrics-survey.inputLabel"); },
    outputLabels: function () { return this._("qualtrics-survey.outputLabel"); },
    onadd: function () { Q.preselectConfig(this); },
    oneditprepare: function () {
        Q.prepare(this);
        Q.operationSelect(this, TYPE);
        Q.idInput("surveyId", { kind: "surveys", prefixes: Q.prefixes(TYPE, "surveyId") });
        // each operation has its own tip
        Q.followOperation(TYPE, "qualtrics-survey-", function (operation) {
            $(".qualtrics-survey-tip").hide();
            $(".qualtrics-survey-tip-" + operation).show();
        });
    }
});
