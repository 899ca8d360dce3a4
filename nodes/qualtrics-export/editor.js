// The export node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

var STR_TYPES = ["str", "msg", "flow", "global", "env", "jsonata"];
// formats, outputs and ID prefixes come from the node's specification (spec.ts beside this file)
var RECORD_FORMATS = {};
Q.specs[TYPE].recordFormats.forEach(function (f) { RECORD_FORMATS[f] = true; });

function incremental(node) { return val(node, "since") === "new"; }

var END_DATE = V("typed", "endDate", "qualtrics-export.label.endDate", function (r) { return r.date; });
var LIMIT = V("number", "qualtrics-export.label.limit", 0, 1000000000);

/** question IDs separated by commas, each QID... as Qualtrics names them */
function questionIds(v) {
    var ids = v.split(",");
    for (var i = 0; i < ids.length; i++) {
        var id = ids[i].trim();
        if (id && !/^QID[A-Za-z0-9_#-]*$/.test(id)) { return RED._("@xmflows/node-red-qualtrics/qualtrics-export:qualtrics-export.validation.questionId", { id: id }); }
    }
    return true;
}

RED.nodes.registerType('qualtrics-export', {
    defaults: {
        names: { value: {} },
        surveyId: { value: "", validate: V("typed", "surveyId", "qualtrics-export.label.surveyId", Q.idRule(TYPE, "surveyId")) },
        surveyIdType: { value: "qualtrics" },
        format: {
            value: "json",
            validate: function (v, opt) {
                var out = val(this, "output");
                if (!RECORD_FORMATS[v] && out !== "buffer" && out !== "file") { return tr(this, "qualtrics-export.validation.fileOnly"); }
                return true;
            }
        },
        since: { value: "all" },
        startDate: { value: "", validate: V("typed", "startDate", "qualtrics-export.label.startDate", function (r) { return r.date; }) },
        startDateType: { value: "str" },
        endDate: {
            value: "",
            validate: function (v, opt) {
                var r = END_DATE.call(this, v, opt);
                if (r !== true) { return r; }
                var isNew = incremental(this) && Q.isSet(this, "endDate");
                return isNew ? tr(this, "qualtrics-export.label.endDate") + ": " + tr(this, "qualtrics-export.validation.endDateNew") : true;
            }
        },
        endDateType: { value: "str" },
        limit: {
            value: "",
            validate: function (v, opt) {
                // empty: no limit
                if (v === "" || v === undefined) { return true; }
                var r = LIMIT.call(this, v, opt);
                if (r !== true) { return r; }
                var set = Number(v) !== 0;
                if (set && (incremental(this) || val(this, "allowContinuation") === true)) { return tr(this, "qualtrics-export.validation.limitContinuation"); }
                return true;
            }
        },
        filterId: { value: "", validate: V("typed", "filterId", "qualtrics-export.label.filterId") },
        filterIdType: { value: "qualtrics" },
        questionIds: { value: "", validate: V("typed", "questionIds", "qualtrics-export.label.questionIds", function () { return questionIds; }) },
        questionIdsType: { value: "str" },
        embeddedDataIds: { value: "", validate: V("typed", "embeddedDataIds", "qualtrics-export.label.embeddedDataIds") },
        embeddedDataIdsType: { value: "str" },
        useLabels: { value: false },
        exportResponsesInProgress: { value: false },
        compress: { value: true },
        allowContinuation: { value: false },
        output: { value: "split" },
        directory: {
            value: "",
            validate: function (v, opt) {
                if (val(this, "output") !== "file") { return true; }
                return String(v || "").trim() !== "" ? true : tr(this, "qualtrics-export.validation.directory");
            }
        },
        timeout: { value: 10, validate: V("number", "qualtrics-export.label.timeout", 1, 1440) }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-export.svg",
    label: Q.named(["surveyId"], function () {
        if (this.name) { return this.name; }
        return this.since === "new" ? this._("qualtrics-export.nodeLabel.new") : this._("qualtrics-export.nodeLabel.all");
    }),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        Q.selectOptions(this, "format", Q.specs[TYPE].fileFormats, "qualtrics-export.format.");
        Q.selectOptions(this, "output", Q.specs[TYPE].outputs, "qualtrics-export.output.");
        Q.picker(TYPE, "surveyId", "surveys", { rest: STR_TYPES.slice(1) });
        Q.idInput("filterId", {
            kind: "filters",
            rest: STR_TYPES.slice(1),
            params: function () {
                var survey = Q.fixedIdOf(TYPE, "surveyId");
                if (!survey) { return { error: node._("qualtrics-export.picker.needsSurvey") }; }
                return { surveyId: survey };
            }
        });

        function update() {
            var isNew = $("#node-input-since").val() === "new";
            var output = $("#node-input-output").val();
            $(".qualtrics-export-all").toggle(!isNew);
            $(".qualtrics-export-new").toggle(isNew);
            $(".qualtrics-export-file").toggle(output === "file");
        }
        $("#node-input-since, #node-input-output").on("change", update);
        update();
    }
});
