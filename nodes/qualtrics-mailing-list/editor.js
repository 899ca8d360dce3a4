// The mailing list node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// the rows each operation uses and the ID prefixes come from the node's specification (spec.ts beside this file)
var USES_FIELDS = Q.applies(TYPE, "fields");

function field(prop, rule) {
    return { value: "", validate: V("typed", prop, "qualtrics-mailing-list.label." + prop, rule, USES_FIELDS) };
}

RED.nodes.registerType('qualtrics-mailing-list', {
    defaults: {
        names: { value: {} },
        operation: { value: "lists" },
        directoryId: { value: "", validate: V("typed", "directoryId", "qualtrics-mailing-list.label.directoryId", Q.idRule(TYPE, "directoryId")) },
        directoryIdType: { value: "qualtrics" },
        mailingListId: { value: "", validate: V("typed", "mailingListId", "qualtrics-mailing-list.label.mailingListId", Q.idRule(TYPE, "mailingListId"), Q.applies(TYPE, "list")) },
        mailingListIdType: { value: "qualtrics" },
        contactId: { value: "", validate: V("typed", "contactId", "qualtrics-mailing-list.label.contactId", Q.idRule(TYPE, "contactId"), Q.applies(TYPE, "contact")) },
        contactIdType: { value: "str" },
        listName: { value: "", validate: V("typed", "listName", "qualtrics-mailing-list.label.listName", function (r) { return r.maxLength(200); }, Q.applies(TYPE, "name")) },
        listNameType: { value: "str" },
        firstName: field("firstName"),
        firstNameType: { value: "str" },
        lastName: field("lastName"),
        lastNameType: { value: "str" },
        email: field("email", function (r) { return r.email; }),
        emailType: { value: "str" },
        phone: field("phone"),
        phoneType: { value: "str" },
        extRef: field("extRef"),
        extRefType: { value: "str" },
        language: field("language"),
        languageType: { value: "str" },
        embeddedData: { value: "", validate: V("typed", "embeddedData", "qualtrics-mailing-list.label.embeddedData", function (r) { return r.embeddedData; }, USES_FIELDS, "json") },
        embeddedDataType: { value: "json" },
        unsubscribed: { value: "", validate: V("typed", "unsubscribed", "qualtrics-mailing-list.label.unsubscribed", null, USES_FIELDS, "none") },
        unsubscribedType: { value: "none" },
        limit: { value: 1000, validate: V("number", "qualtrics-mailing-list.label.limit", 0, 1000000000, Q.applies(TYPE, "paging")) },
        pageSize: { value: 100, validate: V("number", "qualtrics-mailing-list.label.pageSize", 1, 1000, Q.applies(TYPE, "paging")) },
        output: { value: "array" },
        waitForImport: { value: true },
        importTimeout: { value: 600, validate: V("number", "qualtrics-mailing-list.label.importTimeout", 0, 86400, Q.applies(TYPE, "import")) }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-mailing-list.svg",
    label: Q.named(["mailingListId", "directoryId"], Q.operationLabel(TYPE)),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        Q.operationSelect(node, TYPE);
        Q.picker(TYPE, "directoryId", "directories");
        // the lists of the directory chosen above; a directory from msg or context is not known here
        Q.picker(TYPE, "mailingListId", "mailinglists", {
            params: Q.inDirectory(node, "qualtrics-mailing-list.tip.directoryFirst")
        });
        Q.optionalTyped(node, TYPE, "unsubscribed");
        Q.followOperation(TYPE, "qualtrics-ml-");
    }
});
