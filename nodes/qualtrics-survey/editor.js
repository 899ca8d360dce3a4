// The survey node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// the operations, the rows each uses and the ID prefixes come from the node's specification (spec.ts beside this file)

RED.nodes.registerType('qualtrics-survey', {
    defaults: {
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
    label: Q.named(["surveyId"], Q.operationLabel(TYPE)),
    oneditprepare: function () {
        Q.prepare(this);
        Q.operationSelect(this, TYPE);
        Q.picker(TYPE, "surveyId", "surveys");
        // each operation has its own tip
        Q.followOperation(TYPE, "qualtrics-survey-", function (operation) {
            $(".qualtrics-survey-tip").hide();
            $(".qualtrics-survey-tip-" + operation).show();
        });
    }
});
