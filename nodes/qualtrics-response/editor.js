// The response node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// the rows each operation uses and the ID prefixes come from the node's specification (spec.ts beside this file)
var USES_VALUES = Q.applies(TYPE, "values");

/** answers: any JSON object (values may be numbers, strings or arrays) */
function jsonObject(v) {
    var obj;
    try { obj = JSON.parse(v); } catch (err) { return RED._("@xmflows/node-red-qualtrics/qualtrics-response:qualtrics-response.validation.json"); }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) { return RED._("@xmflows/node-red-qualtrics/qualtrics-response:qualtrics-response.validation.object"); }
    return true;
}

RED.nodes.registerType('qualtrics-response', {
    defaults: {
        names: { value: {} },
        operation: { value: "get" },
        surveyId: { value: "", validate: V("typed", "surveyId", "qualtrics-response.label.surveyId", Q.idRule(TYPE, "surveyId")) },
        surveyIdType: { value: "qualtrics" },
        responseId: { value: "", validate: V("typed", "responseId", "qualtrics-response.label.responseId", Q.idRule(TYPE, "responseId"), Q.applies(TYPE, "id")) },
        responseIdType: { value: "str" },
        embeddedData: { value: "", validate: V("typed", "embeddedData", "qualtrics-response.label.embeddedData", function (r) { return r.embeddedData; }, Q.applies(TYPE, "embedded"), "json") },
        embeddedDataType: { value: "json" },
        values: { value: "", validate: V("typed", "values", "qualtrics-response.label.values", function () { return jsonObject; }, USES_VALUES, "json") },
        valuesType: { value: "json" },
        resetRecordedDate: { value: "" },
        decrementQuotas: { value: "" },
        ignoreMissing: { value: true }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-response.svg",
    label: Q.named(["surveyId"], Q.operationLabel(TYPE)),
    oneditprepare: function () {
        Q.prepare(this);
        Q.operationSelect(this, TYPE);
        Q.picker(TYPE, "surveyId", "surveys");
        Q.followOperation(TYPE, "qualtrics-response-");
    }
});
