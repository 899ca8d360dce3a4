// The distribution node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// operations, the fields each reads, enums and ID prefixes come from the node's specification (spec.ts beside this file)
var SPEC = Q.specs[TYPE];
var LINK_TYPES = SPEC.linkTypes;
var SMS_METHODS = SPEC.smsMethods;
var EMAIL = { email: true, msg: true };
var SMS = { sms: true, msg: true };
var REQUEST_TYPES = SPEC.requestTypes;

// the fields of each operation; create uses the channel's, a listing also its limit and output
var CREATE = ["channel"].concat(SPEC.create.common, SPEC.create.email, SPEC.create.sms);
var LISTING = Q.applies(TYPE, "listing");
var USES = { create: CREATE };
Object.keys(SPEC.fields).forEach(function (op) { USES[op] = SPEC.fields[op].concat(LISTING[op] ? ["limit", "output"] : []); });
var ALL_FIELDS = (function () {
    var all = [];
    Object.keys(USES).forEach(function (op) { USES[op].forEach(function (p) { if (all.indexOf(p) < 0) { all.push(p); } }); });
    return all;
})();

function channelOf(node) { var q = Q; return q ? q.field(node, "channel") : node.channel; }
/** the operation; flows from before there were operations create */
function operationOf(node) { var q = Q; var op = q ? q.field(node, "operation") : node.operation; return op || "create"; }
/** "msg" (from msg.operation) may be any of them */
function uses(op, prop) { return op === "msg" || (USES[op] || CREATE).indexOf(prop) >= 0; }
/** rules that involve the channel or the SMS method only hold for create */
function creating(node) { var op = operationOf(node); return op === "create" || op === "msg"; }

/** the SMS method when it is fixed in the dialog, else undefined */
function fixedMethod(node) {
    var q = Q;
    var m = q ? q.fixed(node, "method") : undefined;
    if (!m) { return undefined; }
    for (var i = 0; i < SMS_METHODS.length; i++) { if (SMS_METHODS[i].toLowerCase() === m.toLowerCase()) { return SMS_METHODS[i]; } }
    return undefined;
}
function isFollowUp(m) { return m === "Reminder" || m === "ThankYou"; }

/**
 * A validator for a typed field (src/distributions.ts rules that one field can show), skipped when
 * the operation does not use the field: channels = where create uses it; also(node) = a rule
 * involving other fields, for create only unless alsoAlways.
 */
function typed(prop, labelKey, rule, channels, also, dflt, alsoAlways) {
    return function (v, opt) {
        var q = Q;
        var op = operationOf(this);
        if (!q || !uses(op, prop) || (op === "create" && channels && !channels[channelOf(this)])) { return true; }
        var node = this;
        return q.checkTyped(this, v, {
            prop: prop,
            dflt: dflt,
            label: tr(this, labelKey),
            rule: rule ? rule(q.rules) : null,
            also: also && (alsoAlways || creating(node)) ? function (n) { return also(n, q); } : undefined
        });
    };
}

function number(prop, labelKey, min, max) {
    return function (v, opt) {
        var q = Q;
        if (!q || !uses(operationOf(this), prop) || q.isEnv(String(v))) { return true; }
        var r = q.rules.wholeNumber(min, max)(v);
        return r === true ? true : tr(this, labelKey) + ": " + r;
    };
}

function dateValue(v) {
    if (/^\d{11,}$/.test(v)) { return Number(v); }
    var s = v.replace(" ", "T");
    var zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
    return new Date(zoned || s.length === 10 ? s : s + "Z").getTime();
}

/** an `also` rule: the date `prop` comes after the date `before` when both are fixed dates */
function later(prop, before, errorKey) {
    return function (node, q) {
        var d = q.fixed(node, prop);
        var b = q.fixed(node, before);
        var both = d && b && q.rules.date(d) === true && q.rules.date(b) === true;
        return both && dateValue(d) <= dateValue(b) ? tr(node, errorKey) : true;
    };
}

