// The config node's definition for the editor. scripts/build.js puts it in the node's HTML
// with Q (the editor library), TYPE and V in scope, followed by the rows of template.ts
// (nodes/lib/dialog-frame.ts).

var NS = "@xmflows/node-red-qualtrics/qualtrics-config:";
function _t(key, vars) { return RED._(NS + key, vars); }

var field = Q.field, isEnv = Q.isEnv, injectStyle = Q.injectStyle;

// ---------------------------------------------------------------------------------------------
// The configuration node itself
// ---------------------------------------------------------------------------------------------
// the data center and scope rules are the client's (spec.ts beside this file)
var SPEC = Q.specs[TYPE];

function dataCenterRule(v, baseUrl) {
    // with a base URL, the data center is not used at all (src/base-url.ts)
    if (baseUrl && String(baseUrl).trim() !== "") { return true; }
    var s = String(v || "").trim().toLowerCase();
    if (!s) { return _t("qualtrics-config.validation.dataCenterRequired"); }
    if (isEnv(s)) { return true; }
    s = s.replace(/^https?:\/\//, "").replace(/[\/?#].*$/, "").replace(/:443$/, "");
    return SPEC.dataCenterId.test(s) || SPEC.qualtricsHost.test(s) ? true : _t("qualtrics-config.validation.dataCenter");
}

function baseUrlRule(v) {
    var s = String(v || "").trim();
    if (!s || isEnv(s)) { return true; }
    var u = Q.httpUrl(s);
    if (u === "url") { return _t("qualtrics-config.validation.baseUrl"); }
    if (u === "credentials") { return _t("qualtrics-config.validation.baseUrlCredentials"); }
    // as src/base-url.ts: plain http only to this machine, or the token crosses the network in clear
    if (u.protocol === "http:" && !/^(localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.test(u.hostname)) { return _t("qualtrics-config.validation.baseUrlHttp"); }
    if (!/\/API\/v3$/i.test(u.pathname.replace(/\/+$/, ""))) { return _t("qualtrics-config.validation.baseUrlPath"); }
    return true;
}

var DEFAULT_SCOPES = SPEC.defaultScopes.join(" ");

function scopesRule(v, authType) {
    if (authType !== "oauth") { return true; }
    var parts = String(v || "").split(/[\s,]+/).filter(function (p) { return p !== ""; });
    for (var i = 0; i < parts.length; i++) {
        if (!SPEC.scopeToken.test(parts[i])) { return _t("qualtrics-config.validation.scopes"); }
    }
    return true;
}

RED.nodes.registerType('qualtrics-config', {
    category: 'config',
    defaults: {
        name: { value: "" },
        dataCenter: {
            value: "iad1",
            validate: function (v, opt) {
                var r = dataCenterRule(v, field(this, "baseUrl", true));
                return r === true ? true : r;
            }
        },
        baseUrl: { value: "", validate: function (v, opt) { return baseUrlRule(v); } },
        authType: { value: "token" },
        scopes: { value: DEFAULT_SCOPES, validate: function (v, opt) { return scopesRule(v, field(this, "authType", true)); } },
        timeout: { value: 30, validate: Q.V("number", "qualtrics-config.label.timeout", 1, 600) },
        retries: { value: 4, validate: Q.V("number", "qualtrics-config.label.retries", 0, 10) },
        rateLimit: { value: 3000, validate: Q.V("number", "qualtrics-config.label.rateLimit", 1, 1000000) },
        maxConcurrent: { value: 10, validate: Q.V("number", "qualtrics-config.label.maxConcurrent", 1, 100) },
        coordination: { value: "none" }
    },
    credentials: {
        apiToken: { type: "password" },
        clientId: { type: "password" },
        clientSecret: { type: "password" },
        redisUrl: { type: "password" }
    },
    icon: "qualtrics.svg",
    label: function () {
        if (this.name) { return this.name; }
        if (this.baseUrl) { return this.baseUrl.replace(/^https?:\/\//, "").replace(/\/API\/v3\/?$/i, ""); }
        return "Qualtrics " + (this.dataCenter || "");
    },
    oneditprepare: function () {
        var node = this;
        injectStyle();
        var dcInput = $("#node-config-input-dataCenter");
        if (dcInput.autoComplete) {
            dcInput.autoComplete({
                minLength: 0,
                search: function (value) {
                    var v = (value || "").toLowerCase();
                    return SPEC.dataCenters.filter(function (dc) { return dc.indexOf(v) !== -1; }).map(function (dc) {
                        return { value: dc, label: dc };
                    });
                }
            });
        }

        // advanced settings: open when something in them differs from the defaults
        var section = $("#node-config-qualtrics-advanced");
        var caret = $("#node-config-qualtrics-advanced-toggle i");
        function setOpen(open) {
            section.toggle(open);
            caret.toggleClass("fa-caret-right", !open).toggleClass("fa-caret-down", open);
            $("#node-config-qualtrics-advanced-toggle").attr("aria-expanded", open ? "true" : "false");
        }
        var nonDefault = !!node.baseUrl || String(node.timeout) !== "30" || String(node.retries) !== "4" ||
            String(node.rateLimit) !== "3000" || String(node.maxConcurrent) !== "10" || node.coordination === "redis";
        setOpen(nonDefault);
        $("#node-config-qualtrics-advanced-toggle").on("click", function (evt) {
            evt.preventDefault();
            setOpen(!section.is(":visible"));
        });
        $("#node-config-input-baseUrl").on("change keyup", function () { dcInput.trigger("change"); });

        // the Redis URL only matters for replicas
        var coordInput = $("#node-config-input-coordination");
        if (!coordInput.val()) { coordInput.val("none"); }
        function showCoordination() { $(".qualtrics-coordination-redis").toggle(coordInput.val() === "redis"); }
        coordInput.on("change", showCoordination);
        showCoordination();

        // the fields of the chosen kind of authentication
        var authInput = $("#node-config-input-authType");
        if (!authInput.val()) { authInput.val("token"); }
        function showAuth() {
            var oauth = authInput.val() === "oauth";
            // an empty list means the default set: show it, so it can be trimmed
            if (oauth && !$("#node-config-input-scopes").val()) { $("#node-config-input-scopes").val(DEFAULT_SCOPES); }
            $(".qualtrics-auth-token").toggle(!oauth);
            $(".qualtrics-auth-oauth").toggle(oauth);
            $("#node-config-input-scopes").trigger("change");
            result.empty().hide();
        }

        // Test connection: the dialog's values; an unchanged password field sends __PWRD__, which
        // the server replaces with the stored token
        var result = $("#node-config-qualtrics-test-result");
        authInput.on("change", showAuth);
        showAuth();
        function line(cls, icon, text) {
            var div = $("<div></div>").addClass(cls).appendTo(result);
            $("<i></i>").addClass("fa " + icon).appendTo(div);
            $("<span></span>").text(" " + text).appendTo(div);
            return div;
        }
        $("#node-config-qualtrics-test").on("click", function (evt) {
            evt.preventDefault();
            var button = $(this).prop("disabled", true);
            result.empty().show();
            line("qualtrics-muted", "fa-spinner fa-spin", _t("qualtrics-config.test.testing"));
            var baseUrl = $("#node-config-input-baseUrl").val();
            $.ajax({
                url: "qualtrics-config/" + encodeURIComponent(node.id) + "/test",
                method: "POST",
                contentType: "application/json",
                dataType: "json",
                data: JSON.stringify(authInput.val() === "oauth" ? {
                    dataCenter: dcInput.val(),
                    baseUrl: baseUrl,
                    authType: "oauth",
                    clientId: $("#node-config-input-clientId").val(),
                    clientSecret: $("#node-config-input-clientSecret").val(),
                    scopes: $("#node-config-input-scopes").val()
                } : {
                    dataCenter: dcInput.val(),
                    baseUrl: baseUrl,
                    authType: "token",
                    apiToken: $("#node-config-input-apiToken").val()
                })
            }).done(function (r) {
                result.empty();
                if (!r || !r.ok) {
                    line("qualtrics-error", "fa-times-circle", _t("qualtrics-config.test.failed", { message: (r && r.message) || "?" }));
                    return;
                }
                var u = r.user || {};
                var who = [u.firstName, u.lastName].filter(Boolean).join(" ");
                who = who ? who + (u.userName ? " (" + u.userName + ")" : "") : (u.userName || "?");
                line("qualtrics-ok", "fa-check-circle", _t("qualtrics-config.test.ok", { user: who }));
                line("qualtrics-muted", "fa-building-o", _t("qualtrics-config.test.account", { brand: u.brandId || "?", dc: u.datacenter || "?" }));
                if (r.notice) {
                    line("qualtrics-warn", "fa-exclamation-triangle", _t("qualtrics-config.test.notice", { notice: r.notice }));
                }
                // the server prefers the host a notice names over whoami's datacenter, which can be a legacy name (az1)
                var suggested = r.suggestedDataCenter;
                if (r.otherDataCenter) {
                    line("qualtrics-warn", "fa-exclamation-triangle", _t("qualtrics-config.test.otherDataCenter", { dc: r.otherDataCenter }));
                }
                if (suggested && !String(baseUrl || "").trim() && String(suggested).toLowerCase() !== String(dcInput.val()).trim().toLowerCase()) {
                    var row = $("<div></div>").appendTo(result);
                    $('<button type="button" class="red-ui-button red-ui-button-small"></button>')
                        .text(_t("qualtrics-config.test.useDataCenter", { dc: suggested }))
                        .on("click", function (e) {
                            e.preventDefault();
                            dcInput.val(suggested).trigger("change");
                            row.empty();
                            $("<span class='qualtrics-muted'></span>").text(_t("qualtrics-config.test.dataCenterSet", { dc: suggested })).appendTo(row);
                        })
                        .appendTo(row);
                }
            }).fail(function (xhr) {
                result.empty();
                var m = (xhr.responseJSON && xhr.responseJSON.message) || (xhr.status + " " + (xhr.statusText || ""));
                line("qualtrics-error", "fa-times-circle", _t("qualtrics-config.test.failed", { message: m }));
            }).always(function () {
                button.prop("disabled", false);
            });
        });
    }
});
