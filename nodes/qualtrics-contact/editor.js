// The contact node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// the rows each operation uses and the ID prefixes come from the node's specification (spec.ts beside this file)
var USES_CONTACT = Q.applies(TYPE, "id");
var USES_FIELDS = Q.applies(TYPE, "fields");
var USES_LIST = Q.applies(TYPE, "list");
var USES_TRANSACTION = Q.applies(TYPE, "transaction");
var USES_IDS = Q.applies(TYPE, "ids");
var USES_BATCH = Q.applies(TYPE, "batch");
var USES_SEARCH = Q.applies(TYPE, "search");
var STR_TYPES = ["str", "msg", "flow", "global", "env", "jsonata"];

RED.nodes.registerType('qualtrics-contact', {
    defaults: {
        names: { value: {} },
        operation: { value: "get" },
        directoryId: { value: "", validate: V("typed", "directoryId", "qualtrics-contact.label.directoryId", Q.idRule(TYPE, "directoryId")) },
        directoryIdType: { value: "qualtrics" },
        contactId: { value: "", validate: V("typed", "contactId", "qualtrics-contact.label.contactId", Q.idRule(TYPE, "contactId"), USES_CONTACT) },
        contactIdType: { value: "qualtrics" },
        firstName: { value: "", validate: V("typed", "firstName", "qualtrics-contact.label.firstName", null, USES_FIELDS) },
        firstNameType: { value: "str" },
        lastName: { value: "", validate: V("typed", "lastName", "qualtrics-contact.label.lastName", null, USES_FIELDS) },
        lastNameType: { value: "str" },
        email: { value: "", validate: V("typed", "email", "qualtrics-contact.label.email", function (r) { return r.email; }, USES_FIELDS) },
        emailType: { value: "str" },
        phone: { value: "", validate: V("typed", "phone", "qualtrics-contact.label.phone", null, USES_FIELDS) },
        phoneType: { value: "str" },
        extRef: { value: "", validate: V("typed", "extRef", "qualtrics-contact.label.extRef", null, USES_FIELDS) },
        extRefType: { value: "str" },
        language: { value: "", validate: V("typed", "language", "qualtrics-contact.label.language", null, USES_FIELDS) },
        languageType: { value: "str" },
        embeddedData: { value: "", validate: V("typed", "embeddedData", "qualtrics-contact.label.embeddedData", function (r) { return r.embeddedData; }, USES_FIELDS, "json") },
        embeddedDataType: { value: "json" },
        unsubscribed: { value: "", validate: V("typed", "unsubscribed", "qualtrics-contact.label.unsubscribed", null, USES_FIELDS, "none") },
        unsubscribedType: { value: "none" },
        limit: { value: 1000, validate: V("number", "qualtrics-contact.label.limit", 0, 1000000000, USES_LIST) },
        pageSize: { value: 100, validate: V("number", "qualtrics-contact.label.pageSize", 1, 1000, USES_LIST) },
        output: { value: "array" },
        searchField: { value: "email" },
        searchValue: { value: "", validate: V("typed", "searchValue", "qualtrics-contact.label.searchValue", null, USES_SEARCH) },
        searchValueType: { value: "str" },
        upsertKey: { value: "email" },
        mailingListId: { value: "", validate: V("typed", "mailingListId", "qualtrics-contact.label.mailingListId", Q.idRule(TYPE, "mailingListId"), USES_TRANSACTION) },
        mailingListIdType: { value: "qualtrics" },
        transactionData: { value: "", validate: V("typed", "transactionData", "qualtrics-contact.label.transactionData", function (r) { return r.embeddedData; }, USES_TRANSACTION, "json") },
        transactionDataType: { value: "json" },
        transactionDate: { value: "", validate: V("typed", "transactionDate", "qualtrics-contact.label.transactionDate", function (r) { return r.date; }, USES_TRANSACTION) },
        transactionDateType: { value: "str" },
        transactionIds: { value: "", validate: V("typed", "transactionIds", "qualtrics-contact.label.transactionIds", null, USES_IDS) },
        transactionIdsType: { value: "str" },
        transactionBatchId: { value: "", validate: V("typed", "transactionBatchId", "qualtrics-contact.label.transactionBatchId", null, USES_BATCH) },
        transactionBatchIdType: { value: "str" }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-contact.svg",
    label: Q.named(["contactId", "directoryId"], Q.operationLabel(TYPE)),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        Q.operationSelect(node, TYPE);
        Q.selectOptions(node, "searchField", Q.specs[TYPE].searchFields, "qualtrics-contact.label.");
        Q.selectOptions(node, "upsertKey", Q.specs[TYPE].upsertKeys, "qualtrics-contact.label.");
        Q.picker(TYPE, "directoryId", "directories");
        Q.picker(TYPE, "mailingListId", "allMailingLists", { rest: STR_TYPES.slice(1) });
        // found by name, email, phone or external reference as the user types, in the directory above
        Q.picker(TYPE, "contactId", "contacts", {
            rest: STR_TYPES.slice(1),
            params: Q.inDirectory(node, "qualtrics-contact.tip.directoryFirst")
        });
        Q.optionalTyped(node, TYPE, "unsubscribed");

        function update() {
            var operation = $("#node-input-operation").val();
            Q.showParts(TYPE, operation, "qualtrics-contact-");
            $(".qualtrics-contact-msg").toggle(operation === "msg");
            // the fields section has its own tip about msg.payload
            $(".qualtrics-contact-payload").toggle(!USES_FIELDS[operation]);
        }
        $("#node-input-operation").on("change", update);
        update();
    }
});