RED.nodes.registerType('qualtrics-distribution', {
    defaults: {
        names: { value: {} },
        operation: { value: "create" },
        channel: { value: "email" },
        // common
        surveyId: { value: "", validate: typed("surveyId", "qualtrics-distribution.label.surveyId", Q.idRule(TYPE, "surveyId")) },
        surveyIdType: { value: "qualtrics" },
        sendDate: { value: "", validate: typed("sendDate", "qualtrics-distribution.label.sendDate", function (r) { return r.date; }) },
        sendDateType: { value: "str" },
        libraryId: { value: "", validate: typed("libraryId", "qualtrics-distribution.label.libraryId", Q.idRule(TYPE, "libraryId")) },
        libraryIdType: { value: "qualtrics" },
        messageId: { value: "", validate: typed("messageId", "qualtrics-distribution.label.messageId", Q.idRule(TYPE, "messageId")) },
        messageIdType: { value: "qualtrics" },
        messageText: {
            value: "",
            validate: typed("messageText", "qualtrics-distribution.label.messageText", function (r) { return r.maxLength(10000); }, null, function (node, q) {
                return q.textOrLibraryMessage(node, "qualtrics-distribution.validation.messageBoth");
            }, undefined, true)
        },
        messageTextType: { value: "str" },
        mailingListId: {
            value: "",
            validate: typed("mailingListId", "qualtrics-distribution.label.mailingListId", Q.idRule(TYPE, "mailingListId"), null, function (node, q) {
                if (channelOf(node) === "sms" && isFollowUp(fixedMethod(node)) && q.fixed(node, "mailingListId")) {
                    return tr(node, "qualtrics-distribution.validation.mailingListFollowUp");
                }
                return true;
            })
        },
        mailingListIdType: { value: "qualtrics" },
        contactId: {
            value: "",
            validate: typed("contactId", "qualtrics-distribution.label.contactId", Q.idRule(TYPE, "contactId"), null, function (node, q) {
                if (channelOf(node) === "email" && q.fixed(node, "contactId") && q.fixed(node, "transactionBatchId")) {
                    return tr(node, "qualtrics-distribution.validation.contactNeedsList");
                }
                return true;
            })
        },
        contactIdType: { value: "str" },
        transactionBatchId: {
            value: "",
            validate: typed("transactionBatchId", "qualtrics-distribution.label.transactionBatchId", null, null, function (node, q) {
                if (channelOf(node) === "email" && q.fixed(node, "transactionBatchId") && q.fixed(node, "mailingListId")) {
                    return tr(node, "qualtrics-distribution.validation.listOrBatch");
                }
                return true;
            })
        },
        transactionBatchIdType: { value: "str" },
        // email only
        fromEmail: { value: "", validate: typed("fromEmail", "qualtrics-distribution.label.fromEmail", function (r) { return r.email; }, EMAIL) },
        fromEmailType: { value: "str" },
        fromName: { value: "", validate: typed("fromName", "qualtrics-distribution.label.fromName", null, EMAIL) },
        fromNameType: { value: "str" },
        replyToEmail: { value: "", validate: typed("replyToEmail", "qualtrics-distribution.label.replyToEmail", function (r) { return r.email; }, EMAIL) },
        replyToEmailType: { value: "str" },
        subject: { value: "", validate: typed("subject", "qualtrics-distribution.label.subject", null, EMAIL) },
        subjectType: { value: "str" },
        expirationDate: {
            value: "",
            validate: typed("expirationDate", "qualtrics-distribution.label.expirationDate", function (r) { return r.date; }, EMAIL,
                later("expirationDate", "sendDate", "qualtrics-distribution.validation.expiresBeforeSend"))
        },
        expirationDateType: { value: "str" },
        linkType: { value: "", validate: typed("linkType", "qualtrics-distribution.label.linkType", function (r) { return r.oneOf(LINK_TYPES); }, EMAIL) },
        linkTypeType: { value: "str" },
        embeddedData: { value: "", validate: typed("embeddedData", "qualtrics-distribution.label.embeddedData", function (r) { return r.embeddedData; }, EMAIL, null, "json") },
        embeddedDataType: { value: "json" },
        // SMS only
        method: { value: "Invite", validate: typed("method", "qualtrics-distribution.label.method", function (r) { return r.oneOf(SMS_METHODS); }, SMS) },
        methodType: { value: "str" },
        smsName: { value: "", validate: typed("smsName", "qualtrics-distribution.label.smsName", function (r) { return r.maxLength(100); }, SMS) },
        smsNameType: { value: "str" },
        parentDistributionId: {
            value: "",
            validate: typed("parentDistributionId", "qualtrics-distribution.label.parentDistributionId", Q.idRule(TYPE, "parentDistributionId"), SMS, function (node, q) {
                var m = fixedMethod(node);
                if (channelOf(node) === "sms" && m && !isFollowUp(m) && q.fixed(node, "parentDistributionId")) {
                    return tr(node, "qualtrics-distribution.validation.parentOnlyFollowUp");
                }
                return true;
            })
        },
        parentDistributionIdType: { value: "str" },
        transactionId: { value: "", validate: typed("transactionId", "qualtrics-distribution.label.transactionId", Q.idRule(TYPE, "transactionId"), SMS) },
        transactionIdType: { value: "str" },
        sampleId: { value: "", validate: typed("sampleId", "qualtrics-distribution.label.sampleId", null, SMS) },
        sampleIdType: { value: "str" },
        // the other operations
        distributionId: { value: "", validate: typed("distributionId", "qualtrics-distribution.label.distributionId", Q.idRule(TYPE, "distributionId")) },
        distributionIdType: { value: "qualtrics" },
        distributionRequestType: { value: "", validate: typed("distributionRequestType", "qualtrics-distribution.label.distributionRequestType", function (r) { return r.oneOf(REQUEST_TYPES); }) },
        distributionRequestTypeType: { value: "str" },
        sendStartDate: { value: "", validate: typed("sendStartDate", "qualtrics-distribution.label.sendStartDate", function (r) { return r.date; }) },
        sendStartDateType: { value: "str" },
        sendEndDate: {
            value: "",
            validate: typed("sendEndDate", "qualtrics-distribution.label.sendEndDate", function (r) { return r.date; }, null,
                later("sendEndDate", "sendStartDate", "qualtrics-distribution.validation.endBeforeStart"), undefined, true)
        },
        sendEndDateType: { value: "str" },
        description: { value: "", validate: typed("description", "qualtrics-distribution.label.description", null) },
        descriptionType: { value: "str" },
        limit: { value: 1000, validate: number("limit", "qualtrics-distribution.label.limit", 0, 1000000000) },
        output: { value: "array" }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-distribution.svg",
    label: Q.named(["surveyId"], function () {
        // a create (and a flow from before there were operations) is named by its channel
        if (this.name || (this.operation && this.operation !== "create")) { return Q.operationLabel(TYPE).call(this); }
        return this._(TYPE + ".nodeLabel." + (this.channel === "sms" || this.channel === "email" ? this.channel : "msg"));
    }),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        var q = Q;
        /** a typed input whose fixed value is one of `options` ([value, catalogue key]); still type "str", so the runtime reads it as any text */
        function choices(prop, options) {
            $("#node-input-" + prop).typedInput({ default: "str", typeField: "#node-input-" + prop + "Type", types: [{
                value: "str",
                label: node._("qualtrics-distribution.type.fixed"),
                icon: "red/images/typedInput/az.svg",
                options: options.map(function (o) { return { value: o[0], label: node._(o[1]) }; })
            }, "msg", "flow", "global", "env"] });
        }
        function keyed(values, keyPrefix) { return values.map(function (v) { return [v, keyPrefix + v]; }); }
        // a node from before there were operations creates, as the runtime does (the first operation)
        Q.operationSelect(node, TYPE);
        Q.selectOptions(node, "channel", SPEC.channels.concat(["msg"]), "qualtrics-distribution.channel.");
        Q.picker(TYPE, "surveyId", "surveys");
        Q.picker(TYPE, "libraryId", "libraries");
        // the messages of the operation's category: an invitation of create's channel, a reminder, a thank-you
        Q.picker(TYPE, "messageId", "messages", {
            params: Q.messageParams(node, "qualtrics-distribution.picker.needsLibrary", function () {
                var op = $("#node-input-operation").val();
                var channel = $("#node-input-channel").val();
                if (op === "reminder" || op === "thankYou") { return op; }
                if (op !== "create") { return undefined; }
                return channel === "email" ? "invite" : channel === "sms" ? "smsInvite" : undefined;
            })
        });
        Q.picker(TYPE, "mailingListId", "allMailingLists");
        // a survey's distributions: invitations for a reminder or thank-you, link distributions for links
        Q.picker(TYPE, "distributionId", "distributions", {
            params: function () {
                var survey = Q.fixedIdOf(TYPE, "surveyId");
                var op = $("#node-input-operation").val();
                if (!survey) { return { error: node._("qualtrics-distribution.picker.needsSurvey") }; }
                var p = { surveyId: survey };
                if (op === "reminder" || op === "thankYou") { p.distributionRequestType = "Invite"; }
                if (op === "links") { p.distributionRequestType = "GeneratedInvite"; }
                return p;
            }
        });
        choices("linkType", [["", "qualtrics-distribution.linkType.default"]].concat(keyed(LINK_TYPES, "qualtrics-distribution.linkType.")));
        choices("distributionRequestType", [["", "qualtrics-distribution.requestType.all"]].concat(keyed(REQUEST_TYPES, "qualtrics-distribution.requestType.")));
        choices("method", keyed(SMS_METHODS, "qualtrics-distribution.method."));

        function update() {
            var op = $("#node-input-operation").val() || "create";
            var channel = $("#node-input-channel").val();
            var create = op === "create";
            var email = !!EMAIL[channel];
            var sms = !!SMS[channel];
            var m = create && channel === "sms" ? fixedMethod(null) : undefined;
            if (q) { ALL_FIELDS.forEach(function (p) { q.showRow(p, uses(op, p)); }); }
            if (create) {
                $(".qualtrics-distribution-email").toggle(email);
                $(".qualtrics-distribution-sms").toggle(sms);
                $(".qualtrics-distribution-msg").toggle(channel === "msg");
                // SMS: a reminder or thank-you goes to the parent distribution's recipients (§5.6)
                if (q) {
                    q.showRow("parentDistributionId", sms && (!m || isFollowUp(m)));
                    q.showRow("mailingListId", !m || !isFollowUp(m));
                }
            } else {
                $(".qualtrics-distribution-msg").hide();
                $(".qualtrics-distribution-create-tip").hide();
            }
            $(".qualtrics-distribution-heading-message").toggle(uses(op, "libraryId"));
            $(".qualtrics-distribution-heading-recipients").toggle(uses(op, "mailingListId") || uses(op, "distributionId"));
            $(".qualtrics-distribution-heading-email").toggle(uses(op, "fromEmail") && (!create || email));
            $(".qualtrics-distribution-op-tip").hide();
            $(".qualtrics-distribution-op-tip-" + op).show();
        }
        $("#node-input-operation").on("change", update);
        $("#node-input-channel").on("change", update);
        $("#node-input-method").on("change", update);
        $("#node-input-methodType").on("change", update);
        update();
    },
    oneditsave: function () {
        // what the dialog hides for a fixed SMS method would be refused by Qualtrics: it goes
        if ($("#node-input-operation").val() !== "create" || $("#node-input-channel").val() !== "sms") { return; }
        var m = fixedMethod(null);
        if (!m) { return; }
        if (isFollowUp(m)) {
            $("#node-input-mailingListId").typedInput("value", "");
        } else {
            $("#node-input-parentDistributionId").typedInput("value", "");
        }
    }
});
