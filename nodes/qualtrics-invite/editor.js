// The invite node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, adds what every palette node has (category,
// colour, name, configuration, labels) and the rows of template.ts (nodes/lib/dialog-frame.ts).

// channels, match keys, link types and ID prefixes come from the node's specification (spec.ts beside this file)
var SPEC = Q.specs[TYPE];
var EMAIL_ONLY = { email: true };

function channelOf(node) { var q = Q; return (q ? q.field(node, "channel") : node.channel) || "email"; }

/** a typed field's validator (src/distributions.ts rules); `channels`: where it is used, undefined = always */
function typed(prop, rule, channels, also, dflt) {
    return function (v) {
        var q = Q;
        if (!q || (channels && !channels[channelOf(this)])) { return true; }
        var node = this;
        return q.checkTyped(this, v, {
            prop: prop,
            dflt: dflt,
            label: tr(this, "qualtrics-invite.label." + prop),
            rule: rule ? rule(q.rules) : null,
            also: also ? function (n) { return also(n, q); } : undefined
        });
    };
}

RED.nodes.registerType('qualtrics-invite', {
    defaults: {
        names: { value: {} },
        directoryId: { value: "", validate: typed("directoryId", Q.idRule(TYPE, "directoryId")) },
        directoryIdType: { value: "qualtrics" },
        mailingListId: { value: "", validate: typed("mailingListId", Q.idRule(TYPE, "mailingListId")) },
        mailingListIdType: { value: "qualtrics" },
        matchKey: { value: "email" },
        surveyId: { value: "", validate: typed("surveyId", Q.idRule(TYPE, "surveyId")) },
        surveyIdType: { value: "qualtrics" },
        transaction: { value: "payload.transaction", validate: typed("transaction", null, null, null, "msg") },
        transactionType: { value: "msg" },
        channel: { value: "email" },
        libraryId: { value: "", validate: typed("libraryId", Q.idRule(TYPE, "libraryId")) },
        libraryIdType: { value: "qualtrics" },
        messageId: { value: "", validate: typed("messageId", Q.idRule(TYPE, "messageId")) },
        messageIdType: { value: "qualtrics" },
        messageText: {
            value: "",
            validate: typed("messageText", function (r) { return r.maxLength(10000); }, null, function (node, q) {
                return q.textOrLibraryMessage(node, "qualtrics-invite.validation.messageBoth");
            })
        },
        messageTextType: { value: "str" },
        fromEmail: { value: "", validate: typed("fromEmail", function (r) { return r.email; }, EMAIL_ONLY) },
        fromEmailType: { value: "str" },
        fromName: { value: "", validate: typed("fromName", null, EMAIL_ONLY) },
        fromNameType: { value: "str" },
        replyToEmail: { value: "", validate: typed("replyToEmail", function (r) { return r.email; }, EMAIL_ONLY) },
        replyToEmailType: { value: "str" },
        subject: { value: "", validate: typed("subject", null, EMAIL_ONLY) },
        subjectType: { value: "str" },
        linkType: { value: "" },
        expirationDate: { value: "", validate: typed("expirationDate", function (r) { return r.date; }, EMAIL_ONLY) },
        expirationDateType: { value: "str" },
        sendDate: { value: "", validate: typed("sendDate", function (r) { return r.date; }) },
        sendDateType: { value: "str" },
        quietDays: {
            value: 0,
            validate: function (v) {
                var q = Q;
                if (!q || q.isEnv(String(v))) { return true; }
                var r = q.rules.wholeNumber(0, 3650)(v);
                return r === true ? true : tr(this, "qualtrics-invite.label.quietDays") + ": " + r;
            }
        }
    },
    inputs: 1,
    outputs: 1,
    icon: "qualtrics-invite.svg",
    label: Q.named(["surveyId"], function () {
        if (this.name) { return this.name; }
        return this._("qualtrics-invite.nodeLabel." + (this.channel === "sms" ? "sms" : "email"));
    }),
    oneditprepare: function () {
        Q.prepare(this);
        var node = this;
        Q.selectOptions(node, "matchKey", SPEC.matchKeys, "qualtrics-invite.matchKey.");
        Q.selectOptions(node, "channel", SPEC.channels, "qualtrics-invite.channel.");
        Q.selectOptions(node, "linkType", [""].concat(SPEC.linkTypes), "qualtrics-invite.linkType.");
        Q.picker(TYPE, "directoryId", "directories");
        Q.picker(TYPE, "mailingListId", "mailinglists", {
            params: Q.inDirectory(node, "qualtrics-invite.tip.directoryFirst")
        });
        Q.picker(TYPE, "surveyId", "surveys");
        Q.picker(TYPE, "libraryId", "libraries");
        // the library's invitations of the chosen channel
        Q.picker(TYPE, "messageId", "messages", {
            params: Q.messageParams(node, "qualtrics-invite.tip.libraryFirst", function () {
                return $("#node-input-channel").val() === "sms" ? "smsInvite" : "invite";
            })
        });
        $("#node-input-transaction").typedInput({ default: "msg", typeField: "#node-input-transactionType", types: ["msg", "flow", "global", "json", "jsonata"] });
        $("#node-input-quietDays").spinner({ min: 0, max: 3650 });
        function update() {
            $(".qualtrics-invite-email").toggle($("#node-input-channel").val() !== "sms");
        }
        $("#node-input-channel").on("change", update);
        update();
    }
});
